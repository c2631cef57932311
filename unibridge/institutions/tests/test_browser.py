"""The foundation's story in a real browser (Debian chromium driven by Playwright)."""

import re

import pytest
from django.core.management import call_command

from unibridge.accounts.models import User
from unibridge.core.testing import assert_accessible, log_in
from unibridge.institutions.models import Institution, Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {"agh": Institution.objects.get(hei_id="agh.edu.pl")}


def test_office_finds_the_home_university_edits_agh_and_sees_the_history(page, demo):
    log_in(page, "office", "demo")
    search = page.get_by_role("searchbox", name=re.compile("Search"))
    search.fill("Караганда")
    search.press("Enter")
    page.get_by_role("link", name=re.compile("Karaganda Industrial University")).first.click()
    page.wait_for_url(re.compile(r"/institutions/[0-9a-f-]+/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Karaganda Industrial")

    agh_partnership = demo["agh"].partnership
    page.goto(agh_partnership.get_absolute_url())
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Notes").fill("Round table on mineral processing agreed for spring.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/partnerships/[0-9a-f-]+/$"))
    page.get_by_role("link", name="History").click()
    history = page.locator("main").inner_text()
    assert "Round table on mineral processing agreed for spring." in history
    office = User.objects.get(username="office")
    assert office.get_full_name() in history  # the writer by their name


def test_coordinator_cannot_edit_another_units_partnership_or_open_a_confidential_one(page, demo):
    coordinator = User.objects.get(username="coordinator")
    scope = coordinator.unit_scope_ids
    others = Partnership.objects.filter(is_confidential=False).exclude(home_units__in=scope)
    other = others.first()
    secret = Partnership.objects.filter(is_confidential=True).exclude(home_units__in=scope).first()
    assert other and secret, "the demo data must hold both kinds of partnership"

    log_in(page, "coordinator", "demo")
    page.goto(other.get_absolute_url())
    assert page.get_by_role("link", name="Edit").count() == 0
    response = page.goto(other.get_absolute_url() + "edit/")
    assert response.status == 403
    assert "You may not change this" in page.locator("main").inner_text()

    response = page.goto(secret.get_absolute_url())
    assert response.status == 404
    page.goto("/partnerships/")
    assert secret.partner.display_name not in page.locator("main").inner_text()


MAIN_PAGES = [
    "/",
    "/institutions/",
    "/partnerships/",
    "/people/",
    "/units/",
    "/agreements/",
    "/search/?q=Krakow",
    "/institutions/new/",
    "/institutions/import/",
    "/partnerships/new/?q=uni",
]


def test_main_pages_have_no_serious_accessibility_violations(page, demo):
    page.goto("/accounts/login/")
    assert_accessible(page)
    log_in(page, "office", "demo")
    agh = demo["agh"]
    detail_pages = [
        agh.get_absolute_url(),
        agh.get_absolute_url() + "units/",
        agh.partnership.get_absolute_url(),
        agh.partnership.get_absolute_url() + "timeline/",
        agh.partnership.get_absolute_url() + "history/",
        agh.partnership.get_absolute_url() + "edit/",
        agh.people.first().get_absolute_url(),
        agh.units.first().get_absolute_url(),
    ]
    for url in MAIN_PAGES + detail_pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)


def test_filters_work_by_keyboard_and_htmx_updates_the_results(page, demo):
    log_in(page, "office", "demo")
    page.goto("/institutions/")
    page.get_by_label("Name contains").fill("AGH")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=AGH"))
    assert "AGH" in page.locator("#results").inner_text()
    page.get_by_label("Name contains").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field must show a visible focus ring"
