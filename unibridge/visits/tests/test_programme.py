"""Programme items: host-zone times across daylight saving, errors, and warnings."""

import datetime
import zoneinfo

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from unibridge.core.services import EditConflict
from unibridge.institutions.tests.factories import PersonFactory
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.visits import programme
from unibridge.visits.programme import (
    OUTSIDE_DATES,
    PERSON_BOOKED_TWICE,
    ROOM_BOOKED_TWICE,
    NonexistentLocalTime,
    item_warnings,
    local_to_utc,
    overlaps,
    programme_warnings,
)
from unibridge.visits.programme_forms import ProgrammeItemForm
from unibridge.visits.programme_services import programme_item_change, programme_item_create
from unibridge.visits.tests.factories import (
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
    at,
)

UTC = datetime.UTC
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
MAY_12 = datetime.date(2026, 5, 12)  # the factory visit: 12–14 May 2026 in Asia/Almaty


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def item(visit, hour, end_hour, day=MAY_12, **fields):
    return ProgrammeItemFactory(
        visit=visit, starts_at=at(day, hour), ends_at=at(day, end_hour), **fields
    )


def codes(warnings) -> list[tuple[str, int]]:
    return sorted((w.code, w.item_id) for w in warnings)


def form_data(**fields) -> dict:
    data = {
        "kind": "meeting",
        "title": "Round table",
        "day": "2026-05-12",
        "start_time": "10:00",
        "end_time": "11:00",
    }
    data.update(fields)
    return data


# --- Times in the host's zone --------------------------------------------------------------------


@pytest.fixture
def warsaw_march(db):
    # the clocks move forward in Warsaw at 02:00 on Sunday 29 March 2026
    return VisitFactory(
        time_zone="Europe/Warsaw",
        start_date=datetime.date(2026, 3, 27),
        end_date=datetime.date(2026, 3, 31),
    )


@pytest.fixture
def warsaw_october(db):
    # and back at 03:00 on Sunday 25 October 2026
    return VisitFactory(
        time_zone="Europe/Warsaw",
        start_date=datetime.date(2026, 10, 23),
        end_date=datetime.date(2026, 10, 27),
    )


def save_through_form(visit, user, **fields):
    form = ProgrammeItemForm(form_data(**fields), visit=visit, user=user)
    assert form.is_valid(), form.errors
    return programme_item_create(visit=visit, user=user, values=form.values())


def post_form(client, visit, **fields):
    """The add page's answer to the form's fields (with its form, when refused)."""
    return client.post(f"/visits/{visit.uuid}/programme/add/", form_data(**fields))


def test_local_ten_oclock_is_stored_at_the_right_instant_on_both_sides_of_the_spring_change(
    warsaw_march, office_user
):
    before = save_through_form(warsaw_march, office_user, day="2026-03-28", title="Saturday")
    after = save_through_form(warsaw_march, office_user, day="2026-03-30", title="Monday")
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.starts_at == utc(2026, 3, 28, 9)  # CET, UTC+1
    assert after.starts_at == utc(2026, 3, 30, 8)  # CEST, UTC+2
    assert after.ends_at == utc(2026, 3, 30, 9)
    for stored in (before, after):
        form = ProgrammeItemForm(instance=stored, visit=warsaw_march, user=office_user)
        assert form.initial["start_time"] == datetime.time(10)
        assert form.initial["end_time"] == datetime.time(11)
        assert programme.clock(stored.starts_at, warsaw_march.tz) == "10:00"


def test_local_ten_oclock_is_stored_at_the_right_instant_on_both_sides_of_the_autumn_change(
    warsaw_october, office_user
):
    before = save_through_form(warsaw_october, office_user, day="2026-10-24")
    after = save_through_form(warsaw_october, office_user, day="2026-10-26")
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.starts_at == utc(2026, 10, 24, 8)  # CEST
    assert after.starts_at == utc(2026, 10, 26, 9)  # CET
    assert [programme.clock(i.starts_at, WARSAW) for i in (before, after)] == ["10:00", "10:00"]


def test_an_item_across_the_change_lasts_its_real_length(warsaw_march, office_user):
    night = save_through_form(
        warsaw_march, office_user, day="2026-03-29", start_time="01:00", end_time="04:00"
    )
    assert night.ends_at - night.starts_at == datetime.timedelta(hours=2)


