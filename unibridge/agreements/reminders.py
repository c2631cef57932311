"""The reminders agreements produce for the daily job (see :mod:`unibridge.core.notifications`).

- **Expiry**: an active agreement whose next expiry (renewals counted) is within one of its
  type's thresholds (``reminder_days``, 180, 90 and 30 days by default) reminds its
  responsible people once per threshold. Only the nearest threshold counts, so an agreement
  already inside 30 days gets the 30-day reminder alone. The key holds the expiry date, so
  a renewal starts the thresholds again.
- **Approval**: the first waiting step of an agreement's current review round reminds its
  approver.
- **Signature overdue**: an agreement in signing longer than its type's
  ``signature_wait_days`` with a party not yet signed reminds its responsible people.

A fixed number of queries whatever the number of agreements: candidates are filtered by
status and date window in SQL; next expiries are computed in Python for those only.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from uuid import UUID

from django.db.models import Exists, OuterRef, Q
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from unibridge.accounts.models import DutyHolder
from unibridge.core.notifications import Reminder, chunked

from .choices import AgreementStatus, ApprovalDecision
from .models import Agreement, AgreementParty, AgreementType, ApprovalStep
from .validity import next_expiry

EXPIRY = "agreement_expiry"
APPROVAL = "agreement_approval"
SIGNATURE_OVERDUE = "agreement_signature"

# The kinds of reminder agreements produce, named for people (unibridge/site.py lists them).
KINDS = {
    EXPIRY: _("Agreement expires"),
    APPROVAL: _("Approval waiting for you"),
    SIGNATURE_OVERDUE: _("Partner's signature overdue"),
}


def thresholds(reminder_days: object) -> list[int]:
    """A type's reminder days as sorted whole days (anything else in the JSON is ignored)."""
    if not isinstance(reminder_days, list):
        return []
    return sorted({day for day in reminder_days if isinstance(day, int) and day >= 0})


def expiry_threshold(days_left: int, reminder_days: Iterable[int]) -> int | None:
    """The nearest threshold reached ``days_left`` days before expiry (None: none yet, or past).

    180 days left reaches the 180-day threshold; 29 days left reaches only the 30-day one.
    """
    if days_left < 0:
        return None
    reached = [day for day in reminder_days if day >= days_left]
    return min(reached) if reached else None


_UUID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def agreement_url(uuid) -> str:
    """The agreement page's path (reversed once: ``reverse`` is slow for thousands of rows)."""
    return _agreement_url_pattern(get_script_prefix()).replace(_UUID_PLACEHOLDER, str(uuid))


@functools.lru_cache(maxsize=8)
def _agreement_url_pattern(script_prefix: str) -> str:
    del script_prefix  # part of the cache key: reverse() depends on it
    return reverse("agreements:agreement_detail", args=[_UUID_PLACEHOLDER])


def agreement_label(reference: str, title: str) -> str:
    return f"{reference} {title}".strip()


def responsible_recipients(agreement_ids: list[int]) -> dict[int, list[tuple[str, int | None]]]:
    """(e-mail, user id) of each agreement's responsible people, in a few queries.

    A person's own e-mail is used, else the e-mail of their user account; people with neither
    cannot be reminded.
    """
    through = Agreement.responsible_people.through
    recipients: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for chunk in chunked(sorted(agreement_ids)):
        rows = through.objects.filter(agreement_id__in=chunk).values_list(
            "agreement_id", "person__email", "person__user_id", "person__user__email"
        )
        for agreement_id, email, user_id, user_email in rows:
            address = email or user_email or ""
            if address:
                recipients[agreement_id].append((address, user_id))
    return recipients


def expiry_reminders(today: datetime.date) -> Iterator[Reminder]:
    type_days = {
        pk: thresholds(days)
        for pk, days in AgreementType.objects.values_list("pk", "reminder_days")
    }
    longest = max((max(days) for days in type_days.values() if days), default=None)
    if longest is None:
        return
    horizon = today + datetime.timedelta(days=longest)
    # A renewing agreement whose first expiry has passed rolls forward: computed below.
    candidates = Agreement.objects.filter(status=AgreementStatus.ACTIVE).filter(
        Q(
            expiry_date__lte=horizon,
            expiry_date__isnull=False,
        )
        & (Q(renewal_years__gt=0) | Q(expiry_date__gte=today))
        | Q(terminated_on__gte=today, terminated_on__lte=horizon)
    )
    due: list[tuple[int, str, int, datetime.date, str, str]] = []
    for pk, uuid, type_id, expiry, renewal, terminated, reference, title in candidates.values_list(
        "pk",
        "uuid",
        "agreement_type_id",
        "expiry_date",
        "renewal_years",
        "terminated_on",
        "reference",
        "title",
    ):
        end = next_expiry(
            effective_date=None,
            expiry_date=expiry,
            renewal_years=renewal,
            terminated_on=terminated,
            today=today,
        )
        if end is None:
            continue
        threshold = expiry_threshold((end - today).days, type_days.get(type_id, []))
        if threshold is not None:
            due.append((pk, str(uuid), threshold, end, reference, title))
    recipients = responsible_recipients([row[0] for row in due])
    for pk, agreement_uuid, threshold, end, reference, title in due:
        for email, user_id in recipients.get(pk, []):
            yield Reminder(
                recipient_email=email,
                user_id=user_id,
                key=f"agreement:{pk}:expiry:{threshold}:{end.isoformat()}",
                kind=EXPIRY,
                title=agreement_label(reference, title),
                url=agreement_url(agreement_uuid),
                due_on=end,
            )


