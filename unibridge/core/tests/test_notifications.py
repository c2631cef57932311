"""The reminder job, its e-mail digests, and the notifications page."""

import datetime
import re
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unibridge.accounts.tests.factories import UserFactory
from unibridge.core import notifications, tasks
from unibridge.core.models import Notification
from unibridge.core.notifications import Reminder, run_reminders

TODAY = datetime.date(2026, 3, 2)
BROKEN = "broken@example.org"


class FailingForOneAddressBackend(EmailBackend):
    """The locmem backend, except that the mail server refuses one address."""

    def send_messages(self, messages):
        for message in messages:
            if BROKEN in message.to:
                raise smtplib.SMTPRecipientsRefused({BROKEN: (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def proposals(monkeypatch):
    """Replace the registered sources by one returning what the test puts in the list."""
    items: list[Reminder] = []
    monkeypatch.setattr(notifications, "_sources", [])
    notifications.register_source(lambda today: list(items))
    return items


def reminder(email: str, key: str, **fields) -> Reminder:
    fields.setdefault("kind", "test")
    fields.setdefault("title", f"Record {key}")
    fields.setdefault("url", f"/records/{key}/")
    return Reminder(recipient_email=email, key=key, **fields)


# --- The job ---------------------------------------------------------------------------------


def test_each_recipient_gets_one_digest_with_all_their_reminders(db, proposals, settings):
    settings.SITE_URL = "https://unibridge.example.edu/"
    proposals += [
        reminder("anna@example.org", "a", due_on=TODAY),
        reminder("anna@example.org", "b"),
        reminder("boris@example.org", "a"),
    ]
    counts = run_reminders(today=TODAY)
    assert counts == {"created": 3, "emailed": 3, "recipients": 2, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "boris@example.org"]
    anna = next(m for m in mail.outbox if m.to == ["anna@example.org"])
    assert "Record a" in anna.body and "Record b" in anna.body
    assert "https://unibridge.example.edu/records/a/" in anna.body
    assert "https://unibridge.example.edu/notifications/" in anna.body
    html, mime = anna.alternatives[0]
    assert mime == "text/html"
    assert '<a href="https://unibridge.example.edu/records/b/">Record b</a>' in html
    assert anna.subject == "UniBridge: 2 new reminders"
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_running_again_creates_and_sends_nothing(db, proposals):
    proposals += [reminder("anna@example.org", "a"), reminder("anna@example.org", "b")]
    run_reminders(today=TODAY)
    assert run_reminders(today=TODAY) == {
        "created": 0,
        "emailed": 0,
        "recipients": 0,
        "failed": 0,
    }
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 2


def test_only_the_new_reminder_is_sent_the_next_day(db, proposals):
    proposals.append(reminder("anna@example.org", "a"))
    run_reminders(today=TODAY)
    proposals.append(reminder("anna@example.org", "b"))
    assert run_reminders(today=TODAY)["created"] == 1
    assert "Record b" in mail.outbox[1].body
    assert "Record a" not in mail.outbox[1].body


def test_addresses_are_compared_without_case_or_spaces(db, proposals):
    proposals += [reminder(" Anna@Example.org", "a"), reminder("anna@example.org", "a")]
    assert run_reminders(today=TODAY)["created"] == 1
    assert Notification.objects.get().recipient_email == "anna@example.org"


def test_a_failed_send_keeps_the_others_and_is_retried(db, proposals, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForOneAddressBackend"
    proposals += [
        reminder("anna@example.org", "a"),
        reminder(BROKEN, "a"),
        reminder(BROKEN, "b"),
        reminder("zoe@example.org", "a"),
    ]
    counts = run_reminders(today=TODAY)
    assert counts == {"created": 4, "emailed": 2, "recipients": 2, "failed": 1}
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "zoe@example.org"]
    waiting = Notification.objects.filter(emailed_at__isnull=True)
    assert sorted(waiting.values_list("recipient_email", "key")) == [(BROKEN, "a"), (BROKEN, "b")]

    assert run_reminders(today=TODAY)["failed"] == 1  # still refused: still waiting
    assert waiting.count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    counts = run_reminders(today=TODAY)
    assert counts == {"created": 0, "emailed": 2, "recipients": 1, "failed": 0}
    assert mail.outbox[-1].to == [BROKEN]
    assert "Record a" in mail.outbox[-1].body and "Record b" in mail.outbox[-1].body
    assert not waiting.exists()


def test_the_digest_is_in_the_users_preferred_language(db, proposals):
    user = UserFactory(username="olga", preferred_language="pl")
    proposals.append(reminder("olga@example.org", "a", user_id=user.pk))
    run_reminders(today=TODAY)
    html, _mime = mail.outbox[0].alternatives[0]
    assert '<html lang="pl">' in html


def test_the_job_uses_a_fixed_number_of_queries(db, proposals):
    def queries(n: int) -> int:
        proposals[:] = [reminder(f"p{i}@example.org", f"k{n}-{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            assert run_reminders(today=TODAY)["recipients"] == n
        return len(captured)

    # existing keys, new rows, pending rows, claiming them (marking them e-mailed)
    assert queries(3) == queries(30) == 4


# --- Two runs at once (cron and the task worker) ----------------------------------------------


def digests_per_recipient() -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in mail.outbox:
        counts[message.to[0]] = counts.get(message.to[0], 0) + 1
    return counts


def test_a_run_that_starts_while_another_sends_sends_nothing_twice(db, proposals, monkeypatch):
    proposals += [
        reminder("anna@example.org", "a"),
        reminder("anna@example.org", "b"),
        reminder("boris@example.org", "a"),
    ]
    build = notifications.build_digest
    second: list[dict] = []

    started: list[bool] = []

    def build_and_start_another_run(*args, **kwargs):
        if not started:  # the first digest of the first run: the other run starts now
            started.append(True)
            second.append(run_reminders(today=TODAY))
        return build(*args, **kwargs)

    monkeypatch.setattr(notifications, "build_digest", build_and_start_another_run)
    first = run_reminders(today=TODAY)

    # the first run claimed every notification before sending: the second found none left
    assert second == [{"created": 0, "emailed": 0, "recipients": 0, "failed": 0}]
    assert first == {"created": 3, "emailed": 3, "recipients": 2, "failed": 0}
    assert digests_per_recipient() == {"anna@example.org": 1, "boris@example.org": 1}
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_run_that_lost_the_claim_to_another_sends_nothing(db, proposals, monkeypatch):
    proposals += [reminder("anna@example.org", "a"), reminder("boris@example.org", "a")]
    notifications.create_notifications(TODAY)
    claim = notifications._claim
    other: list[dict] = []
    started: list[bool] = []

    def another_run_claims_first(pks, stamp):
        # Both runs read the same pending rows; the other one claims and sends them first.
        if not started:
            started.append(True)
            other.append(notifications.send_digests())
        return claim(pks, stamp)

    monkeypatch.setattr(notifications, "_claim", another_run_claims_first)
    late = notifications.send_digests()

    assert other == [{"emailed": 2, "recipients": 2, "failed": 0}]
    assert late == {"emailed": 0, "recipients": 0, "failed": 0}
    assert digests_per_recipient() == {"anna@example.org": 1, "boris@example.org": 1}


def test_a_partly_claimed_recipient_gets_only_the_rest(db, proposals):
    proposals += [reminder("anna@example.org", "a"), reminder("anna@example.org", "b")]
    notifications.create_notifications(TODAY)
    taken = Notification.objects.get(key="a")
    assert notifications._claim([taken.pk], timezone.now()) == {taken.pk}  # another run's
    assert notifications._claim([taken.pk], timezone.now()) == set()  # taken: not twice

    assert notifications.send_digests() == {"emailed": 1, "recipients": 1, "failed": 0}
    assert "Record b" in mail.outbox[0].body and "Record a" not in mail.outbox[0].body


def test_a_failed_send_releases_the_claim_for_the_next_run(db, proposals, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForOneAddressBackend"
    proposals += [reminder(BROKEN, "a"), reminder("anna@example.org", "a")]
    assert run_reminders(today=TODAY)["failed"] == 1
    broken = Notification.objects.get(recipient_email=BROKEN)
    assert broken.emailed_at is None  # released
    assert Notification.objects.get(recipient_email="anna@example.org").emailed_at is not None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_reminders(today=TODAY)["emailed"] == 1
    assert digests_per_recipient() == {"anna@example.org": 1, BROKEN: 1}


def test_a_run_stopped_by_an_error_releases_what_it_did_not_send(db, proposals, monkeypatch):
    proposals += [reminder("anna@example.org", "a"), reminder("boris@example.org", "a")]
    notifications.create_notifications(TODAY)
    sent: list[str] = []

    def send_or_stop(self):
        if sent:
            raise KeyboardInterrupt  # not a mail error: the run stops here
        sent.append(self.to[0])
        return 1

    monkeypatch.setattr(notifications.EmailMultiAlternatives, "send", send_or_stop)
    with pytest.raises(KeyboardInterrupt):
        notifications.send_digests()

    waiting = Notification.objects.filter(emailed_at__isnull=True)
    assert sent == ["anna@example.org"]
    assert list(waiting.values_list("recipient_email", flat=True)) == ["boris@example.org"]


def test_a_failed_send_costs_one_query_to_release(db, proposals, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForOneAddressBackend"
    proposals += [reminder(BROKEN, f"k{i}") for i in range(5)]
    proposals += [reminder(f"p{i}@example.org", "a") for i in range(20)]
    with CaptureQueriesContext(connection) as captured:
        assert run_reminders(today=TODAY)["failed"] == 1
    # existing keys, new rows, pending rows, claiming them, releasing the failed ones
    assert len(captured) == 5


def test_the_command_reports_counts(db, proposals):
    proposals.append(reminder("anna@example.org", "a"))
    out = StringIO()
    call_command("send_reminders", "--date", "2026-03-02", stdout=out)
    assert out.getvalue().strip() == "created: 1, emailed: 1, failed: 0, recipients: 1"
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "created: 0, emailed: 0" in out.getvalue()


def test_the_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "02.03.2026")


def test_the_periodic_task_runs_the_job_every_morning(db, proposals):
    proposals.append(reminder("anna@example.org", "a"))
    assert tasks.send_reminders.call_local()["created"] == 1
    schedule = tasks.send_reminders.task_class().validate_datetime
    assert schedule(datetime.datetime(2026, 3, 2, 7, 0))
    assert not schedule(datetime.datetime(2026, 3, 2, 8, 0))


# --- The notifications page ---------------------------------------------------------------------


def notify(user, key: str, **fields) -> Notification:
    fields.setdefault("title", f"Record {key}")
    fields.setdefault("url", f"/records/{key}/")
    return Notification.objects.create(
        recipient_email=user.email, user=user, key=key, kind="test", **fields
    )


def test_the_page_lists_the_users_notifications_newest_first(office_client, office_user):
    notify(office_user, "old", read_at=timezone.now(), due_on=datetime.date(2026, 6, 30))
    notify(office_user, "new")
    notify(UserFactory(username="someone"), "theirs")
    response = office_client.get("/notifications/")
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"]]
    assert titles == ["Record new", "Record old"]
    html = response.content.decode()
    assert html.count('class="unread"') == 1
    assert "Record theirs" not in html
    assert '<time datetime="2026-06-30">' in html


def test_the_page_needs_a_login(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_uses_the_same_number_of_queries_for_3_and_30_notifications(
    office_client, office_user
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office_client.get("/notifications/").status_code == 200
        return len(queries)

    for i in range(3):
        notify(office_user, f"a{i}")
    few = count()
    for i in range(27):
        notify(office_user, f"b{i}", read_at=timezone.now())
    assert count() == few <= 7


def test_following_a_notification_marks_it_read(office_client, office_user):
    notification = notify(office_user, "a")
    response = office_client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/records/a/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_an_outside_link_is_not_followed(office_client, office_user):
    notification = notify(office_user, "a", url="https://evil.example.com/")
    response = office_client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(office_client):
    notification = notify(UserFactory(username="someone"), "a")
    assert office_client.get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_needs_post_and_marks_only_the_users_own(office_client, office_user):
    notify(office_user, "a")
    notify(office_user, "b")
    theirs = notify(UserFactory(username="someone"), "c")
    assert office_client.get("/notifications/read/").status_code == 405
    response = office_client.post("/notifications/read/", follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(user=office_user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_navigation_shows_the_unread_count(office_client, office_user):
    response = office_client.get("/notifications/")
    assert re.search(
        r'href="/notifications/" aria-current="page">\s*<svg[^>]*>.*?</svg>'
        r'<span class="visually-hidden">Notifications</span>\s*</a>',
        response.content.decode(),
        re.S,
    )
    notify(office_user, "a")
    notify(office_user, "b")
    notify(office_user, "c", read_at=timezone.now())
    html = office_client.get("/notifications/").content.decode()
    assert re.search(
        r'<span class="visually-hidden">Notifications</span>\s*'
        r'<span class="badge[^"]*">2<span class="visually-hidden"> unread</span></span>',
        html,
    )