def test_a_time_the_clocks_skip_is_refused_with_the_reason(warsaw_march, office_client):
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(datetime.date(2026, 3, 29), datetime.time(2, 30), WARSAW)
    response = post_form(
        office_client, warsaw_march, day="2026-03-29", start_time="02:30", end_time="04:00"
    )
    assert response.status_code == 400
    assert not warsaw_march.programme.exists()
    assert response.context["form"].errors["start_time"] == [
        "02:30 does not exist on March 29, 2026 in Europe/Warsaw: the clocks move forward "
        "that night. Choose another time."
    ]


def test_a_time_that_happens_twice_is_taken_the_first_time(db):
    assert local_to_utc(datetime.date(2026, 10, 25), datetime.time(2, 30), WARSAW) == utc(
        2026, 10, 25, 0, 30
    )


def test_almaty_has_no_daylight_saving(db):
    assert local_to_utc(MAY_12, datetime.time(10), ALMATY) == utc(2026, 5, 12, 5)
    assert local_to_utc(datetime.date(2026, 12, 1), datetime.time(10), ALMATY) == utc(
        2026, 12, 1, 5
    )


# --- Errors --------------------------------------------------------------------------------------


@pytest.fixture
def visit(db):
    return VisitFactory()


@pytest.mark.parametrize("end", ["09:00", "10:00"])
def test_an_end_not_after_the_start_is_an_error_with_both_times(visit, office_client, end):
    response = post_form(office_client, visit, end_time=end)
    assert response.status_code == 400
    assert response.context["form"].errors["end_time"] == [
        f"The end ({end}) must come after the start (10:00)."
    ]
    assert not visit.programme.exists()


def test_the_service_refuses_an_end_before_the_start_and_writes_nothing(visit, office_user):
    backwards = {"title": "Backwards", "starts_at": at(MAY_12, 10), "ends_at": at(MAY_12, 9, 30)}
    with pytest.raises(ValidationError) as error:
        programme_item_create(visit=visit, user=office_user, values=backwards)
    assert error.value.message_dict["ends_at"] == [
        "The end (09:30) must come after the start (10:00)."
    ]
    assert not visit.programme.exists()


def test_the_database_refuses_an_end_before_the_start_too(visit):
    stored = item(visit, 10, 11)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(stored).objects.filter(pk=stored.pk).update(ends_at=stored.starts_at)


def test_a_save_is_audited_with_its_participants(visit, office_user):
    person = PersonFactory(name_native="Aigerim Bekova")
    saved = programme_item_create(
        visit=visit,
        user=office_user,
        values={
            "title": "Lab tour",
            "starts_at": at(MAY_12, 10),
            "ends_at": at(MAY_12, 11),
            "participants": [person],
        },
    )
    assert list(saved.participants.all()) == [person]
    entry = LogEntry.objects.get_for_object(saved).first()
    assert entry.actor == office_user


def test_a_save_over_someone_elses_newer_one_is_refused(visit, office_user):
    stored = item(visit, 10, 11, title="Original")
    opened = stored.updated
    type(stored).objects.filter(pk=stored.pk).update(
        title="Theirs", updated=opened + datetime.timedelta(seconds=5)
    )
    with pytest.raises(EditConflict):
        programme_item_change(
            item=stored, user=office_user, values={"title": "Mine"}, expected_updated=opened
        )
    stored.refresh_from_db()
    assert stored.title == "Theirs"


# --- Overlaps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b_start", "b_end", "expected"),
    [
        (9, 10, False),  # ends as the other starts
        (11, 12, False),  # starts as the other ends
        (9, 11, True),
        (10, 11, True),
        (10.5, 10.75, True),  # inside
        (9, 12, True),  # around
        (10.5, 12, True),
        (8, 9, False),
    ],
)
def test_overlaps_shares_time_but_touching_is_not_overlapping(b_start, b_end, expected):
    def t(hour: float) -> datetime.datetime:
        return utc(2026, 5, 12) + datetime.timedelta(hours=hour)

    assert overlaps(t(10), t(11), t(b_start), t(b_end)) is expected
    assert overlaps(t(b_start), t(b_end), t(10), t(11)) is expected


