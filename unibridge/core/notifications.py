"""Reminders and notifications: one daily job, one e-mail digest per recipient.

Modules register *sources*: functions taking the day and yielding :class:`Reminder`
proposals (who, which record, why, by when). The job (:func:`run_reminders`, run by
``manage.py send_reminders`` and the daily task) turns the proposals it has not seen before
into :class:`~unibridge.core.models.Notification` rows, then sends every recipient one e-mail
listing all their notifications not yet e-mailed.

A reminder's ``key`` names the record, the reason and the threshold (such as
``agreement:12:expiry:90:2026-06-30``) and is unique per recipient, so running the job again
creates and sends nothing new. A recipient whose e-mail fails keeps their notifications
un-e-mailed; the next run tries again, and the other recipients are not held up. Two runs at
the same moment (cron and the task worker) send each notification once: a run claims the
notifications it is about to e-mail in one ``UPDATE … WHERE emailed_at IS NULL`` per batch
and sends only those it got.
"""

import datetime
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notification
from .types import User

logger = logging.getLogger(__name__)

# How many keys one ``IN (…)`` lookup carries: far below every database's parameter limit.
CHUNK_SIZE = 500


@dataclass(frozen=True)
class Reminder:
    """A proposed notification, as a source yields it.

    ``user_id`` is the recipient's account, if they have one: the reminder then also shows
    on their notifications page. ``url`` is the record's path (``/agreements/…/``); e-mails
    make it absolute with ``SITE_URL``.
    """

    recipient_email: str
    key: str
    kind: str
    title: str
    url: str = ""
    due_on: datetime.date | None = None
    user_id: int | None = None


ReminderSource = Callable[[datetime.date], Iterable[Reminder]]
_sources: list[ReminderSource] = []
_kind_labels: dict[str, str | Promise] = {}


def register_source(source: ReminderSource) -> ReminderSource:
    """Add a source of reminders, called once per run with the day of the run; the site's
    sources are listed in ``unibridge/site.py``."""
    if source not in _sources:
        _sources.append(source)
    return source


def register_kind(kind: str, label: str | Promise) -> None:
    """Name a kind of reminder for people (``label`` is translated where it is shown)."""
    _kind_labels[kind] = label


def kind_label(kind: str) -> str:
    """The reader's-language name of a kind of reminder (the code itself when unknown)."""
    return str(_kind_labels.get(kind, kind))


def site_url() -> str:
    """The address of the installation, for links in e-mails (``SITE_URL``, no trailing /)."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{site_url()}/{url.lstrip('/')}"


def chunked(items: Sequence, size: int = CHUNK_SIZE) -> Iterator[Sequence]:
    """``items`` in slices of at most ``size`` (for ``IN (…)`` lookups of many values)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Creating notifications ---------------------------------------------------------------------


def collect_reminders(today: datetime.date) -> dict[tuple[str, str], Reminder]:
    """Every source's proposals for ``today``, one per (recipient e-mail, key)."""
    reminders: dict[tuple[str, str], Reminder] = {}
    for source in _sources:
        for reminder in source(today):
            email = reminder.recipient_email.strip().lower()
            if not email:
                continue
            reminders.setdefault((email, reminder.key), reminder)
    return reminders


def create_notifications(today: datetime.date) -> int:
    """Store the reminders not made before; returns how many are new.

    The keys already stored are read in a few bulk queries, the new rows written with one
    ``bulk_create`` (``ignore_conflicts``: a concurrent run cannot make a duplicate).
    """
    reminders = collect_reminders(today)
    if not reminders:
        return 0
    keys = sorted({key for _email, key in reminders})
    existing: set[tuple[str, str]] = set()
    for chunk in chunked(keys):
        existing.update(
            Notification.objects.filter(key__in=chunk).values_list("recipient_email", "key")
        )
    new = [
        Notification(
            recipient_email=email,
            user_id=reminder.user_id,
            key=key,
            kind=reminder.kind[:40],
            title=reminder.title[:300],
            url=reminder.url[:300],
            due_on=reminder.due_on,
        )
        for (email, key), reminder in reminders.items()
        if (email, key) not in existing
    ]
    Notification.objects.bulk_create(new, batch_size=CHUNK_SIZE, ignore_conflicts=True)
    return len(new)


# --- Sending digests ------------------------------------------------------------------------------


def _digest_language(notifications: list[Notification]) -> str:
    for notification in notifications:
        user = notification.user
        if user is not None and user.preferred_language:
            return user.preferred_language
    return settings.LANGUAGE_CODE