def waiting_steps(steps: Iterable[tuple]) -> Iterator[tuple]:
    """The first waiting step of each agreement's current round.

    ``steps``: rows starting with (agreement id, round, order, decision), ordered by agreement,
    round descending and order. A round stopped by a rejection waits for no one.
    """
    current: dict[int, int] = {}
    done: set[int] = set()
    for row in steps:
        agreement_id, round_, _order, decision = row[:4]
        if agreement_id in done:
            continue
        current.setdefault(agreement_id, round_)
        if round_ != current[agreement_id] or decision == ApprovalDecision.APPROVED:
            continue
        done.add(agreement_id)
        if decision == ApprovalDecision.PENDING:
            yield row


def current_approval_steps(**filters) -> Iterator[tuple]:
    """(agreement id, round, order, decision, step pk, approver id, approver e-mail, uuid,
    reference, title, waiting since) of every step waiting for its approver now."""
    rows = (
        ApprovalStep.objects.filter(agreement__status=AgreementStatus.IN_REVIEW, **filters)
        .order_by("agreement_id", "-round", "order")
        .values_list(
            "agreement_id",
            "round",
            "order",
            "decision",
            "pk",
            "approver_id",
            "approver__email",
            "approver__is_active",
            "agreement__uuid",
            "agreement__reference",
            "agreement__title",
            "created",
            "duty_id",
        )
    )
    return waiting_steps(rows)


def _duty_holders(rows: list[tuple]) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """(agreement id, duty id) → (user id, e-mail) of those who may decide the steps of these
    rows assigned to a duty (see :mod:`.approvals`), in two queries whatever their number."""
    wanted = {(row[0], row[12]) for row in rows if row[5] is None and row[12] is not None}
    if not wanted:
        return {}
    agreement_ids = {agreement_id for agreement_id, _duty in wanted}
    scopes: dict[int, set[int]] = {}
    units = AgreementParty.units.through.objects.filter(
        agreementparty__agreement_id__in=agreement_ids, agreementparty__institution__is_home=True
    ).values_list("agreementparty__agreement_id", "organizationalunit__path")
    for agreement_id, path in units:
        scopes.setdefault(agreement_id, set()).update(int(pk) for pk in path.strip("/").split("/"))
    holders = DutyHolder.objects.filter(
        duty_id__in={duty for _agreement, duty in wanted}, user__is_active=True
    ).values_list("duty_id", "duty__per_unit", "unit_id", "user_id", "user__email")
    found: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for duty_id, per_unit, unit_id, user_id, email in holders:
        for agreement_id, wanted_duty in wanted:
            if wanted_duty != duty_id or not email:
                continue
            if per_unit and unit_id not in scopes.get(agreement_id, set()):
                continue
            people = found.setdefault((agreement_id, duty_id), [])
            if (user_id, email) not in people:
                people.append((user_id, email))
    return found


def approval_reminders(today: datetime.date) -> Iterator[Reminder]:
    """The person a waiting step is assigned to, or every holder of its duty, is reminded."""
    del today  # a step waits from the moment it becomes current; no threshold
    rows = list(current_approval_steps())
    holders = _duty_holders(rows)
    for row in rows:
        agreement_id, _r, _o, _d, step_pk, approver_id, email, active, uuid, ref, title = row[:11]
        if approver_id is not None:
            recipients = [(approver_id, email)] if active and email else []
        else:
            recipients = holders.get((agreement_id, row[12]), [])
        for user_id, address in recipients:
            yield Reminder(
                recipient_email=address,
                user_id=user_id,
                key=f"agreement:{agreement_id}:approval:{step_pk}",
                kind=APPROVAL,
                title=agreement_label(ref, title),
                url=agreement_url(uuid),
            )


def signature_reminders(today: datetime.date) -> Iterator[Reminder]:
    waits = dict(AgreementType.objects.values_list("pk", "signature_wait_days"))
    if not waits:
        return
    latest_start = today - datetime.timedelta(days=min(waits.values()) + 1)
    unsigned = AgreementParty.objects.filter(agreement=OuterRef("pk"), signature__isnull=True)
    candidates = Agreement.objects.filter(
        Exists(unsigned),
        status=AgreementStatus.SIGNING,
        signing_started_on__lte=latest_start,
    ).values_list("pk", "uuid", "agreement_type_id", "signing_started_on", "reference", "title")
    due: list[tuple[int, UUID, datetime.date, datetime.date, str, str]] = []
    for pk, uuid, type_id, started, reference, title in candidates:
        if started is None:  # never: the filter on signing_started_on leaves such rows out
            continue
        deadline = started + datetime.timedelta(days=waits[type_id])
        if today > deadline:
            due.append((pk, uuid, started, deadline, reference, title))
    recipients = responsible_recipients([row[0] for row in due])
    for pk, uuid, started, deadline, reference, title in due:
        for email, user_id in recipients.get(pk, []):
            yield Reminder(
                recipient_email=email,
                user_id=user_id,
                key=f"agreement:{pk}:signature-overdue:{started.isoformat()}",
                kind=SIGNATURE_OVERDUE,
                title=agreement_label(reference, title),
                url=agreement_url(uuid),
                due_on=deadline,
            )


def agreement_reminders(today: datetime.date) -> Iterator[Reminder]:
    """Every reminder agreements produce on ``today``."""
    yield from expiry_reminders(today)
    yield from approval_reminders(today)
    yield from signature_reminders(today)
