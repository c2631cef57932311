"""The visits JSON API: visits and their status, participants, programme, permissions and the
schema (meetings and action items: ``unibridge/meetings/tests/test_api.py``).

A record the user may not see answers 404; one they see but may not change answers 403; an
action the visit's status does not allow answers 409 {"error": "invalid_transition"}; a stale
version answers 409 {"error": "conflict", "current": …}.
"""

import datetime

import pytest
import yaml
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.agreements.models import Agreement, AgreementType
from unibridge.institutions.models import Person
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory
from unibridge.meetings.models import Meeting
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.visits.models import ChecklistTemplateItem, ProgrammeItem, Visit, VisitParticipant
from unibridge.visits.tests.factories import (
    ChecklistItemFactory,
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
)

LIST_URL = reverse("api-visit-list")
MEETINGS_URL = reverse("api-meeting-list")
ACTION_ITEMS_URL = reverse("api-action-item-list")
TODAY = timezone.localdate()


def api_for(user) -> APIClient:
    """A client that authenticates with the user's API token (anonymous for None)."""
    client = APIClient()
    client.default_format = "json"  # the API reads JSON only
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"error", "detail"}, body
    if code:
        assert body["error"] == code, body
    return body


def visit_url(visit, action: str = "") -> str:
    url = reverse("api-visit-detail", args=[visit.uuid])
    return f"{url}{action}/" if action else url


def participants_url(visit, participant=None) -> str:
    if participant is None:
        return reverse("api-visit-participant-list", args=[visit.uuid])
    return reverse("api-visit-participant-detail", args=[visit.uuid, participant.pk])


def programme_url(visit, item=None) -> str:
    if item is None:
        return reverse("api-visit-programme-list", args=[visit.uuid])
    return reverse("api-visit-programme-detail", args=[visit.uuid, item.uid])


def meeting_url(meeting) -> str:
    return reverse("api-meeting-detail", args=[meeting.uuid])


def action_item_url(item) -> str:
    return reverse("api-action-item-detail", args=[item.uuid])


def make_visit(home, partner, *, units=(), direction="incoming", **fields) -> Visit:
    if direction == "incoming":
        fields.setdefault("visiting_institution", partner)
        fields.setdefault("host_institution", home)
    else:
        fields.setdefault("visiting_institution", home)
        fields.setdefault("host_institution", partner)
    visit = VisitFactory(direction=direction, **fields)
    visit.home_units.set(units)
    return visit


def version(record) -> str:
    record.refresh_from_db()
    return record.updated.isoformat()


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow", country="PL", city="Kraków")


@pytest.fixture
def visit(home, agh, engineering):
    return make_visit(home, agh, units=[engineering], title="AGH delegation")


# --- Visits: reads -------------------------------------------------------------------------------


def test_it_requires_authentication(db):
    assert_error(api_for(None).get(LIST_URL), 401)


@pytest.mark.parametrize("size", [2, 8])
def test_the_list_runs_the_same_number_of_queries_whatever_its_length(
    size, viewer_user, home, engineering, economics, django_assert_num_queries
):
    for _n in range(size):
        visit = make_visit(home, InstitutionFactory(), units=[engineering, economics])
        ParticipantFactory(visit=visit)
        ProgrammeItemFactory(visit=visit)
        MeetingFactory(visit=visit)
    client = api_for(viewer_user)
    # token, count, page, home units
    with django_assert_num_queries(4):
        response = client.get(LIST_URL)
    rows = response.json()["results"]
    assert len(rows) == size
    assert len(rows[0]["home_units"]) == 2
    # list rows are summaries: people and programme are read from the detail
    assert "participants" not in rows[0] and "programme" not in rows[0]


def test_the_list_filters_as_the_page_does_and_orders_as_asked(viewer_user, home, agh):
    german = InstitutionFactory(country="DE")
    incoming = make_visit(home, agh, title="B from AGH")
    outgoing = make_visit(
        home,
        german,
        direction="outgoing",
        title="A to Germany",
        status="confirmed",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 9, 5),
    )
    client = api_for(viewer_user)

    def titles(params) -> list[str]:
        response = client.get(LIST_URL, params)
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles({"direction": "outgoing"}) == [outgoing.title]
    assert titles({"status": "confirmed"}) == [outgoing.title]
    assert titles({"partner": str(agh.uuid)}) == [incoming.title]
    assert titles({"partner": str(german.uuid)}) == [outgoing.title]  # the host of an outgoing
    assert titles({"date_from": "2026-08-01"}) == [outgoing.title]
    assert titles({"date_to": "2026-06-01"}) == [incoming.title]
    assert titles({"ordering": "title"}) == [outgoing.title, incoming.title]
    assert titles({"ordering": "-title"}) == [incoming.title, outgoing.title]


