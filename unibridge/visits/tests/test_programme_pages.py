"""The programme tab and the pages to add, change and delete programme items."""

import datetime
import html
import re

import pytest
from django.test import Client

from unibridge.institutions.tests.factories import PersonFactory
from unibridge.visits.models import ProgrammeItem
from unibridge.visits.tests.factories import (
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
    at,
)

UTC = datetime.UTC
MAY_12 = datetime.date(2026, 5, 12)


@pytest.fixture
def visit(engineering):
    visit = VisitFactory(title="AGH delegation")
    visit.home_units.add(engineering)
    return visit


@pytest.fixture
def secret(economics):
    visit = VisitFactory(title="Secret talks", is_confidential=True)
    visit.home_units.add(economics)
    return visit


def add_url(visit) -> str:
    return f"/visits/{visit.uuid}/programme/add/"


def edit_url(item) -> str:
    return f"/visits/{item.visit.uuid}/programme/{item.uid}/edit/"


def delete_url(item) -> str:
    return f"/visits/{item.visit.uuid}/programme/{item.uid}/delete/"


def tab_url(visit) -> str:
    return f"/visits/{visit.uuid}/programme/"


def data(**fields) -> dict:
    values = {
        "kind": "round_table",
        "title": "Round table on joint research",
        "day": "2026-05-12",
        "start_time": "10:00",
        "end_time": "12:30",
        "place": "Senate hall",
        "online_link": "",
        "description": "",
    }
    values.update(fields)
    return values


def text(response) -> str:
    """The page's text with tags removed and spaces collapsed."""
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([:,.)])", r"\1", words)


# --- Adding --------------------------------------------------------------------------------------


def test_the_office_adds_an_item_in_the_hosts_time_zone(office_client, visit):
    person = PersonFactory(name_native="Aigerim Bekova")
    ParticipantFactory(visit=visit, person=person)
    response = office_client.post(
        add_url(visit), data(participants=[person.pk], responsible=person.pk)
    )
    item = visit.programme.get()
    assert response.status_code == 303
    assert response["Location"] == f"/visits/{visit.uuid}/programme/#item-{item.uid}"
    # 10:00 in Asia/Almaty (UTC+5)
    assert item.starts_at == datetime.datetime(2026, 5, 12, 5, tzinfo=UTC)
    assert item.ends_at == datetime.datetime(2026, 5, 12, 7, 30, tzinfo=UTC)
    assert item.kind == "round_table"
    assert item.responsible == person
    assert list(item.participants.all()) == [person]


def test_a_coordinator_of_the_visits_unit_adds_items(coordinator_client, visit):
    response = coordinator_client.post(add_url(visit), data())
    assert response.status_code == 303
    assert visit.programme.count() == 1


def test_the_form_offers_the_visits_participants_first(office_client, visit):
    head = ParticipantFactory(visit=visit, person=PersonFactory(name_native="Jan Kowalski"))
    response = office_client.get(add_url(visit))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'name="participants" value="{head.person.pk}"' in page
    assert "Participants of the visit:" in page
    assert f'<option value="{head.person.pk}">Jan Kowalski</option>' in page  # responsible
    assert "In the host&#x27;s time zone, Asia/Almaty." in page
    assert 'value="2026-05-12"' in page  # the first day


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(office_client, visit):
    response = office_client.post(add_url(visit), data(start_time="14:00", end_time="13:00"))
    assert response.status_code == 400
    assert "The end (13:00) must come after the start (14:00)." in text(response)
    assert not visit.programme.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day", "31.02.2026", "Enter a valid date."),
        ("start_time", "25:00", "Enter a valid time."),
        ("online_link", "not a link", "Enter a valid URL."),
        ("kind", "party", "Select a valid choice."),
        ("title", "", "This field is required."),
    ],
)
def test_bad_input_gets_a_specific_error(office_client, visit, field, value, message):
    response = office_client.post(add_url(visit), data(**{field: value}))
    assert response.status_code == 400
    assert message in text(response)
    assert not visit.programme.exists()


def test_a_person_the_user_may_not_see_cannot_be_chosen(coordinator_client, visit, economics):
    hidden = PersonFactory(is_confidential=True, unit=economics)
    response = coordinator_client.post(add_url(visit), data(participants=[hidden.pk]))
    assert response.status_code == 400
    assert not visit.programme.exists()


# --- Warnings after saving -----------------------------------------------------------------------


def test_a_save_with_a_clash_goes_to_the_form_showing_the_warning(office_client, visit):
    person = PersonFactory(name_native="Aigerim Bekova")
    tour = ProgrammeItemFactory(
        visit=visit, title="Lab tour", starts_at=at(MAY_12, 12), ends_at=at(MAY_12, 13)
    )
    tour.participants.add(person)
    response = office_client.post(add_url(visit), data(participants=[person.pk]))
    item = visit.programme.get(title="Round table on joint research")
    assert response.status_code == 303
    assert response["Location"] == edit_url(item)
    page = office_client.get(response["Location"])
    content = text(page)
    assert "Saved “Round table on joint research”, with warnings" in content
    assert "1 warning about this item" in content
    assert (
        "Aigerim Bekova also takes part in “Lab tour” at the same time (12:00–13:00 Asia/Almaty)."
        in content
    )