def test_a_period_without_an_end_occupies_its_start():
    start, end = utc(2026, 5, 12, 10), utc(2026, 5, 12, 11)
    assert overlaps(start, end, start, None)
    assert overlaps(start, end, utc(2026, 5, 12, 10, 59), None)
    assert not overlaps(start, end, end, None)
    assert not overlaps(start, end, utc(2026, 5, 12, 9, 59), None)


# --- Warnings: dates -----------------------------------------------------------------------------


def test_an_item_outside_the_visits_dates_in_the_hosts_zone_is_a_warning(visit, office_user):
    # 11 May 23:00 in Almaty: the day before the visit
    early = ProgrammeItemFactory(
        visit=visit,
        title="Welcome dinner",
        starts_at=at(datetime.date(2026, 5, 11), 23),
        ends_at=at(datetime.date(2026, 5, 11), 23, 30),
    )
    late = item(visit, 10, 11, day=datetime.date(2026, 5, 15), title="Excursion")
    # 12 May 03:00 in Almaty is still 11 May in UTC, but inside the visit where it happens
    ProgrammeItemFactory(visit=visit, starts_at=at(MAY_12, 3), ends_at=at(MAY_12, 4))
    item(visit, 22, 23, day=datetime.date(2026, 5, 14))
    warnings = programme_warnings(visit, user=office_user)
    assert codes(warnings) == sorted([(OUTSIDE_DATES, early.pk), (OUTSIDE_DATES, late.pk)])
    messages = {w.item_id: w.message for w in warnings}
    assert messages[early.pk] == (
        "“Welcome dinner” on May 11, 2026 is outside the visit's dates "
        "(May 12, 2026 – May 14, 2026)."
    )
    assert "“Excursion” on May 15, 2026" in messages[late.pk]


def test_an_item_ending_at_midnight_of_the_last_day_is_inside(visit, office_user):
    ProgrammeItemFactory(
        visit=visit,
        starts_at=at(datetime.date(2026, 5, 14), 22),
        ends_at=at(datetime.date(2026, 5, 15), 0),
    )
    assert programme_warnings(visit, user=office_user) == []


# --- Warnings: people ----------------------------------------------------------------------------


@pytest.fixture
def aigerim(db):
    return PersonFactory(name_native="Aigerim Bekova")


def test_a_person_in_two_overlapping_items_of_the_visit_is_warned_about_on_both(
    visit, aigerim, office_user
):
    tour = item(visit, 10, 11, title="Lab tour")
    lecture = item(visit, 10, 12, title="Lecture")  # shares 10:00–11:00
    tour.participants.add(aigerim)
    lecture.participants.add(aigerim)
    warnings = programme_warnings(visit, user=office_user)
    assert codes(warnings) == sorted(
        [(PERSON_BOOKED_TWICE, tour.pk), (PERSON_BOOKED_TWICE, lecture.pk)]
    )
    by_item = {w.item_id: w for w in warnings}
    assert by_item[tour.pk].message == (
        "Aigerim Bekova also takes part in “Lecture” at the same time (10:00–12:00 Asia/Almaty)."
    )
    assert by_item[tour.pk].other_title == "Lecture"
    assert by_item[lecture.pk].other_title == "Lab tour"
    assert by_item[tour.pk].other_url.endswith(f"/programme/#item-{lecture.uid}")


def test_touching_items_do_not_book_a_person_twice(visit, aigerim, office_user):
    first = item(visit, 10, 11)
    second = item(visit, 11, 12)
    first.participants.add(aigerim)
    second.participants.add(aigerim)
    assert programme_warnings(visit, user=office_user) == []


def test_different_people_in_parallel_items_are_fine(visit, aigerim, office_user):
    item(visit, 10, 11).participants.add(aigerim)
    item(visit, 10, 11).participants.add(PersonFactory())
    assert programme_warnings(visit, user=office_user) == []


