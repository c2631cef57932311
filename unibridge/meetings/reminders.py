"""The reminders action items produce for the daily job (see :mod:`unibridge.core.notifications`).

An open or in-progress action item with an owner reminds them on its due date, and once
more when it is overdue (if the job did not run on the due date, the overdue one alone).
The keys hold the due date, so moving the date starts the reminders again. One query,
whatever the number of items.
"""

import datetime
import functools
from collections.abc import Iterator

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from unibridge.core.notifications import Reminder

from .choices import ActionItemStatus
from .models import ActionItem

DUE = "action_item_due"
OVERDUE = "action_item_overdue"

# The kinds of reminder action items produce, named for people (unibridge/site.py lists them).
KINDS = {DUE: _("Action item due today"), OVERDUE: _("Action item overdue")}

_UUID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def action_item_url(uuid) -> str:
    """The action item page's path (reversed once: ``reverse`` is slow for many rows)."""
    return _url_pattern(get_script_prefix()).replace(_UUID_PLACEHOLDER, str(uuid))


@functools.lru_cache(maxsize=8)
def _url_pattern(script_prefix: str) -> str:
    del script_prefix  # part of the cache key: reverse() depends on it
    return reverse("meetings:action_item_detail", args=[_UUID_PLACEHOLDER])


def action_item_label(description: str, meeting_title: str) -> str:
    """One line: what is to be done, and at which meeting it was agreed."""
    what = " ".join(description.split())
    if len(what) > 120:
        what = what[:119] + "…"
    return f"{what} ({meeting_title})" if meeting_title else what


def action_item_reminders(today: datetime.date) -> Iterator[Reminder]:
    """Reminders of the open action items due on ``today`` or before it."""
    rows = (
        ActionItem.objects.filter(
            status__in=[ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS],
            due_on__lte=today,
            owner__isnull=False,
        )
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "uuid",
            "description",
            "due_on",
            "meeting__title",
            "owner__email",
            "owner__user_id",
            "owner__user__email",
            "owner__user__is_active",
        )
    )
    for pk, uuid, description, due_on, meeting, email, owner_user_id, user_email, active in rows:
        if due_on is None:  # never: the filter on due_on leaves such rows out
            continue
        # an inactive account gets no in-app notice, but the person may still get the e-mail
        user_id = owner_user_id if active else None
        address = email or (user_email if user_id else "") or ""
        if not address:
            continue
        reason, kind = ("due", DUE) if due_on == today else ("overdue", OVERDUE)
        yield Reminder(
            recipient_email=address,
            user_id=user_id,
            key=f"action-item:{pk}:{reason}:{due_on.isoformat()}",
            kind=kind,
            title=action_item_label(description, meeting),
            url=action_item_url(uuid),
            due_on=due_on,
        )
