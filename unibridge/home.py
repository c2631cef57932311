"""The home page's "what needs me today": one query per panel, each read through the
records' own ``visible_to(user)``.

The home page spans every app, so its reads live here beside the site's view rather than in
one app's selectors. Each panel is capped: the page links to the full, filtered list.
"""

import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from unibridge.accounts.models import DutyHolder
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.models import Agreement, AgreementParty, ApprovalStep
from unibridge.core.cldr import format_date
from unibridge.institutions.choices import PartnershipStatus
from unibridge.meetings.models import ActionItem
from unibridge.meetings.selectors import OPEN_STATUSES, safe_url
from unibridge.visits.choices import VisitStatus
from unibridge.visits.models import Visit
from unibridge.visits.selectors import my_overdue

PANEL_LIMIT = 8
# Pending steps read to find the user's current ones: more than a panel holds, as some wait
# for an earlier step or are another unit's duty.
APPROVAL_CANDIDATES = 50
EXPIRY_DAYS = 90
UPCOMING_VISIT_DAYS = 60


def _list_url(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def my_approvals(user, limit: int = PANEL_LIMIT) -> list[ApprovalStep]:
    """Approval steps waiting for this user's decision now: the first pending step of the
    latest round of an agreement in review, assigned to them by name or to a duty they hold
    (a unit's duty for the agreement's home units or a unit above them), in five queries.

    The user's pending steps are few; which of them is current is worked out from all the
    steps of their agreements, rather than by a subquery per step over every agreement."""
    holdings = list(DutyHolder.objects.filter(user=user).select_related("duty"))
    held = {holding.duty_id for holding in holdings}
    steps = list(
        ApprovalStep.objects.filter(
            Q(approver=user) | Q(approver__isnull=True, duty_id__in=held),
            decision=ApprovalDecision.PENDING,
            agreement__status=AgreementStatus.IN_REVIEW,
        )
        .select_related("agreement")
        .only(
            "agreement_id",
            "round",
            "order",
            "name",
            "approver_id",
            "duty_id",
            "agreement__uuid",
            "agreement__reference",
            "agreement__title",
            "agreement__title_en",
            "agreement__title_ru",
            "agreement__title_kk",
            "agreement__title_pl",
            "agreement__translations",
        )
        .order_by("agreement__reference", "pk")[:APPROVAL_CANDIDATES]
    )
    if not steps:
        return []
    ids = {step.agreement_id for step in steps}
    visible = set(
        Agreement.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    latest: dict[int, int] = {}
    first_pending: dict[tuple[int, int], int] = {}
    rounds = ApprovalStep.objects.filter(agreement_id__in=visible).values_list(
        "agreement_id", "round", "order", "decision"
    )
    for agreement_id, round_, order, decision in rounds:
        latest[agreement_id] = max(latest.get(agreement_id, 0), round_)
        if decision == ApprovalDecision.PENDING:
            key = (agreement_id, round_)
            first_pending[key] = min(first_pending.get(key, order), order)

    def current(step: ApprovalStep) -> bool:
        return (
            step.agreement_id in visible
            and step.round == latest.get(step.agreement_id)
            and step.order == first_pending.get((step.agreement_id, step.round))
        )

    steps = [step for step in steps if current(step)]
    # a unit's duty decides for the agreement's home units and the units below its own
    unit_holds = {(h.duty_id, h.unit_id) for h in holdings if h.duty.per_unit}
    per_unit = {h.duty_id for h in holdings if h.duty.per_unit}
    scopes: dict[int, set[int]] = {}
    if any(step.approver_id is None and step.duty_id in per_unit for step in steps):
        paths = AgreementParty.objects.filter(
            agreement__in=[step.agreement_id for step in steps],
            institution__is_home=True,
            units__isnull=False,
        ).values_list("agreement_id", "units__path", "units__pk")
        for agreement_id, path, pk in paths:
            ids_above = {int(part) for part in path.strip("/").split("/") if part} | {pk}
            scopes.setdefault(agreement_id, set()).update(ids_above)

    def mine(step: ApprovalStep) -> bool:
        if step.approver_id is not None or step.duty_id not in per_unit:
            return True
        scope = scopes.get(step.agreement_id, ())
        return any((step.duty_id, unit) in unit_holds for unit in scope)

    return [step for step in steps if mine(step)][:limit]


def _expiring(user, today: datetime.date, days: int = EXPIRY_DAYS):
    """The agreements in force the user may see that end within ``days``."""
    return Agreement.objects.visible_to(user).filter(
        status=AgreementStatus.ACTIVE,
        expiry_date__gte=today,
        expiry_date__lte=today + datetime.timedelta(days=days),
    )


def _expiring_url() -> str:
    return _list_url(
        "agreements:agreement_list", status=AgreementStatus.ACTIVE, expiring_within=EXPIRY_DAYS
    )


def expiring_agreements(
    user, today: datetime.date, days: int = EXPIRY_DAYS, limit: int = PANEL_LIMIT
):
    """Agreements in force that end within ``days``, the soonest first."""
    return list(
        _expiring(user, today, days)
        .order_by("expiry_date", "reference")
        .only(
            "uuid",
            "reference",
            "title",
            "title_en",
            "title_ru",
            "title_kk",
            "title_pl",
            "expiry_date",
        )[:limit]
    )


def upcoming_visits(
    user, today: datetime.date, days: int = UPCOMING_VISIT_DAYS, limit: int = PANEL_LIMIT
):
    """Visits under way or starting within ``days``, not cancelled, the soonest first."""
    return list(
        Visit.objects.visible_to(user)
        .filter(
            end_date__gte=today,
            start_date__lte=today + datetime.timedelta(days=days),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("visiting_institution", "host_institution")
        .order_by("start_date", "pk")[:limit]
    )


def my_open_action_items(user, today: datetime.date, limit: int = PANEL_LIMIT) -> list[ActionItem]:
    """The user's open action items, the late ones first, then by due date."""
    items = list(
        ActionItem.objects.visible_to(user)
        .filter(owner__user=user, status__in=OPEN_STATUSES)
        .select_related("meeting")
        .order_by("due_on", "pk")[:limit]
    )
    for item in items:
        item.url = safe_url(item)
        item.is_late = item.due_on is not None and item.due_on < today
    return items


def figures(user, today: datetime.date, active_partnerships: int) -> list[dict[str, Any]]:
    """A few numbers for the top of the page, each linking to the records behind it
    (``active_partnerships``: counted already with the partnerships by status)."""
    agreements = Agreement.objects.visible_to(user)
    visits = Visit.objects.visible_to(user)
    year_start, year_end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    counts = {
        "partnerships": active_partnerships,
        "agreements": agreements.filter(status=AgreementStatus.ACTIVE).count(),
        "expiring": _expiring(user, today).count(),
        "visits": visits.filter(start_date__lte=year_end, end_date__gte=year_start)
        .exclude(status=VisitStatus.CANCELLED)
        .count(),
    }
    return [
        {
            "key": "partnerships",
            "count": counts["partnerships"],
            "url": _list_url("institutions:partnership_list", status=PartnershipStatus.ACTIVE),
        },
        {
            "key": "agreements",
            "count": counts["agreements"],
            "url": _list_url("agreements:agreement_list", status=AgreementStatus.ACTIVE),
        },
        {
            "key": "expiring",
            "count": counts["expiring"],
            "url": _expiring_url(),
        },
        {
            "key": "visits",
            "count": counts["visits"],
            "url": _list_url(
                "visits:visit_list", date_from=year_start.isoformat(), date_to=year_end.isoformat()
            ),
        },
    ]


def has_anything(panels: dict[str, Any]) -> bool:
    keys = ("approvals", "action_items", "expiring", "visits", "overdue_checklist")
    return any(panels[key] for key in keys)


def what_needs_me(user, today: datetime.date, *, active_partnerships: int) -> dict[str, Any]:
    """Everything the home page shows beside the partnership figures, in a constant number of
    queries."""
    overdue = my_overdue(user, today, limit=PANEL_LIMIT)
    panels: dict[str, Any] = {
        "approvals": my_approvals(user) if user.is_active else [],
        "action_items": my_open_action_items(user, today),
        "expiring": expiring_agreements(user, today),
        "visits": upcoming_visits(user, today),
        "overdue_checklist": overdue["overdue_checklist"],
        "figures": figures(user, today, active_partnerships),
        "today": today,
        "today_label": format_date(today, style="full"),
        "expiry_days": EXPIRY_DAYS,
        "visit_days": UPCOMING_VISIT_DAYS,
        "all_expiring_url": _expiring_url(),
    }
    panels["nothing_to_do"] = not has_anything(panels)
    return panels
