"""A visit's programme as an .ics file, parsed back with the icalendar library."""

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from unibridge.institutions.tests.factories import PersonFactory
from unibridge.visits.models import ProgrammeItem
from unibridge.visits.tests.factories import ProgrammeItemFactory, VisitFactory, at

UTC = datetime.UTC
MAY_12 = datetime.date(2026, 5, 12)


def ics_url(visit) -> str:
    return f"/visits/{visit.uuid}/programme.ics"


def download(client, visit) -> Calendar:
    response = client.get(ics_url(visit))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def visit(engineering):
    visit = VisitFactory(title="AGH delegation to Karaganda")
    visit.home_units.add(engineering)
    return visit


@pytest.fixture
def round_table(visit):
    item = ProgrammeItemFactory(
        visit=visit,
        kind="round_table",
        title="Round table on joint research",
        starts_at=at(MAY_12, 10),
        ends_at=at(MAY_12, 12, 30),
        place="Senate hall",
        online_link="https://meet.example.org/round-table",
        description="Exchange of students and teachers.",
        responsible=PersonFactory(name_native="Aigerim Bekova"),
    )
    item.participants.add(PersonFactory(name_native="Jan Kowalski"))
    return item


def test_each_item_is_an_event_in_the_hosts_zone(office_client, visit, round_table):
    ProgrammeItemFactory(
        visit=visit, title="Lab tour", starts_at=at(MAY_12, 14), ends_at=at(MAY_12, 15)
    )
    calendar = download(office_client, visit)
    found = events(calendar)
    assert set(found) == {f"{i.uid}@unibridge" for i in visit.programme.all()}
    event = found[f"{round_table.uid}@unibridge"]
    assert event["dtstart"].params["TZID"] == "Asia/Almaty"
    assert event["dtend"].params["TZID"] == "Asia/Almaty"
    assert event.decoded("dtstart").astimezone(UTC) == datetime.datetime(2026, 5, 12, 5, tzinfo=UTC)
    assert event.decoded("dtend").astimezone(UTC) == datetime.datetime(
        2026, 5, 12, 7, 30, tzinfo=UTC
    )
    assert event.decoded("dtstart").replace(tzinfo=None) == datetime.datetime(2026, 5, 12, 10)
    assert str(event["summary"]) == "Round table on joint research"
    assert str(event["location"]) == "Senate hall"
    assert str(event["url"]) == "https://meet.example.org/round-table"
    description = str(event["description"])
    assert "Round table · AGH delegation to Karaganda" in description
    assert "Exchange of students and teachers." in description
    assert "Responsible: Aigerim Bekova" in description
    assert "Participants: Jan Kowalski" in description
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Asia/Almaty"
    assert calendar.get_missing_tzids() == set()


def test_an_item_without_a_link_points_to_the_visits_programme(office_client, visit):
    item = ProgrammeItemFactory(visit=visit, place="")
    event = events(download(office_client, visit))[f"{item.uid}@unibridge"]
    assert str(event["url"]) == (
        f"http://testserver/visits/{visit.uuid}/programme/#item-{item.uid}"
    )
    assert "location" not in event


def test_the_file_is_an_attachment_named_after_the_visit(office_client, visit, round_table):
    response = office_client.get(ics_url(visit))
    assert response["Content-Disposition"] == (
        'attachment; filename="programme-agh-delegation-to-karaganda.ics"'
    )


