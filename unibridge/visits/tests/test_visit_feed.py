"""Programme items and action items in each user's private calendar feed."""

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from unibridge.core import calendar
from unibridge.institutions.tests.factories import PersonFactory
from unibridge.meetings.calendar import action_item_events
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.visits.calendar import visit_events
from unibridge.visits.tests.factories import ProgrammeItemFactory, VisitFactory, at


def feed(user) -> dict[str, dict]:
    """The user's feed as a calendar program reads it (no session), its events by UID."""
    token = user.calendar_token or calendar.new_calendar_token(user)
    response = Client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {
        str(event["uid"]): {
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "summary": str(event["summary"]),
            "url": str(event.get("url", "")),
            "description": str(event.get("description", "")),
        }
        for event in Calendar.from_ical(response.content).walk("VEVENT")
    }


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def item_uid(item) -> str:
    return f"programme-item-{item.uid}@unibridge"


def action_uid(action) -> str:
    return f"action-item-{action.uuid}@unibridge"


@pytest.fixture
def me(coordinator_user, engineering):
    return PersonFactory(name_native="Aigerim Bekova", user=coordinator_user, unit=engineering)


@pytest.fixture
def visit(db):
    # a week from now, in Almaty
    return VisitFactory(title="AGH delegation", start_date=in_days(7), end_date=in_days(9))


def programme_item(visit, hour=10, **fields):
    return ProgrammeItemFactory(
        visit=visit,
        starts_at=at(visit.start_date, hour),
        ends_at=at(visit.start_date, hour + 1),
        **fields,
    )


# --- Programme items -----------------------------------------------------------------------------


def test_an_item_i_take_part_in_is_in_my_feed_at_its_time(coordinator_user, me, visit):
    item = programme_item(visit, 2, title="Breakfast with the rector", place="Rector's office")
    item.participants.add(me)
    events = feed(coordinator_user)
    event = events[item_uid(item)]
    # a timed event in UTC: 02:00 in Almaty (UTC+5) is 21:00 the day before
    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    assert event["start"].astimezone(almaty) == datetime.datetime.combine(
        visit.start_date, datetime.time(2), tzinfo=almaty
    )
    assert event["end"] - event["start"] == datetime.timedelta(hours=1)
    assert event["summary"] == "Breakfast with the rector"
    assert "02:00–03:00 (Asia/Almaty)" in event["description"]
    assert event["url"] == f"http://testserver/visits/{visit.uuid}/programme/#item-{item.uid}"
    assert "AGH delegation" in event["description"]
    assert "Place: Rector's office" in event["description"]


def test_an_item_i_am_responsible_for_is_in_my_feed(coordinator_user, me, visit):
    item = programme_item(visit, responsible=me)
    assert item_uid(item) in feed(coordinator_user)


def test_other_peoples_items_are_not_in_my_feed(coordinator_user, me, visit):
    programme_item(visit).participants.add(PersonFactory())
    programme_item(visit, responsible=PersonFactory())
    assert not [uid for uid in feed(coordinator_user) if uid.startswith("programme-item-")]


def test_the_uid_is_stable_between_downloads_and_edits(coordinator_user, me, visit):
    item = programme_item(visit, title="Lab tour")
    item.participants.add(me)
    first = feed(coordinator_user)
    item.title = "Laboratory tour"
    item.save()
    second = feed(coordinator_user)
    assert set(first) == set(second)
    assert second[item_uid(item)]["summary"].endswith("Laboratory tour")


def test_items_of_a_cancelled_visit_leave_the_feed(coordinator_user, me, visit):
    programme_item(visit).participants.add(me)
    visit.status = "cancelled"
    visit.save()
    assert feed(coordinator_user) == {}


def test_long_past_items_leave_the_feed(coordinator_user, me, db):
    old = VisitFactory(start_date=in_days(-60), end_date=in_days(-58))
    programme_item(old).participants.add(me)
    recent = VisitFactory(start_date=in_days(-3), end_date=in_days(-2))
    kept = programme_item(recent)
    kept.participants.add(me)
    assert list(feed(coordinator_user)) == [item_uid(kept)]


def test_a_coordinator_never_gets_items_of_confidential_visits_outside_their_units(
    coordinator_user, me, visit, economics, engineering
):
    secret = VisitFactory(is_confidential=True, start_date=in_days(7), end_date=in_days(8))
    secret.home_units.add(economics)
    hidden = programme_item(secret, responsible=me)
    hidden.participants.add(me)
    ours = VisitFactory(is_confidential=True, start_date=in_days(7), end_date=in_days(8))
    ours.home_units.add(engineering)
    shown = programme_item(ours)
    shown.participants.add(me)
    assert list(feed(coordinator_user)) == [item_uid(shown)]


# --- Action items --------------------------------------------------------------------------------


def test_my_open_action_items_are_all_day_events_on_their_due_date(coordinator_user, me, db):
    meeting = MeetingFactory(visit=None, title="Round table", starts_at=timezone.now())
    action = ActionItemFactory(
        meeting=meeting, owner=me, due_on=in_days(10), description="Send the draft IIA to AGH"
    )
    event = feed(coordinator_user)[action_uid(action)]
    assert event["start"] == in_days(10)
    assert event["end"] == in_days(11)
    assert event["summary"] == "Due: Send the draft IIA to AGH"
    assert "From the meeting “Round table”." in event["description"]


def test_overdue_open_action_items_stay_in_the_feed(coordinator_user, me, db):
    action = ActionItemFactory(meeting__visit=None, owner=me, due_on=in_days(-5))
    assert action_uid(action) in feed(coordinator_user)


def test_done_undated_or_other_peoples_action_items_are_not_in_my_feed(coordinator_user, me, db):
    ActionItemFactory(meeting__visit=None, owner=me, status="done")
    ActionItemFactory(meeting__visit=None, owner=me, status="cancelled")
    ActionItemFactory(meeting__visit=None, owner=me, due_on=None)
    ActionItemFactory(meeting__visit=None, owner=PersonFactory())
    assert feed(coordinator_user) == {}


def test_action_items_of_meetings_i_may_not_see_are_not_in_my_feed(coordinator_user, me, economics):
    secret_visit = VisitFactory(is_confidential=True)
    secret_visit.home_units.add(economics)
    # a meeting not marked confidential itself, inside a confidential visit
    ActionItemFactory(meeting=MeetingFactory(visit=secret_visit), owner=me)
    secret_meeting = MeetingFactory(visit=None, is_confidential=True)
    secret_meeting.home_units.add(economics)
    ActionItemFactory(meeting=secret_meeting, owner=me)
    assert feed(coordinator_user) == {}


# --- Cost ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 10])
def test_the_feed_source_takes_a_constant_number_of_queries(
    coordinator_user, me, size, django_assert_num_queries
):
    for _n in range(size):
        visit = VisitFactory(start_date=in_days(7), end_date=in_days(8))
        programme_item(visit).participants.add(me)
        programme_item(visit, 12, responsible=me)
        ActionItemFactory(meeting=MeetingFactory(visit=visit), owner=me, due_on=in_days(20))
    assert coordinator_user.unit_scope_ids  # read once per download
    today = timezone.localdate()
    # one query for the programme items, one for the action items (meetings' own source)
    with django_assert_num_queries(2):
        events = [
            *visit_events(coordinator_user, today),
            *action_item_events(coordinator_user, today),
        ]
    assert len(events) == 3 * size