def test_an_item_outside_the_visit_is_saved_with_a_warning(office_client, visit):
    response = office_client.post(add_url(visit), data(day="2026-05-20", title="Excursion"))
    item = visit.programme.get()
    assert response["Location"] == edit_url(item)
    content = text(office_client.get(edit_url(item)))
    assert "“Excursion” on May 20, 2026 is outside the visit's dates" in content


# --- Editing and deleting ------------------------------------------------------------------------


def test_the_edit_form_shows_the_stored_times_in_the_hosts_zone(office_client, db):
    visit = VisitFactory(
        time_zone="Europe/Warsaw",
        start_date=datetime.date(2026, 3, 28),
        end_date=datetime.date(2026, 3, 30),
    )
    item = ProgrammeItemFactory(
        visit=visit,
        starts_at=datetime.datetime(2026, 3, 30, 8, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 3, 30, 9, 15, tzinfo=UTC),
    )
    page = office_client.get(edit_url(item)).content.decode()
    assert 'name="start_time" value="10:00"' in page
    assert 'name="end_time" value="11:15"' in page
    assert 'name="day" value="2026-03-30"' in page


def test_editing_keeps_the_uid_and_changes_the_times(office_client, visit):
    item = ProgrammeItemFactory(visit=visit, starts_at=at(MAY_12, 10), ends_at=at(MAY_12, 11))
    uid = item.uid
    response = office_client.post(
        edit_url(item),
        data(start_time="15:00", end_time="16:00", version=item.updated.isoformat()),
    )
    assert response.status_code == 303
    item.refresh_from_db()
    assert item.uid == uid
    assert item.starts_at == datetime.datetime(2026, 5, 12, 10, tzinfo=UTC)


def test_a_stale_form_does_not_overwrite_someone_elses_save(office_client, visit):
    item = ProgrammeItemFactory(visit=visit, title="Original")
    stale = item.updated.isoformat()
    ProgrammeItem.objects.filter(pk=item.pk).update(
        title="Theirs", updated=item.updated + datetime.timedelta(seconds=3)
    )
    response = office_client.post(edit_url(item), data(title="Mine", version=stale))
    assert response.status_code == 409
    assert "Someone else saved this item while you were editing it." in text(response)
    item.refresh_from_db()
    assert item.title == "Theirs"


def test_deleting_asks_then_deletes(office_client, visit):
    item = ProgrammeItemFactory(visit=visit, title="Gala dinner")
    confirm = office_client.get(delete_url(item))
    assert confirm.status_code == 200
    assert "Delete “Gala dinner” from the programme?" in text(confirm)
    assert ProgrammeItem.objects.filter(pk=item.pk).exists()
    response = office_client.post(delete_url(item))
    assert response.status_code == 303
    assert response["Location"] == tab_url(visit)
    assert not ProgrammeItem.objects.filter(pk=item.pk).exists()


def test_an_item_of_another_visit_is_not_found_under_this_one(office_client, visit):
    other = ProgrammeItemFactory()
    assert office_client.get(f"/visits/{visit.uuid}/programme/{other.uid}/edit/").status_code == 404
    assert office_client.post(
        f"/visits/{visit.uuid}/programme/{other.uid}/delete/"
    ).status_code == (404)
    assert ProgrammeItem.objects.filter(pk=other.pk).exists()


# --- Permissions ---------------------------------------------------------------------------------


def test_those_who_may_read_but_not_change_the_visit_are_forbidden(
    viewer_client, visit, db, other_coordinator_user
):
    item = ProgrammeItemFactory(visit=visit)
    other = Client()
    other.force_login(other_coordinator_user)
    for client in (viewer_client, other):
        assert client.get(add_url(visit)).status_code == 403
        assert client.post(add_url(visit), data()).status_code == 403
        assert client.get(edit_url(item)).status_code == 403
        assert client.post(edit_url(item), data(title="Changed")).status_code == 403
        assert client.post(delete_url(item)).status_code == 403
        assert client.get(tab_url(visit)).status_code == 200
    item.refresh_from_db()
    assert item.title != "Changed"
    assert visit.programme.count() == 1


def test_those_who_may_not_see_the_visit_get_not_found(coordinator_client, secret):
    item = ProgrammeItemFactory(visit=secret)
    for url in (add_url(secret), edit_url(item), delete_url(item), tab_url(secret)):
        assert coordinator_client.get(url).status_code == 404
    assert coordinator_client.post(delete_url(item)).status_code == 404
    assert ProgrammeItem.objects.filter(pk=item.pk).exists()


def test_the_pages_need_a_login(client, visit):
    response = client.get(add_url(visit))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The tab -------------------------------------------------------------------------------------