def test_a_bad_filter_value_is_a_json_field_error(viewer_user, db):
    body = assert_error(api_for(viewer_user).get(LIST_URL, {"status": "nope"}), 400, "invalid")
    assert "status" in body["fields"]


def test_the_detail_shows_people_agreements_checklist_programme_and_meetings(
    office_user, home, agh, visit
):
    member = ParticipantFactory(
        visit=visit,
        person=PersonFactory(name_native="Jan Kowalski", institution=agh),
        role="head",
        nationality="PL",
        passport_number="EA1234567",
    )
    ChecklistItemFactory(visit=visit, name="Hotel", due_on=TODAY - datetime.timedelta(days=1))
    item = ProgrammeItemFactory(visit=visit, title="Round table", place="Room 101")
    meeting = MeetingFactory(visit=visit, title="Round table minutes")
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"), reference="MoU-2026-001", title="M"
    )
    visit.agreements.add(agreement)
    responsible = PersonFactory(institution=home)
    visit.responsible_people.add(responsible)

    body = api_for(office_user).get(visit_url(visit)).json()
    assert body["id"] == str(visit.uuid)
    assert body["direction"] == "incoming" and body["status"] == "planned"
    assert body["partner"] == {"id": str(agh.uuid), "name": agh.display_name}
    assert body["visiting_institution"] == str(agh.uuid)
    assert body["host_institution"] == str(home.uuid)
    assert body["agreements"] == [str(agreement.uuid)]
    assert body["responsible_people"] == [str(responsible.uuid)]
    [participant] = body["participants"]
    assert participant["id"] == member.pk
    assert participant["person"]["name"] == "Jan Kowalski"
    assert participant["institution"]["id"] == str(agh.uuid)
    assert participant["role"] == "head"
    assert participant["passport_number"] == "EA1234567"
    [task] = body["checklist"]
    assert task["name"] == "Hotel" and task["is_overdue"] is True
    [row] = body["programme"]
    assert row["id"] == str(item.uid)
    assert row["starts_at"] == "2026-05-12T10:00:00+05:00"  # the host's zone, Asia/Almaty
    assert [m["id"] for m in body["meetings"]] == [str(meeting.uuid)]


def test_passport_details_are_answered_only_to_those_who_may_change_the_visit(viewer_user, visit):
    ParticipantFactory(visit=visit, nationality="PL", passport_number="EA1234567")
    [participant] = api_for(viewer_user).get(visit_url(visit)).json()["participants"]
    assert participant["passport_number"] is None and participant["nationality"] is None
    [row] = api_for(viewer_user).get(participants_url(visit)).json()
    assert row["passport_number"] is None


def test_a_confidential_visit_is_not_found_by_outsiders(
    viewer_user, other_coordinator_user, coordinator_user, visit
):
    visit.is_confidential = True
    visit.save()
    for outsider in (viewer_user, other_coordinator_user):
        client = api_for(outsider)
        assert_error(client.get(visit_url(visit)), 404)
        assert client.get(LIST_URL).json()["results"] == []
        assert_error(client.get(programme_url(visit)), 404)
        assert_error(client.post(visit_url(visit, "confirm")), 404)
    # the coordinator of its home unit sees it
    assert api_for(coordinator_user).get(visit_url(visit)).status_code == 200


def test_a_malformed_id_is_not_found(viewer_user, db):
    assert_error(api_for(viewer_user).get("/api/v1/visits/not-a-uuid/"), 404)


# --- Visits: writes ------------------------------------------------------------------------------