def build_digest(
    email: str, notifications: list[Notification], *, notifications_url: str = ""
) -> EmailMultiAlternatives:
    """The e-mail listing one recipient's new notifications, in their language when known."""
    with translation.override(_digest_language(notifications)):
        # Formatted here rather than in the template: thousands of digests render per run.
        items = [
            {
                "kind": kind_label(notification.kind),
                "title": notification.title,
                "url": absolute_url(notification.url),
                "due": _("due on %(date)s") % {"date": date_format(notification.due_on)}
                if notification.due_on
                else "",
            }
            for notification in notifications
        ]
        context = {
            "items": items,
            "notifications_url": notifications_url
            or absolute_url(reverse("core:notification_list")),
            "site_url": site_url(),
        }
        count = len(items)
        subject = ngettext(
            "UniBridge: %(count)d new reminder", "UniBridge: %(count)d new reminders", count
        ) % {"count": count}
        text = render_to_string("core/emails/reminder_digest.txt", context)
        html = render_to_string("core/emails/reminder_digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[email])
    message.attach_alternative(html, "text/html")
    return message


def _claim(pks: Sequence[int], stamp: datetime.datetime) -> set[int]:
    """Mark these notifications e-mailed at ``stamp`` if nobody has; returns those this run got.

    One ``UPDATE … WHERE emailed_at IS NULL`` per 500 rows, committed at once: when cron and the
    task worker run the job at the same moment, each row is claimed by one of them only (the
    database serialises the two updates; the later one finds the rows taken and skips them),
    so no digest goes out twice.
    """
    claimed: set[int] = set()
    table = connection.ops.quote_name(Notification._meta.db_table)
    value = connection.ops.adapt_datetimefield_value(stamp)
    for chunk in chunked(list(pks)):
        placeholders = ", ".join(["%s"] * len(chunk))
        where = f"id IN ({placeholders}) AND emailed_at IS NULL"
        with connection.cursor() as cursor:
            if connection.features.can_return_rows_from_bulk_insert:  # UPDATE … RETURNING
                cursor.execute(
                    f"UPDATE {table} SET emailed_at = %s WHERE {where} RETURNING id",
                    [value, *chunk],
                )
                claimed.update(row[0] for row in cursor.fetchall())
                continue
            cursor.execute(f"UPDATE {table} SET emailed_at = %s WHERE {where}", [value, *chunk])
            if cursor.rowcount == len(chunk):
                claimed.update(chunk)
                continue
        # SQLite before 3.35 has no RETURNING: when another run took some, read which are ours.
        claimed.update(
            Notification.objects.filter(pk__in=chunk, emailed_at=stamp).values_list("pk", flat=True)
        )
    return claimed


def _release(pks: set[int], stamp: datetime.datetime) -> None:
    """Un-claim notifications this run could not send, so that the next run tries again."""
    for chunk in chunked(sorted(pks)):
        Notification.objects.filter(pk__in=chunk, emailed_at=stamp).update(emailed_at=None)
    pks.clear()


def _batches(pending: list[Notification]) -> Iterator[list[tuple[str, list[Notification]]]]:
    """Recipients with their pending notifications, about CHUNK_SIZE notifications a batch."""
    batch: list[tuple[str, list[Notification]]] = []
    size = 0
    for email, group in itertools.groupby(pending, key=lambda n: n.recipient_email):
        notifications = list(group)
        batch.append((email, notifications))
        size += len(notifications)
        if size >= CHUNK_SIZE:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def send_digests() -> dict[str, int]:
    """Send every recipient one e-mail with all their notifications not yet e-mailed.

    Safe when two runs overlap (cron and the task worker): before a batch of recipients is
    sent, its notifications are claimed (marked e-mailed) in one statement, and a run sends
    only the notifications it claimed. A recipient whose e-mail fails is logged and their
    claim released, so the next run tries again; so is every claimed notification not sent
    when the run stops on an error. (A run killed outright between claiming and sending a
    batch leaves that batch marked e-mailed.)
    """
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True)
        .select_related("user")
        .order_by("recipient_email", "pk")
    )
    counts = {"emailed": 0, "recipients": 0, "failed": 0}
    if not pending:
        return counts
    connection_ = get_connection()
    notifications_url = absolute_url(reverse("core:notification_list"))
    stamp = timezone.now()
    unsent: set[int] = set()  # claimed by this run, not sent (yet)
    try:
        for batch in _batches(pending):
            claimed = _claim([n.pk for _email, group in batch for n in group], stamp)
            unsent |= claimed
            for email, group in batch:
                notifications = sorted(
                    (n for n in group if n.pk in claimed),
                    key=lambda n: (n.due_on or datetime.date.max, n.pk),
                )
                if not notifications:
                    continue  # another run has them
                try:
                    message = build_digest(
                        email, notifications, notifications_url=notifications_url
                    )
                    message.connection = connection_
                    message.send()
                except Exception:
                    logger.exception("Reminder digest to %s failed; it will be retried", email)
                    counts["failed"] += 1
                    try:
                        connection_.close()  # a broken connection must not fail the next ones
                    except Exception:
                        logger.debug("Closing the e-mail connection failed", exc_info=True)
                    continue
                unsent.difference_update(n.pk for n in notifications)
                counts["emailed"] += len(notifications)
                counts["recipients"] += 1
    finally:
        _release(unsent, stamp)
    return counts


def run_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: create the new reminders of every source, then send the digests.

    Returns counts: ``created`` notifications, ``emailed`` notifications, ``recipients``
    who got an e-mail and ``failed`` recipients (retried next run).
    """
    today = today or timezone.localdate()
    created = create_notifications(today)
    return {"created": created, **send_digests()}


def mark_all_read(user: User) -> int:
    """Mark the user's unread notifications read; returns how many."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
