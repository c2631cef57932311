"""Duplicates in a real browser: the create form's warning, and an administrator's merge."""

import re

import pytest

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.core.testing import assert_accessible, log_in
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def samarkand(live_server):
    UserFactory(username="admin", role=Role.ADMIN)
    kept = InstitutionFactory(
        name="Samarkand State University", name_en="", country="UZ", city="Samarkand"
    )
    return kept


def test_the_create_form_warns_of_a_duplicate_and_creates_only_when_confirmed(page, samarkand):
    log_in(page, "admin")
    page.goto("/institutions/new/")
    assert page.get_by_label(re.compile("Create anyway")).count() == 0
    page.get_by_label("Official name").fill("Samarkand State University, Uzbekistan")
    box = page.locator("input[role=combobox]").and_(
        page.get_by_role("combobox", name=re.compile("Country"))
    )
    box.focus()
    page.keyboard.type("Uzbek")
    page.get_by_role("listbox").get_by_role("option", name="Uzbekistan").click()
    page.get_by_role("button", name="Save").click()

    warning = page.get_by_role("alert").filter(has_text="may already be recorded")
    assert "same name: Samarkand State University" in warning.inner_text()
    assert Institution.objects.count() == 1
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page)

    page.get_by_label(re.compile("Create anyway")).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/institutions/[0-9a-f-]+/$"))
    assert Institution.objects.count() == 2


def test_an_administrator_merges_the_second_record_into_the_first(page, samarkand):
    twin = InstitutionFactory(
        name="Samarkand State University, Uzbekistan", name_en="", country="UZ", acronym="SamSU"
    )
    PersonFactory(institution=twin, name_native="Dean Karimov")
    log_in(page, "admin")
    page.goto(twin.get_absolute_url())
    page.get_by_role("link", name="Merge into…").click()
    page.wait_for_url(re.compile(r"/merge/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/merge/confirm/"))
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Merge Samarkand State University, Uzbekistan into Samarkand State University")
    )
    row = page.get_by_role("row").filter(has_text="People")
    assert row.get_by_role("cell").last.inner_text() == "1"
    assert_accessible(page)
    page.get_by_role("button", name="Merge").click()

    page.wait_for_url(samarkand.get_absolute_url())
    assert "Merged Samarkand State University, Uzbekistan into" in page.locator("main").inner_text()
    assert "SamSU" in page.locator("main").inner_text()
    assert not Institution.objects.filter(pk=twin.pk).exists()
    assert samarkand.people.get().name_native == "Dean Karimov"
