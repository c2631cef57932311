"""The meetings JSON API: meetings with their minutes and decisions, action items, who may
read and change them, and the query counts of the lists (helpers: the visits API tests)."""

import datetime

import pytest
from django.urls import reverse

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
)
from unibridge.meetings.models import ActionItem, Decision, Meeting
from unibridge.meetings.tests.factories import ActionItemFactory, DecisionFactory, MeetingFactory
from unibridge.visits.tests.test_api import (
    ACTION_ITEMS_URL,
    MEETINGS_URL,
    TODAY,
    action_item_url,
    api_for,
    assert_error,
    make_visit,
    meeting_url,
    version,
)


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow", country="PL", city="Kraków")


@pytest.fixture
def visit(home, agh, engineering):
    return make_visit(home, agh, units=[engineering], title="AGH delegation")


# --- Meetings and decisions ----------------------------------------------------------------------


def test_minutes_sent_with_a_script_are_stored_sanitised(office_user, visit):
    client = api_for(office_user)
    response = client.post(
        MEETINGS_URL,
        {
            "visit": str(visit.uuid),
            "title": "Round table",
            "starts_at": "2026-05-12T10:00",
            "ends_at": "2026-05-12T12:00",
            "minutes": '<p onclick="steal()">Agreed <b>exchanges</b></p>'
            '<script>alert(document.cookie)</script><a href="javascript:evil()">x</a>',
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get(uuid=body["id"])
    for stored in (meeting.minutes, body["minutes"]):
        assert "<script" not in stored and "alert" not in stored
        assert "onclick" not in stored and "javascript:" not in stored
        assert "<b>exchanges</b>" in stored
    # a visit's meeting takes the visit's zone, partner and units
    assert body["time_zone"] == "Asia/Almaty"
    assert body["starts_at"] == "2026-05-12T10:00:00+05:00"
    assert body["partner"]["id"] == str(visit.partner.uuid)
    assert body["home_units"] == [str(u.uuid) for u in visit.home_units.all()]

    response = client.patch(
        meeting_url(meeting),
        {"minutes": "<p>ok</p><script>x()</script>", "version": version(meeting)},
    )
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>ok</p>"


@pytest.mark.parametrize("size", [2, 8])
def test_the_meeting_list_runs_the_same_number_of_queries_whatever_its_length(
    size, viewer_user, visit, django_assert_num_queries
):
    for _n in range(size):
        meeting = MeetingFactory(visit=visit, partner=visit.partner)
        meeting.participants.add(PersonFactory())
        DecisionFactory(meeting=meeting)
    client = api_for(viewer_user)
    with django_assert_num_queries(3):  # token, count, page with partner and visit
        response = client.get(MEETINGS_URL)
    rows = response.json()["results"]
    assert len(rows) == size and rows[0]["visit"] == str(visit.uuid)
    assert "minutes" not in rows[0]  # list rows are summaries


def test_a_visits_meeting_refuses_its_own_partner_and_secrecy(office_user, visit):
    response = api_for(office_user).post(
        MEETINGS_URL,
        {"visit": str(visit.uuid), "title": "X", "starts_at": "2026-05-12T10:00",
         "is_confidential": True},
        format="json",
    )  # fmt: skip
    assert "is_confidential" in assert_error(response, 400)["fields"]


def test_a_standalone_meeting_is_created_listed_changed_and_deleted(
    coordinator_user, engineering, agh
):
    client = api_for(coordinator_user)
    speaker = PersonFactory(institution=agh)
    response = client.post(
        MEETINGS_URL,
        {
            "title": "Online meeting",
            "kind": "online",
            "partner": str(agh.uuid),
            "home_units": [str(engineering.uuid)],
            "starts_at": "2026-10-25T02:30:00+01:00",  # the second 02:30 of the autumn change
            "time_zone": "Europe/Warsaw",
            "participants": [str(speaker.uuid)],
            "agenda": "Exchanges",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == "2026-10-25T02:30:00+01:00"
    assert body["participants"] == [{"id": str(speaker.uuid), "name": str(speaker)}]
    meeting = Meeting.objects.get(uuid=body["id"])
    assert meeting.starts_at == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)

    listed = client.get(MEETINGS_URL, {"partner": str(agh.uuid)}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    stale = version(meeting)
    response = client.patch(meeting_url(meeting), {"title": "Renamed", "version": stale})
    assert response.status_code == 200, response.content
    assert response.json()["participants"][0]["id"] == str(speaker.uuid)  # kept
    assert_error(client.patch(meeting_url(meeting), {"title": "Lost", "version": stale}), 409)
    assert client.delete(meeting_url(meeting)).status_code == 204
    assert not Meeting.objects.exists()


def test_a_coordinator_must_name_one_of_their_units_on_a_standalone_meeting(
    coordinator_user, economics, agh
):
    response = api_for(coordinator_user).post(
        MEETINGS_URL,
        {"title": "X", "partner": str(agh.uuid), "home_units": [str(economics.uuid)],
         "starts_at": "2026-05-12T10:00"},
        format="json",
    )  # fmt: skip
    assert "home_units" in assert_error(response, 400)["fields"]


def test_decisions_are_added_read_with_the_meeting_and_deleted(office_user, viewer_user, visit):
    meeting = MeetingFactory(visit=visit)
    DecisionFactory(meeting=meeting, text="First", order=0)
    client = api_for(office_user)
    url = reverse("api-meeting-decision-list", args=[meeting.uuid])
    response = client.post(url, {"text": "Sign a memorandum"})
    assert response.status_code == 201, response.content
    added = Decision.objects.get(pk=response.json()["id"])
    assert added.order == 1
    assert_error(client.post(url, {"text": "  "}), 400)
    assert_error(api_for(viewer_user).post(url, {"text": "No"}), 403)
    decisions = client.get(meeting_url(meeting)).json()["decisions"]
    assert [d["text"] for d in decisions] == ["First", "Sign a memorandum"]
    detail = reverse("api-meeting-decision-detail", args=[meeting.uuid, added.pk])
    assert client.patch(detail, {"text": "Sign the MoU"}).json()["text"] == "Sign the MoU"
    assert client.delete(detail).status_code == 204
    assert list(meeting.decisions.values_list("text", flat=True)) == ["First"]


# --- Action items --------------------------------------------------------------------------------


@pytest.fixture
def owner_user(db):
    user = UserFactory(username="owner", role=Role.VIEWER)
    PersonFactory(name_native="Owner Person", user=user)
    return user


def test_action_items_are_filtered_to_mine_and_overdue(office_user, owner_user, visit):
    meeting = MeetingFactory(visit=visit)
    owner = owner_user.person
    late = ActionItemFactory(meeting=meeting, owner=owner, due_on=TODAY - datetime.timedelta(1))
    mine_later = ActionItemFactory(
        meeting=meeting, owner=owner, due_on=TODAY + datetime.timedelta(9)
    )
    done_late = ActionItemFactory(
        meeting=meeting, due_on=TODAY - datetime.timedelta(5), status="done"
    )
    others = ActionItemFactory(meeting=meeting, due_on=TODAY - datetime.timedelta(2))

    def ids(user, params) -> set[str]:
        response = api_for(user).get(ACTION_ITEMS_URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(owner_user, {"mine": "1"}) == {str(late.uuid), str(mine_later.uuid)}
    assert ids(office_user, {"overdue": "1"}) == {str(late.uuid), str(others.uuid)}
    assert ids(owner_user, {"mine": "true", "overdue": "true"}) == {str(late.uuid)}
    assert ids(office_user, {}) == {str(i.uuid) for i in (late, mine_later, done_late, others)}
    row = api_for(owner_user).get(action_item_url(late)).json()
    assert row["is_overdue"] is True and row["meeting"]["id"] == str(meeting.uuid)


@pytest.mark.parametrize("size", [2, 8])
def test_the_action_item_list_runs_the_same_number_of_queries_whatever_its_length(
    size, office_user, visit, django_assert_num_queries
):
    for _n in range(size):
        ActionItemFactory(meeting=MeetingFactory(visit=visit), owner=PersonFactory())
    client = api_for(office_user)
    with django_assert_num_queries(3):  # token, count, page
        response = client.get(ACTION_ITEMS_URL)
    assert len(response.json()["results"]) == size


def test_an_owner_sees_their_item_of_a_hidden_meeting_without_the_meeting(owner_user, home, agh):
    secret = make_visit(home, agh, is_confidential=True)
    item = ActionItemFactory(meeting=MeetingFactory(visit=secret, is_confidential=True),
                             owner=owner_user.person)  # fmt: skip
    [row] = api_for(owner_user).get(ACTION_ITEMS_URL).json()["results"]
    assert row["id"] == str(item.uuid) and row["meeting"] is None


def test_an_action_item_is_created_on_a_meeting_and_changed_by_its_editors(
    coordinator_user, visit, agh
):
    partnership = PartnershipFactory(partner=agh)
    meeting = MeetingFactory(visit=visit)
    client = api_for(coordinator_user)
    response = client.post(
        ACTION_ITEMS_URL,
        {"meeting": str(meeting.uuid), "description": "Draft the exchange agreement",
         "due_on": "2026-06-30"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open" and body["partnership"] == str(partnership.uuid)
    item = ActionItem.objects.get(uuid=body["id"])
    response = client.patch(
        action_item_url(item),
        {"status": "done", "description": "Drafted", "version": version(item)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["completed_on"] == TODAY.isoformat()
    assert response.json()["description"] == "Drafted"
    assert client.delete(action_item_url(item)).status_code == 204


def test_the_owner_changes_only_the_status(owner_user, viewer_user, visit):
    item = ActionItemFactory(meeting=MeetingFactory(visit=visit), owner=owner_user.person)
    client = api_for(owner_user)
    response = client.patch(
        action_item_url(item), {"description": "Mine now", "version": version(item)}
    )
    assert_error(response, 403)
    stale = version(item)
    response = client.patch(action_item_url(item), {"status": "in_progress", "version": stale})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    assert_error(client.patch(action_item_url(item), {"status": "done", "version": stale}), 409)
    assert_error(client.delete(action_item_url(item)), 403)
    # someone who neither owns it nor may change the meeting
    assert_error(
        api_for(viewer_user).patch(action_item_url(item), {"status": "done", "version": stale}),
        403,
    )
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_action_items_go_only_on_meetings_one_may_change(
    viewer_user, other_coordinator_user, visit
):
    meeting = MeetingFactory(visit=visit)
    data = {"meeting": str(meeting.uuid), "description": "X"}
    assert_error(api_for(viewer_user).post(ACTION_ITEMS_URL, data), 403)
    assert_error(api_for(other_coordinator_user).post(ACTION_ITEMS_URL, data), 403)
    assert not ActionItem.objects.exists()
