"""Who may own an action item: the meeting's and its visit's participants and the home side's
people, on the page and through the API; an item without an owner says so."""

import datetime

import pytest
from django.utils import timezone

from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.meetings.models import ActionItem
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.meetings.tests.test_meetings import make_visit, standalone_meeting
from unibridge.visits.tests.factories import ParticipantFactory
from unibridge.visits.tests.test_api import (
    ACTION_ITEMS_URL,
    action_item_url,
    api_for,
    assert_error,
    version,
)

NOT_AN_OWNER = "cannot own this action item"


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow")


@pytest.fixture
def visit(home, engineering, agh):
    return make_visit(home, agh, units=[engineering])


@pytest.fixture
def meeting(visit, agh):
    return MeetingFactory(visit=visit, partner=agh, title="Round table")


@pytest.fixture
def member(visit, agh):
    """A delegation member who did not attend the round table."""
    person = PersonFactory(name_native="Jan Kowalski", institution=agh)
    ParticipantFactory(visit=visit, person=person)
    return person


@pytest.fixture
def colleague(home):
    """Someone of the home university who took part in nothing."""
    return PersonFactory(name_native="Dana Serikova", institution=home)


@pytest.fixture
def stranger(db):
    """Someone of a third institution, neither at the meeting nor in the visit."""
    return PersonFactory(name_native="Hans Fremd", institution=InstitutionFactory())


def item_data(**fields) -> dict:
    return {"description": "Send the list of candidates", "owner": "", "due_on": "",
            "status": "open", "partnership": "", "agreement": "", **fields}  # fmt: skip


def new_item_url(meeting) -> str:
    return meeting.get_absolute_url() + "action-items/new/"


# --- The page -------------------------------------------------------------------------------------


def test_the_form_offers_the_visits_and_the_home_sides_people_but_not_strangers(
    office_client, meeting, member, colleague, stranger
):
    attendee = PersonFactory(name_native="Piotr Nowak", institution=meeting.partner)
    meeting.participants.add(attendee)
    field = str(office_client.get(new_item_url(meeting)).context["form"]["owner"])
    assert "Piotr Nowak" in field and "Jan Kowalski" in field and "Dana Serikova" in field
    assert "Hans Fremd" not in field
    assert "No owner yet" in field


@pytest.mark.parametrize("who", ["member", "colleague"])
def test_a_visit_participant_or_a_home_person_owns_an_item_of_a_meeting_they_missed(
    office_client, meeting, who, request
):
    person = request.getfixturevalue(who)
    response = office_client.post(new_item_url(meeting), item_data(owner=person.pk))
    assert response.status_code == 303, response.context["form"].errors
    assert ActionItem.objects.get().owner == person


def test_a_stranger_is_refused_at_the_owner_and_nothing_is_written(
    office_client, meeting, stranger
):
    response = office_client.post(new_item_url(meeting), item_data(owner=stranger.pk))
    assert response.status_code == 400
    [message] = response.context["form"].errors["owner"]
    assert message == (
        "Hans Fremd cannot own this action item: choose a participant of the meeting or of its "
        "visit, or someone of the home institution."
    )
    assert not ActionItem.objects.exists()


def test_a_standalone_meetings_item_is_owned_by_its_attendees_or_the_home_side(
    office_client, colleague, stranger, member
):
    meeting = standalone_meeting()
    assert (
        office_client.post(new_item_url(meeting), item_data(owner=colleague.pk)).status_code == 303
    )
    # a participant of some visit is nobody special for a meeting outside it
    refused = office_client.post(new_item_url(meeting), item_data(owner=member.pk))
    assert refused.status_code == 400 and "owner" in refused.context["form"].errors
    meeting.participants.add(stranger)
    assert (
        office_client.post(new_item_url(meeting), item_data(owner=stranger.pk)).status_code == 303
    )
    assert set(ActionItem.objects.values_list("owner", flat=True)) == {colleague.pk, stranger.pk}


def test_an_owner_who_left_the_visit_stays_when_the_item_is_changed(
    office_client, meeting, stranger
):
    item = ActionItemFactory(meeting=meeting, owner=stranger)  # e.g. removed from the visit
    url = item.get_absolute_url() + "edit/"
    assert "Hans Fremd" in str(office_client.get(url).context["form"]["owner"])
    response = office_client.post(
        url, item_data(owner=stranger.pk, description="Changed", version=version(item))
    )
    assert response.status_code == 303
    item.refresh_from_db()
    assert (item.description, item.owner) == ("Changed", stranger)


def test_an_item_saved_without_an_owner_says_so_and_is_flagged(office_client, meeting, colleague):
    response = office_client.post(new_item_url(meeting), item_data(), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Saved the action item. It has no owner yet: choose who will do it."
    ]
    item = ActionItem.objects.get()
    assert item.owner is None
    flag = '<span class="badge badge-attention">No owner yet</span>'
    assert flag in response.content.decode()  # the item's own page
    assert flag in office_client.get(meeting.get_absolute_url()).content.decode()
    item.due_on = timezone.localdate() - datetime.timedelta(days=2)
    item.save()
    assert flag in office_client.get("/action-items/overdue/").content.decode()
    # with an owner the notice is the plain one and the flag is gone
    response = office_client.post(
        item.get_absolute_url() + "edit/",
        item_data(owner=colleague.pk, version=version(item)),
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Saved the action item."]
    assert (
        "No owner yet</span>" not in office_client.get(meeting.get_absolute_url()).content.decode()
    )


def test_an_owner_hidden_from_the_reader_is_not_called_missing(
    viewer_client, meeting, home, engineering
):
    secret = PersonFactory(name_native="Secret Person", institution=home, is_confidential=True,
                           unit=engineering)  # fmt: skip
    ActionItemFactory(meeting=meeting, owner=secret)
    page = viewer_client.get(meeting.get_absolute_url()).content.decode()
    assert "Secret Person" not in page and "No owner yet</span>" not in page


# --- The API --------------------------------------------------------------------------------------


def test_the_api_accepts_a_visit_participant_and_a_home_person_as_owners(
    office_user, meeting, member, colleague
):
    client = api_for(office_user)
    for person in (member, colleague):
        response = client.post(
            ACTION_ITEMS_URL,
            {"meeting": str(meeting.uuid), "description": "Follow up", "owner": str(person.uuid)},
        )
        assert response.status_code == 201, response.content
        assert response.json()["owner"]["id"] == str(person.uuid)
    assert set(ActionItem.objects.values_list("owner", flat=True)) == {member.pk, colleague.pk}


def test_the_api_refuses_a_stranger_as_owner_on_create_and_change(
    office_user, meeting, stranger, colleague
):
    client = api_for(office_user)
    body = assert_error(
        client.post(
            ACTION_ITEMS_URL,
            {"meeting": str(meeting.uuid), "description": "Follow up", "owner": str(stranger.uuid)},
        ),
        400,
    )
    assert NOT_AN_OWNER in body["fields"]["owner"][0]
    assert not ActionItem.objects.exists()
    item = ActionItemFactory(meeting=meeting, owner=colleague)
    body = assert_error(
        client.patch(
            action_item_url(item), {"owner": str(stranger.uuid), "version": version(item)}
        ),
        400,
    )
    assert NOT_AN_OWNER in body["fields"]["owner"][0]
    item.refresh_from_db()
    assert item.owner == colleague
