"""Action items: add and edit on the meeting, the status rules, the owner's own page and the
office's overdue list, with permissions per role and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.tests.factories import AgreementFactory, AgreementPartyFactory
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
)
from unibridge.meetings.models import ActionItem
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.meetings.tests.test_meetings import make_visit, standalone_meeting

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow")


@pytest.fixture
def meeting(home, engineering, agh):
    visit = make_visit(home, agh, units=[engineering])
    return MeetingFactory(visit=visit, partner=agh, title="Round table")


@pytest.fixture
def owner(coordinator_user):
    return PersonFactory(name_native="Aigerim Sadykova", user=coordinator_user)


def item_data(**fields) -> dict:
    data = {
        "description": "Draft the student exchange agreement",
        "owner": "",
        "due_on": days(14).isoformat(),
        "status": "open",
        "partnership": "",
        "agreement": "",
    }
    data.update(fields)
    return data


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- Add and edit ---------------------------------------------------------------------------------


def test_an_action_item_is_added_with_the_partners_partnership_by_default(
    office_client, meeting, agh, owner
):
    partnership = PartnershipFactory(partner=agh)
    url = meeting.get_absolute_url() + "action-items/new/"
    form = office_client.get(url).context["form"]
    assert form["partnership"].value() == partnership.pk
    assert "Aigerim Sadykova" in str(form["owner"])  # people with an account are offered
    response = office_client.post(url, item_data(owner=owner.pk, partnership=partnership.pk))
    assert response.status_code == 303, response.context["form"].errors
    item = ActionItem.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert (item.meeting, item.owner, item.partnership) == (meeting, owner, partnership)
    assert item.due_on == days(14)
    assert item.completed_on is None


def test_the_agreement_must_be_one_of_the_partners_visible_to_the_user(
    office_client, meeting, agh, home
):
    own = AgreementFactory(reference="MoU-2026-001")
    AgreementPartyFactory(agreement=own, institution=agh)
    other = AgreementFactory(reference="MoU-2026-002")
    AgreementPartyFactory(agreement=other, institution=InstitutionFactory())
    url = meeting.get_absolute_url() + "action-items/new/"
    assert "MoU-2026-001" in str(office_client.get(url).context["form"]["agreement"])
    refused = office_client.post(url, item_data(agreement=other.pk))
    assert refused.status_code == 400
    assert "agreement" in refused.context["form"].errors
    assert office_client.post(url, item_data(agreement=own.pk)).status_code == 303
    assert ActionItem.objects.get().agreement == own


def test_a_confidential_agreement_of_another_unit_is_not_offered(
    client, other_coordinator_user, home, economics, engineering, agh
):
    visit = make_visit(home, agh, units=[economics])
    meeting = MeetingFactory(visit=visit, partner=agh)
    hidden = AgreementFactory(reference="SECRET-1", is_confidential=True)
    AgreementPartyFactory(agreement=hidden, institution=agh)
    client.force_login(other_coordinator_user)
    url = meeting.get_absolute_url() + "action-items/new/"
    assert "SECRET-1" not in client.get(url).content.decode()
    assert client.post(url, item_data(agreement=hidden.pk)).status_code == 400


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": ""}, "description"),
        ({"due_on": "31.02.2026"}, "due_on"),
        ({"status": "finished"}, "status"),
        ({"owner": "999999"}, "owner"),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(office_client, meeting, fields, field):
    response = office_client.post(
        meeting.get_absolute_url() + "action-items/new/", item_data(**fields)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ActionItem.objects.exists()


def test_done_sets_the_completion_day_and_reopening_clears_it(office_client, meeting):
    item = ActionItemFactory(meeting=meeting)
    url = item.get_absolute_url() + "edit/"
    version = office_client.get(url).context["form"]["version"].value()
    office_client.post(url, item_data(status="done", version=version))
    item.refresh_from_db()
    assert (item.status, item.completed_on) == ("done", TODAY)
    version = office_client.get(url).context["form"]["version"].value()
    office_client.post(url, item_data(status="in_progress", version=version))
    item.refresh_from_db()
    assert (item.status, item.completed_on) == ("in_progress", None)


def test_an_edit_made_meanwhile_is_not_overwritten(office_client, meeting):
    item = ActionItemFactory(meeting=meeting, description="Original")
    url = item.get_absolute_url() + "edit/"
    version = office_client.get(url).context["form"]["version"].value()
    ActionItem.objects.filter(pk=item.pk).update(
        description="Theirs", updated=item.updated + datetime.timedelta(seconds=5)
    )
    response = office_client.post(url, item_data(description="Mine", version=version))
    assert response.status_code == 409
    assert ActionItem.objects.get().description == "Theirs"


def test_an_action_item_is_deleted(office_client, meeting):
    item = ActionItemFactory(meeting=meeting)
    assert office_client.get(item.get_absolute_url() + "delete/").status_code == 200
    response = office_client.post(item.get_absolute_url() + "delete/")
    assert response.status_code == 303
    assert not ActionItem.objects.exists()


# --- Status: editors and the owner ----------------------------------------------------------------


def test_the_owner_changes_the_status_without_rights_on_the_meeting(client, home, economics):
    user = UserFactory(username="teacher", role="viewer")
    viewer_owner = PersonFactory(user=user)
    meeting = MeetingFactory(visit=make_visit(home, units=[economics]))
    item = ActionItemFactory(meeting=meeting, owner=viewer_owner)
    client.force_login(user)
    assert client.get(item.get_absolute_url() + "edit/").status_code == 403
    response = client.post(
        item.get_absolute_url() + "status/", {"status": "done", "next": "/action-items/mine/"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/action-items/mine/"
    item.refresh_from_db()
    assert (item.status, item.completed_on) == ("done", TODAY)


def test_others_cannot_change_the_status(viewer_client, home):
    item = ActionItemFactory(meeting=MeetingFactory(visit=make_visit(home)))
    response = viewer_client.post(item.get_absolute_url() + "status/", {"status": "done"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_a_bad_status_or_an_outside_next_is_refused(office_client, meeting):
    item = ActionItemFactory(meeting=meeting)
    url = item.get_absolute_url() + "status/"
    assert office_client.post(url, {"status": "finished"}).status_code == 400
    response = office_client.post(url, {"status": "done", "next": "https://evil.example.org/"})
    assert response["Location"] == item.get_absolute_url()


def test_the_owner_sees_their_item_of_a_meeting_hidden_from_them(client, home, economics):
    user = UserFactory(username="teacher", role="viewer")
    person = PersonFactory(user=user)
    meeting = MeetingFactory(visit=make_visit(home, units=[economics], confidential=True),
                             is_confidential=True, title="Confidential talks")  # fmt: skip
    item = ActionItemFactory(meeting=meeting, owner=person, description="Book the hall")
    client.force_login(user)
    assert client.get(meeting.get_absolute_url()).status_code == 404
    page = client.get(item.get_absolute_url())
    assert page.status_code == 200
    assert "Book the hall" in page.content.decode()
    assert meeting.get_absolute_url() not in page.content.decode()


@pytest.mark.parametrize(
    ("role", "detail", "edit"),
    [
        ("office_user", 200, 200),
        ("coordinator_user", 200, 200),
        ("other_coordinator_user", 404, 404),
        ("viewer_user", 404, 404),
    ],
)
def test_an_item_of_a_confidential_meeting_per_role(request, client, home, engineering, role,
                                                      detail, edit):  # fmt: skip
    meeting = MeetingFactory(visit=make_visit(home, units=[engineering], confidential=True),
                             is_confidential=True)  # fmt: skip
    item = ActionItemFactory(meeting=meeting)
    client.force_login(request.getfixturevalue(role))
    assert client.get(item.get_absolute_url()).status_code == detail
    assert client.get(item.get_absolute_url() + "edit/").status_code == edit
    assert client.get(meeting.get_absolute_url() + "action-items/new/").status_code == edit


def test_a_viewer_reads_a_public_item_but_cannot_change_it(viewer_client, home):
    item = ActionItemFactory(meeting=MeetingFactory(visit=make_visit(home)))
    assert viewer_client.get(item.get_absolute_url()).status_code == 200
    assert viewer_client.get(item.get_absolute_url() + "edit/").status_code == 403
    assert viewer_client.post(item.get_absolute_url() + "delete/").status_code == 403
    assert ActionItem.objects.exists()


# --- My action items ------------------------------------------------------------------------------


def test_my_action_items_lists_open_ones_first_and_marks_the_overdue(
    coordinator_client, meeting, owner
):
    ActionItemFactory(meeting=meeting, owner=owner, description="Done one",
                      status="done", due_on=days(-30))  # fmt: skip
    ActionItemFactory(meeting=meeting, owner=owner, description="Later", due_on=days(9))
    ActionItemFactory(meeting=meeting, owner=owner, description="Late", due_on=days(-2))
    ActionItemFactory(meeting=meeting, owner=PersonFactory(), description="Somebody else's")
    response = coordinator_client.get("/action-items/mine/")
    items = list(response.context["page"].object_list)
    assert [i.description for i in items] == ["Late", "Later", "Done one"]
    assert [i.is_overdue for i in items] == [True, False, False]
    page = response.content.decode()
    assert "Somebody else" not in page
    assert "overdue" in page


def test_my_action_items_uses_the_same_queries_for_few_and_many(coordinator_client, meeting, owner):
    def add(n):
        for i in range(n):
            ActionItemFactory(meeting=meeting, owner=owner, due_on=days(i - 3))

    add(2)
    few = count_queries(coordinator_client, "/action-items/mine/")
    add(20)
    assert count_queries(coordinator_client, "/action-items/mine/") == few


# --- The office's overdue list --------------------------------------------------------------------


def test_the_overdue_list_is_for_the_office_only(
    office_client, coordinator_client, viewer_client, meeting
):
    assert office_client.get("/action-items/overdue/").status_code == 200
    assert coordinator_client.get("/action-items/overdue/").status_code == 403
    assert viewer_client.get("/action-items/overdue/").status_code == 403


def test_the_overdue_list_shows_owner_due_date_and_partner(office_client, meeting, owner):
    ActionItemFactory(meeting=meeting, owner=owner, description="Late", due_on=days(-3))
    ActionItemFactory(meeting=meeting, owner=owner, description="Not yet", due_on=days(3))
    ActionItemFactory(meeting=meeting, description="Done late", due_on=days(-3), status="done")
    ActionItemFactory(meeting=standalone_meeting(), description="Cancelled", due_on=days(-9),
                      status="cancelled")  # fmt: skip
    response = office_client.get("/action-items/overdue/")
    assert [i.description for i in response.context["page"].object_list] == ["Late"]
    page = response.content.decode()
    assert "Aigerim Sadykova" in page and "AGH University of Krakow" in page


def test_the_overdue_list_uses_the_same_queries_for_few_and_many(office_client, home):
    def add(n):
        for i in range(n):
            meeting = standalone_meeting()
            ActionItemFactory(meeting=meeting, owner=PersonFactory(), due_on=days(-1 - i))

    add(2)
    few = count_queries(office_client, "/action-items/overdue/")
    add(20)
    assert count_queries(office_client, "/action-items/overdue/") == few