def test_the_tab_groups_items_by_the_hosts_day(office_client, visit):
    ProgrammeItemFactory(
        visit=visit, title="Welcome", starts_at=at(MAY_12, 9), ends_at=at(MAY_12, 9, 30)
    )
    ProgrammeItemFactory(
        visit=visit,
        title="Lab tour",
        kind="lab_tour",
        starts_at=at(datetime.date(2026, 5, 13), 2),  # 12 May in UTC, 13 May in Almaty
        ends_at=at(datetime.date(2026, 5, 13), 3),
    )
    response = office_client.get(tab_url(visit))
    days = response.context["programme_days"]
    assert [d["day"] for d in days] == [MAY_12, datetime.date(2026, 5, 13)]
    assert [[r["item"].title for r in d["rows"]] for d in days] == [["Welcome"], ["Lab tour"]]
    content = text(response)
    assert "Tuesday, May 12, 2026" in content
    assert "Wednesday, May 13, 2026" in content
    assert "02:00–03:00 Asia/Almaty" in content
    assert "Laboratory tour" in content


def test_the_tab_shows_the_viewers_time_when_it_differs(office_client, visit, settings):
    ProgrammeItemFactory(visit=visit, starts_at=at(MAY_12, 10), ends_at=at(MAY_12, 11))
    ProgrammeItemFactory(visit=visit, starts_at=at(MAY_12, 1), ends_at=at(MAY_12, 2))
    settings.TIME_ZONE = "Europe/Warsaw"  # the viewer's zone: UTC+2 in May, the host's UTC+5
    content = text(office_client.get(tab_url(visit)))
    assert "10:00–11:00 Asia/Almaty (07:00–08:00 your time)" in content
    # the viewer's day is named when it is not the host's
    assert "01:00–02:00 Asia/Almaty (May 11, 22:00–23:00 your time)" in content
    assert "Where your time zone (Europe/Warsaw) reads differently" in content


def test_the_tab_shows_one_time_when_the_viewer_is_in_the_hosts_zone(office_client, visit):
    ProgrammeItemFactory(visit=visit, starts_at=at(MAY_12, 10), ends_at=at(MAY_12, 11))
    content = text(office_client.get(tab_url(visit)))
    assert "10:00–11:00 Asia/Almaty" in content
    assert "your time" not in content


def test_the_tab_lists_the_warnings_naming_both_items(office_client, visit):
    ProgrammeItemFactory(visit=visit, title="Lecture", place="Room 101")
    ProgrammeItemFactory(visit=visit, title="Exam", place="room 101")
    response = office_client.get(tab_url(visit))
    content = text(response)
    assert "2 warnings about the programme" in content
    assert "Lecture: Room 101 is also booked for “Exam” at the same time" in content
    assert "Exam: room 101 is also booked for “Lecture” at the same time" in content


def test_the_tab_offers_changes_only_to_editors(viewer_client, office_client, visit):
    item = ProgrammeItemFactory(visit=visit)
    assert edit_url(item) in office_client.get(tab_url(visit)).content.decode()
    assert add_url(visit) in office_client.get(tab_url(visit)).content.decode()
    page = viewer_client.get(tab_url(visit)).content.decode()
    assert edit_url(item) not in page
    assert add_url(visit) not in page
    assert f"/visits/{visit.uuid}/programme.ics" in page


def fill(visit, size: int) -> None:
    other = VisitFactory()
    for n in range(size):
        person = PersonFactory()
        ParticipantFactory(visit=visit, person=person)
        mine = ProgrammeItemFactory(
            visit=visit,
            starts_at=at(MAY_12 + datetime.timedelta(days=n % 3), 8 + n % 8),
            ends_at=at(MAY_12 + datetime.timedelta(days=n % 3), 9 + n % 8),
            place=f"Room {n}",
            responsible=PersonFactory(),
        )
        mine.participants.add(person, PersonFactory())
        ProgrammeItemFactory(
            visit=other, starts_at=mine.starts_at, ends_at=mine.ends_at, place=f"room {n}"
        ).participants.add(person)


@pytest.mark.parametrize("size", [2, 15])
def test_the_tab_takes_a_constant_number_of_queries(
    coordinator_client, visit, size, django_assert_num_queries
):
    fill(visit, size)
    with django_assert_num_queries(QUERIES_OF_THE_TAB):
        response = coordinator_client.get(tab_url(visit))
    assert response.status_code == 200
    assert len(response.context["programme_warnings"]) == 2 * size


# the session and user, the visit and its relations, the tab builders of the whole page, the
# items, their participants, and the warnings' queries (see test_programme.py)
QUERIES_OF_THE_TAB = 18


def test_a_refused_edit_keeps_the_stored_item_unchanged(office_client, visit):
    item = ProgrammeItemFactory(visit=visit, title="Lab tour")
    response = office_client.post(
        edit_url(item),
        data(
            title="Renamed",
            start_time="12:00",
            end_time="11:00",
            version=item.updated.isoformat(),
        ),
    )
    assert response.status_code == 400
    assert "Edit “Lab tour”" in text(response)
    assert 'value="Renamed"' in response.content.decode()  # what was typed stays in the form
    item.refresh_from_db()
    assert item.title == "Lab tour"
