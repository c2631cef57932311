"""The page shell in a real browser: every main page under the strict Content-Security-Policy
(nothing blocked), accessible (axe-core), usable at 375 px, and the API docs page too."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from unibridge.core.testing import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/institutions/",
    "/partnerships/",
    "/units/",
    "/people/",
    "/agreements/",
    "/agreements/new/",
    "/visits/",
    "/visits/new/",
    "/meetings/",
    "/meetings/new/",
    "/action-items/mine/",
    "/calendar/",
    "/notifications/",
    "/search/?q=AGH",
    "/api/v1/docs/",
]


@pytest.fixture
def demo(live_server, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_every_main_page_runs_under_the_policy_and_passes_axe(page, demo):
    log_in(page, "office", "demo")
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_accessible(page)


def test_at_375_px_the_menu_folds_into_a_button_and_nothing_scrolls_sideways(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "office", "demo")
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide"
    page.goto("/")
    agreements = page.get_by_role("link", name="Agreements", exact=True)
    assert not agreements.is_visible()
    page.get_by_role("button", name="Menu").click()
    agreements.click()
    page.wait_for_url(re.compile(r"/agreements/$"))
    assert_accessible(page)


def test_a_long_choice_becomes_a_searchable_select(page, demo):
    log_in(page, "office", "demo")
    page.goto("/meetings/new/")
    # The time zone list (about 600 entries) is a combobox one can type into.
    box = page.locator("input[role=combobox]").and_(
        page.get_by_role("combobox", name=re.compile("Time zone"))
    )
    box.focus()
    page.keyboard.type("Warsaw")
    page.get_by_role("listbox").get_by_role("option", name="Europe/Warsaw").click()
    assert page.locator("select[name=time_zone]").input_value() == "Europe/Warsaw"
    assert_accessible(page)


def test_the_language_switcher_changes_the_language_without_a_button(page, demo):
    log_in(page, "office", "demo")
    page.goto("/agreements/")
    with page.expect_navigation():  # the select submits its form on change
        page.get_by_label("Language").select_option("kk")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_label("Тіл").input_value() == "kk"


# The README's pictures: `make screenshots` writes them to docs/screenshots/; a normal run
# takes them into a temporary directory, so the walk (and axe on each page) is still tested.
SCREENSHOT_DIR = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _demo_paths() -> dict[str, str]:
    from unibridge.agreements.models import Agreement
    from unibridge.institutions.models import Partnership

    partnership = Partnership.objects.filter(partner__name_en__contains="AGH").first()
    agreement = Agreement.objects.filter(parent__isnull=True).order_by("pk").first()
    assert partnership is not None and agreement is not None
    return {
        "home": "/",
        "partnerships": "/partnerships/",
        "search": "/search/?q=Караганда",
        "partnership-timeline": f"{partnership.get_absolute_url()}timeline/",
        "partnership-history": f"{partnership.get_absolute_url()}history/",
        "partnership-edit": f"{partnership.get_absolute_url()}edit/",
        "agreement": agreement.get_absolute_url(),
        "visit-new": "/visits/new/",
    }


def test_readme_screenshots(page, demo, tmp_path):
    folder = SCREENSHOT_DIR if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    page.set_viewport_size({"width": 1280, "height": 860})
    log_in(page, "office", "demo")
    for name, path in _demo_paths().items():
        assert page.goto(path).status == 200, path
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        target = folder / f"{name}.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000, name