def test_downloads_are_stable_and_an_edit_updates_the_same_event(office_client, visit, round_table):
    # made a minute ago (iCalendar counts changes in whole seconds)
    ProgrammeItem.objects.filter(pk=round_table.pk).update(
        updated=round_table.updated - datetime.timedelta(minutes=1)
    )
    first = office_client.get(ics_url(visit)).content
    assert office_client.get(ics_url(visit)).content == first
    before = events(Calendar.from_ical(first))[f"{round_table.uid}@unibridge"]

    round_table.refresh_from_db()
    office_client.post(
        f"/visits/{visit.uuid}/programme/{round_table.uid}/edit/",
        {
            "kind": "round_table",
            "title": "Round table (moved)",
            "day": "2026-05-13",
            "start_time": "11:00",
            "end_time": "12:00",
            "version": round_table.updated.isoformat(),
        },
    )
    after_all = events(download(office_client, visit))
    assert set(after_all) == {f"{round_table.uid}@unibridge"}  # the same UID, no duplicate
    after = after_all[f"{round_table.uid}@unibridge"]
    assert str(after["summary"]) == "Round table (moved)"
    assert after.decoded("dtstart").astimezone(UTC) == datetime.datetime(2026, 5, 13, 6, tzinfo=UTC)
    assert after.decoded("sequence") > before.decoded("sequence")
    assert after.decoded("last-modified") > before.decoded("last-modified")


def test_times_across_the_daylight_saving_change_keep_their_local_hour(office_client, db):
    visit = VisitFactory(
        time_zone="Europe/Warsaw",
        start_date=datetime.date(2026, 3, 28),
        end_date=datetime.date(2026, 3, 30),
    )
    warsaw = zoneinfo.ZoneInfo("Europe/Warsaw")
    saturday = ProgrammeItemFactory(
        visit=visit,
        starts_at=datetime.datetime(2026, 3, 28, 10, tzinfo=warsaw),
        ends_at=datetime.datetime(2026, 3, 28, 11, tzinfo=warsaw),
    )
    monday = ProgrammeItemFactory(
        visit=visit,
        starts_at=datetime.datetime(2026, 3, 30, 10, tzinfo=warsaw),
        ends_at=datetime.datetime(2026, 3, 30, 11, tzinfo=warsaw),
    )
    calendar = download(office_client, visit)
    found = events(calendar)
    for item, utc_hour in ((saturday, 9), (monday, 8)):
        start = found[f"{item.uid}@unibridge"].decoded("dtstart")
        assert (start.hour, start.minute) == (10, 0)
        assert start.astimezone(UTC).hour == utc_hour
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Warsaw"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # read back through the VTIMEZONE alone, as a calendar program without the tz database would
    assert zone.to_tz().utcoffset(datetime.datetime(2026, 3, 30, 10)) == datetime.timedelta(hours=2)
    assert zone.to_tz().utcoffset(datetime.datetime(2026, 3, 28, 10)) == datetime.timedelta(hours=1)


def test_an_empty_programme_is_an_empty_calendar(office_client, visit):
    calendar = download(office_client, visit)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["version"]) == "2.0"


def test_a_cancelled_visits_events_are_marked_cancelled(office_client, visit, round_table):
    visit.status = "cancelled"
    visit.save()
    event = events(download(office_client, visit))[f"{round_table.uid}@unibridge"]
    assert str(event["status"]) == "CANCELLED"


def test_the_file_is_not_found_for_those_who_may_not_see_the_visit(
    coordinator_client, viewer_client, economics
):
    secret = VisitFactory(is_confidential=True)
    secret.home_units.add(economics)
    ProgrammeItemFactory(visit=secret)
    assert coordinator_client.get(ics_url(secret)).status_code == 404
    assert viewer_client.get(ics_url(secret)).status_code == 404


def test_readers_of_the_visit_may_download_it(viewer_client, visit, round_table):
    assert len(download(viewer_client, visit).walk("VEVENT")) == 1


def test_the_file_needs_a_login(client, visit):
    assert client.get(ics_url(visit)).status_code == 302


@pytest.mark.parametrize("size", [1, 12])
def test_the_file_takes_a_constant_number_of_queries(
    office_client, visit, size, django_assert_num_queries
):
    for n in range(size):
        item = ProgrammeItemFactory(
            visit=visit,
            starts_at=at(MAY_12, 8 + n % 10),
            ends_at=at(MAY_12, 9 + n % 10),
            responsible=PersonFactory(),
        )
        item.participants.add(PersonFactory(), PersonFactory())
    # session, user, visit, items with their responsible people, participants
    with django_assert_num_queries(5):
        response = office_client.get(ics_url(visit))
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == size
    assert ProgrammeItem.objects.count() == size
