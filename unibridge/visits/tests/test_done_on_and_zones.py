"""One rule for "done on" (a day of the home zone) on the checklist and the action items, and
one searchable time zone field for the visit and meeting forms."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from unibridge.core import zones
from unibridge.meetings.models import ActionItem
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.meetings.tests.test_meeting_pages import form_data as meeting_form_data
from unibridge.visits.models import ChecklistItem
from unibridge.visits.tests.factories import ChecklistItemFactory

from .test_visit_pages import make_partner, make_visit, visit_form_data

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
# half past midnight on 5 March in Almaty (the home zone of the tests) is still 4 March in
# Warsaw: a reader there must see the home university's day, 5 March
JUST_AFTER_MIDNIGHT = datetime.datetime(2026, 3, 5, 0, 30, tzinfo=ALMATY)


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def visit(home, partner, engineering):
    return make_visit(home, partner, units=[engineering])


@pytest.fixture
def in_warsaw(office_client):
    """The office's browser reports Europe/Warsaw as its zone."""
    office_client.cookies["tz"] = "Europe/Warsaw"
    return office_client


@pytest.fixture
def at_midnight(monkeypatch):
    """The clock stands at JUST_AFTER_MIDNIGHT (Django's clock; our code is not replaced)."""
    monkeypatch.setattr(timezone, "now", lambda: JUST_AFTER_MIDNIGHT)


def test_the_done_day_is_the_home_zones_day_for_instants_and_days(settings):
    assert JUST_AFTER_MIDNIGHT.astimezone(zoneinfo.ZoneInfo("Europe/Warsaw")).day == 4
    assert zones.done_on(JUST_AFTER_MIDNIGHT) == datetime.date(2026, 3, 5)
    assert zones.done_on(datetime.date(2026, 3, 5)) == datetime.date(2026, 3, 5)
    assert zones.done_on(None) is None
    settings.TIME_ZONE = "Europe/Warsaw"
    assert zones.done_on(JUST_AFTER_MIDNIGHT) == datetime.date(2026, 3, 4)


def test_a_reader_in_another_zone_sees_the_checklist_done_on_the_home_day(
    in_warsaw, visit, at_midnight
):
    item = ChecklistItemFactory(visit=visit, name="Book the hall")
    url = f"/visits/{visit.uuid}/checklist/{item.pk}/toggle/"
    assert in_warsaw.post(url, {"done": "1"}).status_code == 303
    assert ChecklistItem.objects.get(pk=item.pk).done_at == JUST_AFTER_MIDNIGHT
    page = in_warsaw.get(f"/visits/{visit.uuid}/checklist/").content.decode()
    assert "done on March 5, 2026" in page
    assert "March 4, 2026" not in page


def test_an_action_item_done_from_another_zone_is_done_on_the_home_day(
    in_warsaw, visit, at_midnight
):
    meeting = MeetingFactory(visit=visit, partner=visit.partner)
    item = ActionItemFactory(meeting=meeting, description="Send the CVs")
    response = in_warsaw.post(item.get_absolute_url() + "status/", {"status": "done"})
    assert response.status_code == 303
    # the day of the home zone is stored, not the Warsaw reader's 4 March
    assert ActionItem.objects.get(pk=item.pk).completed_on == datetime.date(2026, 3, 5)
    for url in (item.get_absolute_url(), meeting.get_absolute_url()):
        page = in_warsaw.get(url).content.decode()
        assert "done on March 5, 2026" in page, url


def test_the_checklist_and_the_action_items_show_the_same_day_for_the_same_moment(in_warsaw, visit):
    ChecklistItemFactory(visit=visit, done=True, done_at=JUST_AFTER_MIDNIGHT)
    meeting = MeetingFactory(visit=visit, partner=visit.partner)
    ActionItemFactory(
        meeting=meeting, status="done", completed_on=zones.done_on(JUST_AFTER_MIDNIGHT)
    )
    checklist = in_warsaw.get(f"/visits/{visit.uuid}/checklist/").content.decode()
    meeting_page = in_warsaw.get(meeting.get_absolute_url()).content.decode()
    assert "done on March 5, 2026" in checklist
    assert "done on March 5, 2026" in meeting_page


# --- The time zone field --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/visits/new/", "/meetings/new/"])
def test_the_forms_offer_every_zone_in_a_searchable_select(office_client, home, url):
    form = office_client.get(url).context["form"]
    html = str(form["time_zone"])
    assert html.startswith("<select") and "data-searchable" in html
    assert '<option value="Europe/Warsaw">Europe/Warsaw</option>' in html
    assert len(list(form.fields["time_zone"].choices)) == len(zoneinfo.available_timezones())


def test_a_new_visit_starts_in_the_installation_zone_and_keeps_the_chosen_one(
    office_client, home, partner
):
    form = office_client.get("/visits/new/").context["form"]
    assert 'value="Asia/Almaty" selected' in str(form["time_zone"])
    response = office_client.post(
        "/visits/new/", visit_form_data(partner, time_zone="Europe/Warsaw")
    )
    assert response.status_code == 303
    page = office_client.get(response["Location"] + "edit/").content.decode()
    assert 'value="Europe/Warsaw" selected' in page


def test_an_unknown_zone_is_refused_with_the_same_words_on_both_forms(
    office_client, home, partner, visit
):
    visit_page = office_client.post("/visits/new/", visit_form_data(partner, time_zone="Mars/Base"))
    meeting_page = office_client.post(
        f"/visits/{visit.uuid}/meetings/new/", meeting_form_data(time_zone="Mars/Base")
    )
    message = "“Mars/Base” is not a time zone; use a name such as Asia/Almaty or Europe/Warsaw."
    assert visit_page.context["form"].errors["time_zone"] == [message]
    assert meeting_page.context["form"].errors["time_zone"] == [message]