def test_the_office_plans_a_visit_and_its_checklist_is_made_from_the_template(
    office_user, home, agh, engineering
):
    templates = ChecklistTemplateItem.objects.filter(direction="incoming", is_active=True)
    assert templates.exists()
    response = api_for(office_user).post(
        LIST_URL,
        {
            "direction": "incoming",
            "partner": str(agh.uuid),
            "title": "AGH delegation",
            "home_units": [str(engineering.uuid)],
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
            "time_zone": "Asia/Almaty",
            "purpose": "Round table",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    visit = Visit.objects.get(uuid=body["id"])
    assert visit.visiting_institution == agh and visit.host_institution == home
    assert body["status"] == "planned"
    assert body["home_units"] == [str(engineering.uuid)]
    assert len(body["checklist"]) == templates.count() == visit.checklist.count()
    assert LogEntry.objects.get_for_object(visit).get().actor == office_user


def test_an_outgoing_visit_is_hosted_by_the_partner_and_may_name_a_partner_unit(
    office_user, home, agh
):
    faculty = UnitFactory(institution=agh, name="Faculty of Metals Engineering")
    response = api_for(office_user).post(
        LIST_URL,
        {
            "direction": "outgoing",
            "partner": str(agh.uuid),
            "title": "To Kraków",
            "host_unit": str(faculty.uuid),
            "start_date": "2026-10-01",
            "end_date": "2026-10-03",
            "time_zone": "Europe/Warsaw",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    visit = Visit.objects.get(uuid=response.json()["id"])
    assert visit.visiting_institution == home and visit.host_institution == agh
    assert visit.host_unit == faculty
    assert ChecklistTemplateItem.objects.filter(direction="outgoing").count() == (
        visit.checklist.count()
    )


def test_bad_visit_input_is_answered_at_its_fields_and_writes_nothing(office_user, home, agh):
    response = api_for(office_user).post(
        LIST_URL,
        {
            "direction": "incoming",
            "partner": str(agh.uuid),
            "title": "Backwards",
            "start_date": "2026-05-14",
            "end_date": "2026-05-12",
            "time_zone": "Mars/Olympus",
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) >= {"end_date", "time_zone"}
    assert not Visit.objects.exists()


def test_the_home_institution_cannot_be_the_partner(office_user, home):
    response = api_for(office_user).post(
        LIST_URL,
        {
            "direction": "incoming",
            "partner": str(home.uuid),
            "title": "Ourselves",
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
        },
        format="json",
    )
    assert "partner" in assert_error(response, 400)["fields"]


def test_a_change_with_the_current_version_is_saved_and_a_stale_one_answers_409(office_user, visit):
    client = api_for(office_user)
    stale = version(visit)
    response = client.patch(
        visit_url(visit), {"title": "AGH delegation, May", "version": stale}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "AGH delegation, May"
    assert response.json()["home_units"] == [str(u.uuid) for u in visit.home_units.all()]

    response = client.patch(visit_url(visit), {"title": "Overwritten", "version": stale})
    body = assert_error(response, 409, "conflict")
    assert body["current"]["title"] == "AGH delegation, May"
    visit.refresh_from_db()
    assert visit.title == "AGH delegation, May"


def test_a_put_needs_the_version_and_a_patch_does_not(office_user, visit):
    client = api_for(office_user)
    body = assert_error(client.put(visit_url(visit), {"title": "X"}), 428, "version_required")
    assert "'version'" in body["detail"]
    visit.refresh_from_db()
    assert visit.title == "AGH delegation"
    response = client.patch(visit_url(visit), {"title": "X"})
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert (visit.title, visit.purpose) == ("X", "Round table on joint research")


def test_a_visits_meetings_follow_its_confidentiality(office_user, visit):
    meeting = MeetingFactory(visit=visit)
    response = api_for(office_user).patch(
        visit_url(visit), {"is_confidential": True, "version": version(visit)}
    )
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert meeting.is_confidential is True


def test_the_status_moves_through_the_actions_and_an_illegal_one_answers_409(office_user, visit):
    client = api_for(office_user)
    assert_error(client.post(visit_url(visit, "complete")), 409, "invalid_transition")
    for action, status in (
        ("confirm", "confirmed"),
        ("start", "ongoing"),
        ("complete", "completed"),
    ):
        response = client.post(visit_url(visit, action))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    assert_error(client.post(visit_url(visit, "cancel"), {"reason": "Late"}), 409)
    visit.refresh_from_db()
    assert visit.status == "completed"


def test_cancelling_needs_a_reason(office_user, visit):
    client = api_for(office_user)
    body = assert_error(client.post(visit_url(visit, "cancel"), {"reason": " "}), 400)
    assert "reason" in body["fields"]
    response = client.post(visit_url(visit, "cancel"), {"reason": "Visa refused"})
    assert response.status_code == 200, response.content
    assert response.json()["cancellation_reason"] == "Visa refused"


def test_a_planned_visit_is_deleted_and_others_stay_on_record(office_user, home, agh, visit):
    client = api_for(office_user)
    completed = make_visit(home, agh, status="completed")
    assert_error(client.delete(visit_url(completed)), 409, "invalid_transition")
    with_meeting = make_visit(home, agh)
    MeetingFactory(visit=with_meeting)
    assert_error(client.delete(visit_url(with_meeting)), 409, "protected")
    assert client.delete(visit_url(visit)).status_code == 204
    assert set(Visit.objects.all()) == {completed, with_meeting}


# --- Permissions ---------------------------------------------------------------------------------


def test_a_viewer_reads_but_every_write_answers_403(viewer_user, home, agh, visit):
    client = api_for(viewer_user)
    assert client.get(visit_url(visit)).status_code == 200
    new_visit = {
        "direction": "incoming",
        "partner": str(agh.uuid),
        "title": "X",
        "start_date": "2026-05-12",
        "end_date": "2026-05-14",
    }
    assert_error(client.post(LIST_URL, new_visit), 403)
    assert_error(client.patch(visit_url(visit), {"title": "X", "version": version(visit)}), 403)
    assert_error(client.post(visit_url(visit, "confirm")), 403)
    assert_error(client.delete(visit_url(visit)), 403)
    assert_error(client.post(participants_url(visit), {"new_person": {"name_native": "X"}}), 403)
    item = {"title": "X", "starts_at": "2026-05-12T10:00", "ends_at": "2026-05-12T11:00"}
    assert_error(client.post(programme_url(visit), item), 403)
    meeting = {"visit": str(visit.uuid), "title": "X", "starts_at": "2026-05-12T10:00"}
    assert_error(client.post(MEETINGS_URL, meeting), 403)
    visit.refresh_from_db()
    assert visit.title == "AGH delegation" and visit.status == "planned"
    assert not Person.objects.exists() and not Meeting.objects.exists()


def test_the_coordinator_of_the_visits_unit_changes_it_and_others_may_not(
    coordinator_user, other_coordinator_user, visit
):
    response = api_for(other_coordinator_user).patch(
        visit_url(visit), {"title": "Theirs", "version": version(visit)}
    )
    assert_error(response, 403)
    client = api_for(coordinator_user)
    response = client.patch(visit_url(visit), {"title": "Ours", "version": version(visit)})
    assert response.status_code == 200, response.content
    assert client.post(visit_url(visit, "confirm")).json()["status"] == "confirmed"


def test_a_coordinator_must_keep_one_of_their_units(coordinator_user, economics, visit):
    response = api_for(coordinator_user).patch(
        visit_url(visit), {"home_units": [str(economics.uuid)], "version": version(visit)}
    )
    assert "home_units" in assert_error(response, 400)["fields"]


# --- Participants --------------------------------------------------------------------------------


def test_a_member_from_the_directory_and_a_new_person_are_added(office_user, agh, visit):
    client = api_for(office_user)
    known = PersonFactory(name_native="Anna Nowak", institution=agh)
    response = client.post(
        participants_url(visit),
        {
            "person": str(known.uuid),
            "role": "head",
            "needs_visa_invitation": True,
            "nationality": "pl",
            "passport_number": "EA1234567",
            "date_of_birth": "1975-04-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["id"] == str(known.uuid)
    assert body["side"] == "delegation" and body["role"] == "head"
    assert body["nationality"] == "PL"

    response = client.post(
        participants_url(visit),
        {"new_person": {"name_native": "Piotr Zieliński", "position": "Dean"}, "role": "member"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = Person.objects.get(name_native="Piotr Zieliński")
    assert created.institution == agh and created.position == "Dean"
    assert response.json()["person"]["id"] == str(created.uuid)
    assert [row["person"]["id"] for row in client.get(participants_url(visit)).json()] == [
        str(known.uuid),
        str(created.uuid),
    ]


def test_participant_rules_answer_at_their_fields_and_write_nothing(office_user, agh, visit):
    client = api_for(office_user)
    ParticipantFactory(visit=visit, person=PersonFactory(institution=agh), role="head")
    known = PersonFactory(institution=agh)
    cases = [
        ({"person": str(known.uuid), "role": "head"}, "role"),
        ({"person": str(known.uuid), "needs_visa_invitation": True}, "passport_number"),
        (
            {"person": str(known.uuid), "new_person": {"name_native": "Both"}},
            "new_person.name_native",
        ),
        ({}, "person"),
        ({"new_person": {"name_native": "X", "email": "not-an-email"}}, "new_person.email"),
        ({"side": "home", "person": str(known.uuid), "role": "head"}, "role"),
    ]
    for data, field in cases:
        body = assert_error(client.post(participants_url(visit), data, format="json"), 400)
        assert field in body["fields"], (data, body)
    assert visit.participants.count() == 1
    assert not Person.objects.filter(name_native__in=["Both", "X"]).exists()


def test_a_participant_is_changed_with_its_version_and_removed(office_user, agh, visit):
    client = api_for(office_user)
    participant = ParticipantFactory(visit=visit, person=PersonFactory(institution=agh))
    stale = version(participant)
    response = client.patch(
        participants_url(visit, participant), {"function": "Moderator", "version": stale}
    )
    assert response.status_code == 200, response.content
    assert response.json()["function"] == "Moderator"
    response = client.patch(
        participants_url(visit, participant), {"function": "Lost", "version": stale}
    )
    assert assert_error(response, 409, "conflict")["current"]["function"] == "Moderator"
    assert client.delete(participants_url(visit, participant)).status_code == 204
    assert not VisitParticipant.objects.exists()
    assert Person.objects.filter(pk=participant.person_id).exists()


# --- Programme -----------------------------------------------------------------------------------


@pytest.fixture
def warsaw_visit(home, agh, engineering):
    # the clocks move forward in Warsaw at 02:00 on Sunday 29 March 2026
    return make_visit(
        home,
        agh,
        units=[engineering],
        direction="outgoing",
        time_zone="Europe/Warsaw",
        start_date=datetime.date(2026, 3, 27),
        end_date=datetime.date(2026, 3, 30),
    )


def test_local_times_across_the_spring_change_are_read_in_the_visits_zone(
    office_user, warsaw_visit
):
    client = api_for(office_user)
    before = client.post(
        programme_url(warsaw_visit),
        {"title": "Lab tour", "kind": "lab_tour", "starts_at": "2026-03-28T10:00",
         "ends_at": "2026-03-28T11:30"},
        format="json",
    )  # fmt: skip
    after = client.post(
        programme_url(warsaw_visit),
        {"title": "Round table", "kind": "round_table", "starts_at": "2026-03-29T10:00",
         "ends_at": "2026-03-29T12:00"},
        format="json",
    )  # fmt: skip
    assert before.status_code == after.status_code == 201, (before.content, after.content)
    utc = datetime.UTC
    stored = {i.title: i for i in ProgrammeItem.objects.all()}
    assert stored["Lab tour"].starts_at == datetime.datetime(2026, 3, 28, 9, 0, tzinfo=utc)
    assert stored["Round table"].starts_at == datetime.datetime(2026, 3, 29, 8, 0, tzinfo=utc)
    assert before.json()["starts_at"] == "2026-03-28T10:00:00+01:00"
    assert after.json()["starts_at"] == "2026-03-29T10:00:00+02:00"
    assert after.json()["starts_local"] == "2026-03-29T10:00"
    assert after.json()["ends_local"] == "2026-03-29T12:00"
    assert after.json()["time_zone"] == "Europe/Warsaw"
    assert after.json()["warnings"] == []


def test_an_instant_with_an_offset_is_kept_and_shown_in_the_hosts_zone(office_user, warsaw_visit):
    response = api_for(office_user).post(
        programme_url(warsaw_visit),
        {"title": "Call", "starts_at": "2026-03-29T07:00:00Z",
         "ends_at": "2026-03-29T09:00:00+01:00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["starts_at"] == "2026-03-29T09:00:00+02:00"
    assert response.json()["ends_at"] == "2026-03-29T10:00:00+02:00"


def test_a_skipped_time_and_an_end_not_after_the_start_are_refused(office_user, warsaw_visit):
    client = api_for(office_user)
    skipped = {"title": "Night", "starts_at": "2026-03-29T02:30", "ends_at": "2026-03-29T04:00"}
    body = assert_error(client.post(programme_url(warsaw_visit), skipped, format="json"), 400)
    assert "clocks move forward" in body["fields"]["starts_at"][0]
    backwards = {"title": "Back", "starts_at": "2026-03-28T11:00", "ends_at": "2026-03-28T10:00"}
    body = assert_error(client.post(programme_url(warsaw_visit), backwards, format="json"), 400)
    assert list(body["fields"]) == ["ends_at"]
    bad = {"title": "Bad", "starts_at": "tomorrow", "ends_at": "2026-03-28"}
    body = assert_error(client.post(programme_url(warsaw_visit), bad, format="json"), 400)
    assert set(body["fields"]) == {"starts_at", "ends_at"}
    assert not ProgrammeItem.objects.exists()


def test_the_answers_carry_the_warnings(office_user, warsaw_visit):
    client = api_for(office_user)
    speaker = PersonFactory()
    first = {"title": "Lecture", "starts_at": "2026-03-28T10:00", "ends_at": "2026-03-28T11:00",
             "place": "Room 101", "participants": [str(speaker.uuid)]}  # fmt: skip
    assert client.post(programme_url(warsaw_visit), first, format="json").status_code == 201
    clash = {**first, "title": "Seminar", "ends_at": "2026-03-28T12:00"}
    response = client.post(programme_url(warsaw_visit), clash, format="json")
    assert response.status_code == 201, response.content
    codes = {w["code"] for w in response.json()["warnings"]}
    assert codes == {"person_booked_twice", "room_booked_twice"}
    assert any("Lecture" in w["other_title"] for w in response.json()["warnings"])
    outside = {"title": "Dinner", "starts_at": "2026-04-02T19:00", "ends_at": "2026-04-02T21:00"}
    response = client.post(programme_url(warsaw_visit), outside, format="json")
    assert [w["code"] for w in response.json()["warnings"]] == ["outside_dates"]
    listed = client.get(programme_url(warsaw_visit)).json()
    assert [row["title"] for row in listed] == ["Lecture", "Seminar", "Dinner"]
    assert {w["code"] for w in listed[0]["warnings"]} == {
        "person_booked_twice",
        "room_booked_twice",
    }


def test_an_item_is_changed_with_its_version_and_deleted(office_user, warsaw_visit):
    client = api_for(office_user)
    item = ProgrammeItemFactory(
        visit=warsaw_visit,
        title="Tour",
        starts_at=datetime.datetime(2026, 3, 28, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 3, 28, 10, tzinfo=datetime.UTC),
    )
    stale = version(item)
    response = client.patch(
        programme_url(warsaw_visit, item),
        {"ends_at": "2026-03-28T12:00", "version": stale},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["starts_local"] == "2026-03-28T10:00"  # kept
    assert response.json()["ends_local"] == "2026-03-28T12:00"
    response = client.patch(programme_url(warsaw_visit, item), {"title": "X", "version": stale})
    assert assert_error(response, 409, "conflict")["current"]["title"] == "Tour"
    response = client.patch(
        programme_url(warsaw_visit, item), {"ends_at": "2026-03-28T09:00", "version": version(item)}
    )
    assert "ends_at" in assert_error(response, 400)["fields"]
    assert client.delete(programme_url(warsaw_visit, item)).status_code == 204
    assert not ProgrammeItem.objects.exists()


# --- Schema --------------------------------------------------------------------------------------


def test_the_schema_describes_visits_meetings_and_action_items_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    assert set(paths["/api/v1/visits/"]) == {"get", "post"}
    assert set(paths["/api/v1/visits/{id}/"]) == {"get", "put", "patch", "delete"}
    for action in ("confirm", "start", "complete", "cancel"):
        assert "409" in paths[f"/api/v1/visits/{{id}}/{action}/"]["post"]["responses"]
    assert set(paths["/api/v1/visits/{id}/participants/{participant_id}/"]) >= {"patch", "delete"}
    assert set(paths["/api/v1/visits/{id}/programme/"]) == {"get", "post"}
    assert "409" in paths["/api/v1/visits/{id}/programme/{item_id}/"]["patch"]["responses"]
    assert set(paths["/api/v1/meetings/{id}/decisions/"]) == {"post"}
    assert "get" in paths["/api/v1/action-items/"]
    components = schema["components"]["schemas"]
    assert components["VisitStatus"]["enum"] == [
        "planned", "confirmed", "ongoing", "completed", "cancelled",
    ]  # fmt: skip
    assert "warnings" in components["ProgrammeItem"]["properties"]
