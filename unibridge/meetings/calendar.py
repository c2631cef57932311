"""Action items in users' calendar feeds (see :mod:`unibridge.core.calendar`).

A user's open action items with a due date (of meetings they may see) are all-day events on
the due date; one query whatever their number.
"""

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from unibridge.core.calendar import (
    HORIZON_DAYS,
    CalendarEvent,
    event_uid,
)
from unibridge.visits.models import Visit

from .choices import ActionItemStatus
from .models import ActionItem

SUMMARY_LENGTH = 120


def action_item_events(user, today: datetime.date) -> Iterator[CalendarEvent]:
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    rows = (
        ActionItem.objects.visible_to(user)
        # a meeting's own flag is not enough: its visit may be confidential
        .filter(
            Q(meeting__visit__isnull=True)
            | Q(meeting__visit__in=Visit.objects.visible_to(user).values("pk"))
        )
        .filter(
            owner__user=user,
            due_on__isnull=False,
            due_on__lte=horizon,
            status__in=[ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS],
        )
        .order_by("due_on", "pk")
        .values_list("uuid", "description", "due_on", "updated", "meeting__title")
    )
    for uuid, description, due_on, updated, meeting_title in rows:
        text = " ".join(description.split())
        if len(text) > SUMMARY_LENGTH:
            text = text[: SUMMARY_LENGTH - 1] + "…"
        yield CalendarEvent(
            uid=event_uid("action-item", uuid),
            day=due_on,
            summary=_("Due: %(action)s") % {"action": text},
            url=_action_item_url(uuid),
            description=_("From the meeting “%(meeting)s”.") % {"meeting": meeting_title}
            + "\n\n"
            + description,
            stamp=updated,
        )


def _action_item_url(uuid) -> str:
    try:
        return reverse("meetings:action_item_detail", args=[uuid])
    except NoReverseMatch:  # the action item pages belong to the meetings module
        return ""