def test_the_responsible_person_counts_as_booked(visit, aigerim, office_user):
    signing = item(visit, 10, 11, title="Signing", responsible=aigerim)
    tour = item(visit, 10, 11, title="Tour")
    tour.participants.add(aigerim)
    assert codes(programme_warnings(visit, user=office_user)) == sorted(
        [(PERSON_BOOKED_TWICE, signing.pk), (PERSON_BOOKED_TWICE, tour.pk)]
    )


def test_several_shared_people_are_named_in_one_warning(visit, aigerim, office_user):
    jan = PersonFactory(name_native="Jan Kowalski")
    first = item(visit, 10, 11, title="First")
    second = item(visit, 10, 11, title="Second")
    first.participants.add(aigerim, jan)
    second.participants.add(aigerim, jan)
    warning = item_warnings(first, user=office_user)[0]
    assert warning.message == (
        "Aigerim Bekova, Jan Kowalski also take part in “Second” at the same time "
        "(10:00–11:00 Asia/Almaty)."
    )


def test_a_person_booked_in_another_visit_at_the_same_time_is_a_warning(
    visit, aigerim, office_user
):
    other_visit = VisitFactory(title="AGH delegation")
    mine = item(visit, 10, 11, title="Round table")
    theirs = item(other_visit, 10, 12, title="Lecture at AGH")
    mine.participants.add(aigerim)
    theirs.participants.add(aigerim)
    [warning] = programme_warnings(visit, user=office_user)
    assert warning.code == PERSON_BOOKED_TWICE
    assert warning.item_id == mine.pk
    assert "“Lecture at AGH” of the visit “AGH delegation”" in warning.message
    assert warning.other_url.endswith(f"/visits/{other_visit.uuid}/programme/#item-{theirs.uid}")
    # and the other visit is told too
    assert codes(programme_warnings(other_visit, user=office_user)) == [
        (PERSON_BOOKED_TWICE, theirs.pk)
    ]


def test_a_person_in_a_meeting_at_the_same_time_is_a_warning(visit, aigerim, office_user):
    mine = item(visit, 10, 11, title="Lab tour")
    mine.participants.add(aigerim)
    meeting = MeetingFactory(
        visit=None, title="Senate", starts_at=at(MAY_12, 10, 30), ends_at=at(MAY_12, 12)
    )
    meeting.participants.add(aigerim)
    [warning] = programme_warnings(visit, user=office_user)
    assert warning.code == PERSON_BOOKED_TWICE
    assert "the meeting “Senate”" in warning.message


def test_meetings_touching_or_elsewhere_in_time_are_fine(visit, aigerim, office_user):
    item(visit, 10, 11).participants.add(aigerim)
    for starts, ends in [(at(MAY_12, 11), at(MAY_12, 12)), (at(MAY_12, 9), at(MAY_12, 10))]:
        MeetingFactory(visit=None, starts_at=starts, ends_at=ends).participants.add(aigerim)
    # a meeting without an end occupies its start: at 11:00 it starts as the item ends
    MeetingFactory(visit=None, starts_at=at(MAY_12, 11), ends_at=None).participants.add(aigerim)
    assert programme_warnings(visit, user=office_user) == []
    MeetingFactory(visit=None, starts_at=at(MAY_12, 10, 45), ends_at=None).participants.add(aigerim)
    assert codes(programme_warnings(visit, user=office_user)) == [
        (PERSON_BOOKED_TWICE, visit.programme.get().pk)
    ]


def test_the_visits_own_meeting_starting_with_an_item_is_that_item_not_a_clash(
    visit, aigerim, office_user
):
    round_table = item(visit, 10, 12, title="Round table", place="Senate hall")
    round_table.participants.add(aigerim)
    minutes = MeetingFactory(
        visit=visit, starts_at=at(MAY_12, 10), ends_at=at(MAY_12, 12), place="Senate hall"
    )
    minutes.participants.add(aigerim)
    assert programme_warnings(visit, user=office_user) == []


# --- Warnings: rooms -----------------------------------------------------------------------------


def test_the_same_room_at_the_same_time_across_visits_is_a_warning(visit, office_user):
    mine = item(visit, 10, 11, title="Round table", place="Senate Hall, room 101")
    item(VisitFactory(title="Other"), 10, 12, title="Exam", place="  senate hall,  ROOM 101 ")
    [warning] = programme_warnings(visit, user=office_user)
    assert (warning.code, warning.item_id) == (ROOM_BOOKED_TWICE, mine.pk)
    assert warning.message == (
        "Senate Hall, room 101 is also booked for “Exam” of the visit “Other” at the same time "
        "(10:00–12:00 Asia/Almaty)."
    )


