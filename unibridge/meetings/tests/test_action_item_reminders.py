"""Action-item reminders through the shared daily job: due and overdue, each sent once."""

import datetime

import pytest
from django.core import mail

from unibridge.accounts.tests.factories import UserFactory
from unibridge.core.models import Notification
from unibridge.core.notifications import run_reminders
from unibridge.institutions.tests.factories import PersonFactory
from unibridge.meetings import reminders
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory

TODAY = datetime.date(2026, 6, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def anna(db):
    return PersonFactory(name_native="Anna Nowak", email="anna@example.org")


@pytest.fixture
def meeting(db):
    return MeetingFactory(title="Round table")


def keys() -> list[str]:
    return sorted(Notification.objects.values_list("key", flat=True))


def test_nothing_is_sent_before_the_due_date(anna, meeting):
    ActionItemFactory(meeting=meeting, owner=anna, due_on=days(1))
    assert run_reminders(today=TODAY)["created"] == 0
    assert not mail.outbox


def test_the_owner_is_reminded_on_the_due_date(anna, meeting):
    item = ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY, description="Send CVs")
    result = run_reminders(today=TODAY)
    assert result["created"] == 1
    notification = Notification.objects.get()
    assert notification.key == f"action-item:{item.pk}:due:{TODAY.isoformat()}"
    assert notification.recipient_email == "anna@example.org"
    assert notification.title == "Send CVs (Round table)"
    assert notification.url == f"/action-items/{item.uuid}/"
    assert notification.due_on == TODAY
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]
    assert "Send CVs" in mail.outbox[0].body


def test_running_again_sends_nothing_new(anna, meeting):
    ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY)
    run_reminders(today=TODAY)
    assert run_reminders(today=TODAY) == {"created": 0, "emailed": 0, "recipients": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_the_overdue_reminder_follows_once(anna, meeting):
    item = ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY)
    run_reminders(today=TODAY)
    run_reminders(today=days(1))
    run_reminders(today=days(2))
    assert keys() == [
        f"action-item:{item.pk}:due:{TODAY.isoformat()}",
        f"action-item:{item.pk}:overdue:{TODAY.isoformat()}",
    ]
    assert len(mail.outbox) == 2


def test_an_item_first_seen_late_gets_only_the_overdue_reminder(anna, meeting):
    item = ActionItemFactory(meeting=meeting, owner=anna, due_on=days(-5))
    run_reminders(today=TODAY)
    assert keys() == [f"action-item:{item.pk}:overdue:{days(-5).isoformat()}"]


def test_a_new_due_date_starts_the_reminders_again(anna, meeting):
    item = ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY)
    run_reminders(today=TODAY)
    item.due_on = days(7)
    item.save()
    assert run_reminders(today=days(3))["created"] == 0
    assert run_reminders(today=days(7))["created"] == 1
    assert f"action-item:{item.pk}:due:{days(7).isoformat()}" in keys()


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_closed_items_are_not_reminded(anna, meeting, status):
    ActionItemFactory(meeting=meeting, owner=anna, due_on=days(-1), status=status)
    assert run_reminders(today=TODAY)["created"] == 0


def test_in_progress_items_are_reminded(anna, meeting):
    ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY, status="in_progress")
    assert run_reminders(today=TODAY)["created"] == 1


def test_an_owner_with_an_account_gets_it_in_the_app_too(meeting):
    user = UserFactory(username="aigerim", email="aigerim@example.org")
    owner = PersonFactory(email="", user=user)
    ActionItemFactory(meeting=meeting, owner=owner, due_on=TODAY)
    run_reminders(today=TODAY)
    notification = Notification.objects.get()
    assert notification.recipient_email == "aigerim@example.org"
    assert notification.user == user
    assert Notification.objects.for_user(user).count() == 1


def test_the_persons_own_email_comes_first(meeting):
    user = UserFactory(username="aigerim", email="account@example.org")
    owner = PersonFactory(email="work@example.org", user=user)
    ActionItemFactory(meeting=meeting, owner=owner, due_on=TODAY)
    run_reminders(today=TODAY)
    notification = Notification.objects.get()
    assert (notification.recipient_email, notification.user_id) == ("work@example.org", user.pk)


def test_items_without_an_owner_or_an_address_are_skipped(meeting):
    ActionItemFactory(meeting=meeting, owner=None, due_on=TODAY)
    ActionItemFactory(meeting=meeting, owner=PersonFactory(email=""), due_on=TODAY)
    ActionItemFactory(meeting=meeting, owner=PersonFactory(email="x@example.org"), due_on=None)
    assert run_reminders(today=TODAY)["created"] == 0


def test_one_digest_per_owner_whatever_the_number_of_items(anna, meeting):
    for _ in range(3):
        ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY)
    run_reminders(today=TODAY)
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 3


def test_the_source_reads_items_in_one_query(anna, meeting, django_assert_num_queries):
    def produced() -> int:
        with django_assert_num_queries(1):
            return len(list(reminders.action_item_reminders(TODAY)))

    ActionItemFactory(meeting=meeting, owner=anna, due_on=TODAY)
    assert produced() == 1
    for i in range(20):
        ActionItemFactory(meeting=meeting, owner=PersonFactory(email=f"p{i}@example.org"),
                          due_on=days(-i))  # fmt: skip
    assert produced() == 21


def test_long_descriptions_are_shortened_in_the_title():
    label = reminders.action_item_label("word " * 60, "Round table")
    assert label.endswith("… (Round table)")
    assert len(label) < 140
