"""The history tab, the partner timeline and the recent activity page in a real browser, on
the demo story: accessible (axe-core), nothing blocked by the Content-Security-Policy, usable
at 375 px, and the timeline's kind filter working with htmx and without it."""

import pytest
from django.core.management import call_command

from unibridge.agreements.models import Agreement
from unibridge.core.testing import assert_accessible, log_in
from unibridge.institutions.models import Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_history_timeline_and_activity_read_well_and_pass_axe(page, demo):
    log_in(page, "office", "demo")
    memorandum = Agreement.objects.get(reference__startswith="MoU")
    page.goto(memorandum.get_absolute_url() + "history/")
    history = page.locator("table.history").inner_text()
    assert "In review" in history and "17 Apr 2025" in history
    assert "in_review" not in history
    assert_accessible(page)

    partnership = Partnership.objects.get(partner__hei_id="agh.edu.pl")
    page.goto(partnership.get_absolute_url() + "timeline/")
    assert page.locator(".recorded").first.inner_text().startswith("recorded on")
    page.locator(".timeline-filter").get_by_role("link", name="Visit", exact=True).click()
    page.wait_for_url("**/timeline/?kind=visit")
    entries = page.locator(".timeline-entry")
    assert entries.count() == 1
    assert "Visit took place" in entries.first.inner_text()
    assert_accessible(page)

    page.goto("/activity/")
    first = page.locator(".activity li").first
    assert first.locator("a").count() == 1
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the activity page is {width} px wide at 375 px"
