"""Agreement events in users' calendar feeds (see :mod:`unibridge.core.calendar`).

- the next expiry of active agreements: for the international office all of them in the next
  two years; for everyone else those they are responsible for and may see;
- approvals waiting for the user (the current step of an agreement in review), on the day
  the step became theirs.

Two queries whatever the number of agreements.
"""

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from unibridge.core.calendar import (
    HORIZON_DAYS,
    CalendarEvent,
    event_uid,
)

from .choices import AgreementStatus, ApprovalDecision
from .models import Agreement, ApprovalStep
from .reminders import agreement_label, agreement_url
from .validity import next_expiry


def expiry_events(user, today: datetime.date) -> Iterator[CalendarEvent]:
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    agreements = Agreement.objects.visible_to(user).filter(
        Q(expiry_date__isnull=False, expiry_date__lte=horizon)
        & (Q(renewal_years__gt=0) | Q(expiry_date__gte=today))
        | Q(terminated_on__gte=today, terminated_on__lte=horizon),
        status=AgreementStatus.ACTIVE,
    )
    if not user.is_office:
        agreements = agreements.filter(
            pk__in=Agreement.responsible_people.through.objects.filter(person__user=user).values(
                "agreement_id"
            )
        )
    rows = agreements.values_list(
        "uuid", "reference", "title", "expiry_date", "renewal_years", "terminated_on", "updated"
    )
    for uuid, reference, title, expiry, renewal, terminated, updated in rows:
        end = next_expiry(
            effective_date=None,
            expiry_date=expiry,
            renewal_years=renewal,
            terminated_on=terminated,
            today=today,
        )
        if end is None or not today <= end <= horizon:
            continue
        label = agreement_label(reference, title)
        yield CalendarEvent(
            uid=event_uid("agreement", uuid, "expiry", end.isoformat()),
            day=end,
            summary=_("Expires: %(agreement)s") % {"agreement": label},
            url=agreement_url(uuid),
            stamp=updated,
        )


def approval_events(user, today: datetime.date) -> Iterator[CalendarEvent]:
    del today  # waiting approvals show however long they have waited
    steps = (
        ApprovalStep.objects.filter(
            agreement__status=AgreementStatus.IN_REVIEW,
            agreement__in=Agreement.objects.visible_to(user).filter(approvals__approver=user),
        )
        .order_by("agreement_id", "-round", "order")
        .values_list(
            "agreement_id",
            "round",
            "order",
            "decision",
            "approver_id",
            "decided_at",
            "created",
            "agreement__uuid",
            "agreement__reference",
            "agreement__title",
            "name",
            "pk",
        )
    )
    previous_decision: dict[int, datetime.datetime] = {}
    current_round: dict[int, int] = {}
    done: set[int] = set()
    for row in steps:
        agreement_id, round_, _order, decision, approver_id, decided_at, created = row[:7]
        uuid, reference, title, name, pk = row[7:]
        if agreement_id in done:
            continue
        current_round.setdefault(agreement_id, round_)
        if round_ != current_round[agreement_id]:
            continue
        if decision == ApprovalDecision.APPROVED:
            previous_decision[agreement_id] = decided_at or created
            continue
        done.add(agreement_id)
        if decision != ApprovalDecision.PENDING or approver_id != user.pk:
            continue
        waiting_since = max(created, previous_decision.get(agreement_id, created))
        label = agreement_label(reference, title)
        yield CalendarEvent(
            uid=event_uid("agreement", uuid, "approval", pk),
            day=timezone.localdate(waiting_since),
            summary=_("Approval waiting: %(agreement)s (%(step)s)")
            % {"agreement": label, "step": name},
            url=agreement_url(uuid),
            stamp=waiting_since,
        )


def agreement_events(user, today: datetime.date) -> Iterator[CalendarEvent]:
    yield from expiry_events(user, today)
    yield from approval_events(user, today)