def test_rooms_touching_different_or_empty_are_fine(visit, office_user):
    item(visit, 10, 11, place="Room 101")
    item(visit, 11, 12, place="room 101")
    item(visit, 10, 11, place="Room 102")
    item(visit, 10, 11, place="")
    item(visit, 10, 11, place="")
    assert programme_warnings(visit, user=office_user) == []


def test_a_meetings_room_counts(visit, office_user):
    mine = item(visit, 10, 11, place="Room 101")
    MeetingFactory(visit=None, starts_at=at(MAY_12, 9), ends_at=at(MAY_12, 10, 1), place="ROOM 101")
    assert codes(programme_warnings(visit, user=office_user)) == [(ROOM_BOOKED_TWICE, mine.pk)]


# --- Warnings: what a user may see ---------------------------------------------------------------


def test_a_clash_with_a_visit_the_user_may_not_see_is_not_named(
    visit, aigerim, coordinator_user, office_user, economics
):
    secret = VisitFactory(title="Secret talks", is_confidential=True)
    secret.home_units.add(economics)
    mine = item(visit, 10, 11)
    theirs = item(secret, 10, 11, title="Negotiation", place="Room 7")
    mine.participants.add(aigerim)
    theirs.participants.add(aigerim)
    mine.place = "Room 7"
    mine.save()
    for warning in programme_warnings(visit, user=coordinator_user):
        assert "Secret" not in warning.message and "Negotiation" not in warning.message
        assert "another event you may not see" in warning.message
        assert warning.other_title == warning.other_url == ""
    office = programme_warnings(visit, user=office_user)
    assert len(office) == 2
    assert all("“Negotiation” of the visit “Secret talks”" in w.message for w in office)


# --- Query counts --------------------------------------------------------------------------------


def busy_programme(visit, size: int) -> None:
    """``size`` items, each clashing with a person, a room and a meeting."""
    other = VisitFactory()
    for n in range(size):
        person = PersonFactory()
        ParticipantFactory(visit=visit, person=person)
        mine = item(visit, 8 + n % 10, 9 + n % 10, place=f"Room {n}")
        mine.participants.add(person)
        theirs = item(other, 8 + n % 10, 9 + n % 10, place=f"room {n}", responsible=person)
        theirs.participants.add(PersonFactory())
        MeetingFactory(visit=None, starts_at=mine.starts_at, ends_at=mine.ends_at).participants.add(
            person
        )
    item(visit, 10, 11, day=datetime.date(2026, 5, 20))  # outside the dates


@pytest.mark.parametrize("size", [2, 12])
def test_the_warnings_take_a_constant_number_of_queries(
    visit, size, coordinator_user, django_assert_num_queries
):
    busy_programme(visit, size)
    assert coordinator_user.unit_scope_ids  # read once per request, before any page needs it
    # items, their participants, other items, theirs, meetings, theirs, visible visits, meetings
    with django_assert_num_queries(8):
        warnings = programme_warnings(visit, user=coordinator_user)
    assert sum(w.code == ROOM_BOOKED_TWICE for w in warnings) == size
    assert sum(w.code == OUTSIDE_DATES for w in warnings) == 1
    assert sum(w.code == PERSON_BOOKED_TWICE for w in warnings) >= 2 * size


def test_item_warnings_are_those_of_the_item(visit, aigerim, office_user):
    first = item(visit, 10, 11, place="Room 1")
    second = item(visit, 10, 11, place="room 1")
    third = item(visit, 10, 11, day=datetime.date(2026, 5, 20))
    assert codes(item_warnings(first, user=office_user)) == [(ROOM_BOOKED_TWICE, first.pk)]
    assert codes(item_warnings(second, user=office_user)) == [(ROOM_BOOKED_TWICE, second.pk)]
    assert codes(item_warnings(third, user=office_user)) == [(OUTSIDE_DATES, third.pk)]
