"""The list table and the forms in a real browser: the column chooser, ticking rows and a bulk
action, the unit tree-select's search; axe-clean, and no sideways scrolling at 375 px."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from unibridge.core.models import ListColumns
from unibridge.core.testing import assert_accessible, choose, log_in
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.models import ActionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def headers(page) -> list[str]:
    return [t.strip().rstrip(" ▲▼") for t in page.locator("#results thead th").all_text_contents()]


def test_the_column_chooser_hides_a_column_at_once_and_remembers_it(page, demo):
    log_in(page, "office", "demo")
    page.goto("/institutions/")
    assert "City" in headers(page)
    page.get_by_text("Columns", exact=True).click()
    chooser = page.get_by_role("group", name="Columns shown")
    expect(
        page.get_by_role("button", name="Apply", exact=True)
    ).to_be_hidden()  # a tick applies at once
    chooser.get_by_label("City").uncheck()
    expect(page.locator("#results thead")).not_to_contain_text("City", ignore_case=True)
    assert_accessible(page)
    page.reload()
    assert "City" not in headers(page) and "Country" in headers(page)
    assert "city" not in ListColumns.objects.get(list_name="institutions:institution_list").columns


def test_ticking_rows_and_moving_them_to_done(page, demo):
    log_in(page, "office", "demo")
    page.goto("/action-items/?status=open")
    rows = page.locator("#results tbody tr")
    count = rows.count()
    assert count >= 2
    page.get_by_label("Select all rows on this page").check()
    expect(page.get_by_text(f"{count} selected")).to_be_visible()
    rows.first.get_by_role("checkbox").uncheck()
    expect(page.get_by_text(f"{count - 1} selected")).to_be_visible()
    page.get_by_label("With the selected rows").select_option(label="Change status")
    expect(page.locator('[data-bulk-value="owner"]')).to_be_hidden()  # the other action's
    page.get_by_label("New status").select_option(label="Done")
    assert_accessible(page)
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".alert").first).to_contain_text(
        f"{count - 1} action item{'s' if count > 2 else ''} moved to Done."
    )
    assert "status=open" in page.url  # back to the same filtered list
    assert ActionItem.objects.filter(status=ActionItemStatus.DONE).count() >= count - 1


def test_the_visit_forms_units_are_a_searchable_tree(page, demo):
    log_in(page, "office", "demo")
    page.goto("/visits/new/")
    expect(page.get_by_role("heading", name="Dates")).to_be_visible()
    choose(
        page, "^Home units involved", "Metallurgy", "Department of Metallurgy and Materials Science"
    )
    box = page.get_by_role("combobox", name=re.compile("^Home units involved"))
    box.click()
    page.keyboard.type("Power")
    option = page.locator(".ts-dropdown:visible").get_by_role(
        "option", name="Department of Power Engineering"
    )
    expect(
        option.locator("div.ts-depth-1").or_(option.and_(page.locator(".ts-depth-1")))
    ).to_have_count(1)
    option.click()
    page.keyboard.press("Escape")
    chosen = page.locator("select[name=home_units] option:checked").all_inner_texts()
    assert [c.strip("— ") for c in chosen] == [
        "Department of Metallurgy and Materials Science",
        "Department of Power Engineering",
    ]
    assert_accessible(page)


def test_at_375_px_the_lists_do_not_scroll_sideways(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "office", "demo")
    for path in ("/institutions/", "/action-items/", "/agreements/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide"
    assert_accessible(page)


def test_assigning_an_owner_finds_the_person_by_typing(page, demo):
    from unibridge.institutions.models import Person

    owner = Person.objects.filter(institution__is_home=True, user__isnull=True).first()
    assert owner is not None
    log_in(page, "office", "demo")
    page.goto("/action-items/?status=open")
    page.locator("#results tbody tr").first.get_by_role("checkbox").check()
    page.get_by_label("With the selected rows").select_option(label="Assign responsible person")
    typed = owner.name_native.split()[0][:4]
    choose(page, "^Owner", typed, owner.name_native)
    assert page.locator("select[name=value_owner]").input_value() == str(owner.pk)
    assert_accessible(page)
    apply = page.get_by_role("button", name="Apply to selected")
    apply.click()
    expect(page.locator(".alert").first).to_contain_text(owner.name_native)
    assert ActionItem.objects.filter(owner=owner).exists()
