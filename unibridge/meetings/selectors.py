"""Reads shaped for the meetings pages and API, and for the pages of other apps that show
meetings (a visit's meetings tab, a partner's meetings, the home page's overdue items)."""

import datetime
import zoneinfo

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format

from unibridge.agreements.models import Agreement
from unibridge.core.visibility import annotate_visible
from unibridge.institutions.models import Institution, Partnership, Person

from .choices import ActionItemStatus
from .models import ActionItem, Meeting

OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)
TAB_LIMIT = 100


def safe_url(record) -> str:
    """The record's page, or nothing while the module that serves it is not installed."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return ""


def meeting_list_queryset(user) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("partner", "visit")


def meeting_detail_queryset(user) -> QuerySet[Meeting]:
    return meeting_list_queryset(user).select_related(
        "visit__visiting_institution", "visit__host_institution"
    )


ACTION_ITEM_RELATIONS = (
    "meeting",
    "meeting__partner",
    "owner",
    "partnership__partner",
    "agreement",
)
# the records an action item names, each shown only to those who may see it
ACTION_ITEM_LINKS = {
    "meeting": Meeting,
    "owner": Person,
    "partnership": Partnership,
    "agreement": Agreement,
}


def with_visible_links(items: QuerySet[ActionItem], user) -> QuerySet[ActionItem]:
    """Action items flagged ``meeting_visible``, ``owner_visible``… (``core.visibility``)."""
    return annotate_visible(items, user, **ACTION_ITEM_LINKS)


def visible_action_items(user) -> QuerySet[ActionItem]:
    """Action items of meetings the user sees, and their own (an owner always sees theirs).

    Flagged with what of its meeting, owner, partnership and agreement the user may see.
    """
    items = ActionItem.objects.all()
    if not (user.is_authenticated and user.is_office):  # the office sees every meeting
        visible = Meeting.objects.visible_to(user).values("pk")
        own = Q(owner__user=user) if user.is_authenticated else Q(pk__in=[])
        items = items.filter(Q(meeting__in=visible) | own)
    return with_visible_links(items.select_related(*ACTION_ITEM_RELATIONS), user)


def local_time(value: datetime.datetime | None, zone: str) -> str:
    """A stored time as the meeting's wall-clock time, with the zone's name."""
    if value is None:
        return ""
    local = value.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{date_format(local, 'DATETIME_FORMAT')} ({zone})"


def first_open(queryset: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    """Open and in-progress items first, each group by due date (undated last)."""
    rank = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    undated_last = Case(When(due_on__isnull=True, then=Value(1)), default=Value(0))
    return queryset.annotate(closed=rank, undated=undated_last).order_by(
        "closed", "undated", "due_on", "pk"
    )


def mark_overdue(items, today: datetime.date) -> list[ActionItem]:
    items = list(items)
    for item in items:
        item.is_overdue = bool(item.due_on and item.due_on < today and item.status in OPEN_STATUSES)
    return items


def visit_meetings_tab(visit, user) -> dict:
    """Context for the visit page's meetings tab: its meetings with their counts."""
    items = OPEN_STATUSES
    visit_meetings = (
        Meeting.objects.visible_to(user)
        .filter(visit=visit)
        .annotate(
            decision_count=Count("decisions", distinct=True),
            action_count=Count("action_items", distinct=True),
            open_count=Count(
                "action_items", filter=Q(action_items__status__in=items), distinct=True
            ),
        )
        .order_by("starts_at", "pk")
    )
    rows = [(m, local_time(m.starts_at, m.time_zone)) for m in visit_meetings]
    return {
        "meetings": rows,
        "meeting_create_url": reverse("meetings:visit_meeting_create", args=[visit.uuid]),
    }


def partner_meetings(user, institution: Institution, limit: int = TAB_LIMIT) -> list[Meeting]:
    """The standalone meetings with a partner the user may see, each with its ``url``."""
    meetings = list(
        Meeting.objects.visible_to(user)
        .filter(partner=institution, visit__isnull=True)
        .order_by("-starts_at", "pk")[:limit]
    )
    for meeting in meetings:
        meeting.url = safe_url(meeting)
    return meetings


def my_overdue_action_items(user, today: datetime.date, limit: int = 50) -> list[ActionItem]:
    """The user's own late action items of meetings they may see, each with its ``url``."""
    items = list(
        ActionItem.objects.visible_to(user)
        .overdue(today)
        .filter(owner__user=user)
        .select_related("meeting")
        .order_by("due_on", "pk")[:limit]
    )
    for item in items:
        item.url = safe_url(item)
    return items
