"""The action items list: the shared table, and bulk status and owner changes through the
meetings services, only on the items the user may change."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.models import ActionItem
from unibridge.meetings.tests.factories import ActionItemFactory
from unibridge.meetings.tests.test_meetings import standalone_meeting

URL = "/action-items/"


@pytest.fixture
def own_meeting(engineering):
    return standalone_meeting(InstitutionFactory(name="AGH"), units=[engineering], title="Ours")


@pytest.fixture
def other_meeting(economics):
    return standalone_meeting(InstitutionFactory(name="UJ"), units=[economics], title="Theirs")


def post(client, items, **data):
    return client.post(URL, {"selected": [str(i.uuid) for i in items], **data}, follow=True)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_list_shows_the_items_by_due_date_with_their_meeting(office_client, own_meeting):
    late = ActionItemFactory(
        meeting=own_meeting, description="Late", due_on=datetime.date(2026, 9, 1)
    )
    early = ActionItemFactory(
        meeting=own_meeting, description="Early", due_on=datetime.date(2026, 2, 1)
    )
    response = office_client.get(URL)
    assert [row[0] for row in response.context["rows"]] == [early, late]
    content = response.content.decode()
    assert "Ours" in content and 'aria-sort="ascending"' in content
    assert '<option value="status">Change status</option>' in content


def test_the_list_runs_the_same_number_of_queries_for_3_and_20_items(office_client, own_meeting):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office_client.get(URL).status_code == 200
        return len(queries)

    owner = PersonFactory()
    ActionItemFactory.create_batch(3, meeting=own_meeting, owner=owner)
    few = count()
    ActionItemFactory.create_batch(17, meeting=own_meeting, owner=PersonFactory())
    assert count() == few


def test_the_office_moves_several_items_to_done(office_client, own_meeting):
    items = ActionItemFactory.create_batch(3, meeting=own_meeting)
    response = post(office_client, items, action="status", value_status="done")
    assert page_messages(response) == ["3 action items moved to Done."]
    assert {i.status for i in ActionItem.objects.all()} == {ActionItemStatus.DONE}
    assert all(i.completed_on for i in ActionItem.objects.all())


def test_items_of_meetings_the_coordinator_may_not_change_are_skipped(
    coordinator_client, own_meeting, other_meeting
):
    ours = ActionItemFactory.create_batch(3, meeting=own_meeting)
    theirs = ActionItemFactory(meeting=other_meeting)
    response = post(coordinator_client, [*ours, theirs], action="status", value_status="done")
    assert page_messages(response) == [
        "3 action items moved to Done.",
        "1 skipped: you may not edit it.",
    ]
    theirs.refresh_from_db()
    assert theirs.status == ActionItemStatus.OPEN


def test_an_owner_changes_the_status_of_their_item_but_not_its_owner(
    other_coordinator_user, coordinator_client, coordinator_user, home, own_meeting, other_meeting
):
    me = PersonFactory(name_native="Айгерим Садыкова", institution=home, user=coordinator_user)
    someone = PersonFactory(name_native="Борис Ким", institution=home)
    mine = ActionItemFactory(meeting=other_meeting, owner=me)
    response = post(coordinator_client, [mine], action="status", value_status="in_progress")
    assert page_messages(response) == ["1 action item moved to In progress."]
    response = post(coordinator_client, [mine], action="owner", value_owner=str(someone.pk))
    assert page_messages(response) == ["1 skipped: you may not edit it."]
    mine.refresh_from_db()
    assert mine.owner == me and mine.status == ActionItemStatus.IN_PROGRESS
    # the list offers no edit button for it: its meeting is another unit's
    content = coordinator_client.get(URL).content.decode()
    assert f'href="{mine.get_absolute_url()}edit/"' not in content


def test_the_office_assigns_an_owner_to_several_items(office_client, home, own_meeting):
    anna = PersonFactory(name_native="Анна Иванова", institution=home)
    items = ActionItemFactory.create_batch(2, meeting=own_meeting)
    response = post(office_client, items, action="owner", value_owner=str(anna.pk))
    assert page_messages(response) == ["Анна Иванова now owns 2 action items."]
    assert {i.owner for i in ActionItem.objects.all()} == {anna}


def test_an_editor_gets_icon_buttons_on_each_row(office_client, own_meeting):
    item = ActionItemFactory(meeting=own_meeting, description="Send the draft")
    content = office_client.get(URL).content.decode()
    assert f'href="{item.get_absolute_url()}edit/"' in content
    assert '<span class="visually-hidden">Edit Send the draft</span>' in content


def test_filters_mine_and_overdue(coordinator_client, coordinator_user, home, own_meeting):
    me = PersonFactory(institution=home, user=coordinator_user)
    ActionItemFactory(meeting=own_meeting, owner=me, description="Mine late",
                      due_on=datetime.date(2020, 1, 1))  # fmt: skip
    ActionItemFactory(meeting=own_meeting, description="Not mine", due_on=datetime.date(2099, 1, 1))
    response = coordinator_client.get(URL, {"mine": "on"})
    assert [str(r[0]) for r in response.context["rows"]] == ["Mine late"]
    response = coordinator_client.get(URL, {"overdue": "on"})
    assert [str(r[0]) for r in response.context["rows"]] == ["Mine late"]
