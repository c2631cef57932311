"""Meetings, decisions and action items on the partner timeline.

Three queries whatever their number: the meetings (of the partner's visits the user may see,
or standalone with the partner), their decisions, and the action items (of those meetings, or
linked to the partnership). Meetings and their decisions are on the meeting's hour, action
items on the day they were done or are due.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from unibridge.core.text import ellipsis
from unibridge.core.timeline import TimelineEntry, as_datetime
from unibridge.core.visibility import annotate_visible, shown
from unibridge.institutions.models import Partnership, Person
from unibridge.visits.models import Visit

from .choices import ActionItemStatus
from .models import ActionItem, Decision, Meeting
from .selectors import safe_url

# Decisions and action items are long sentences: their beginning names them on the timeline.
TITLE_LIMIT = 100


def meeting_entries(partnership: Partnership, user) -> Iterable[TimelineEntry]:
    partner_id = partnership.partner_id
    # the meetings of the partner's visits the user may see, and the standalone ones
    visits = Visit.objects.visible_to(user).filter(
        Q(visiting_institution_id=partner_id) | Q(host_institution_id=partner_id)
    )
    meetings = {
        meeting.pk: meeting
        for meeting in Meeting.objects.visible_to(user).filter(
            Q(visit__in=visits.values("pk")) | Q(partner_id=partner_id)
        )
    }
    urls = {pk: safe_url(meeting) for pk, meeting in meetings.items()}
    meeting_kind = _("Meeting")
    for meeting in meetings.values():
        yield TimelineEntry(
            when=meeting.starts_at,
            recorded=meeting.created,
            key="meeting",
            kind=meeting_kind,
            title=meeting.title,
            url=urls[meeting.pk],
            detail=meeting.get_kind_display(),
        )
    if meetings:
        decision_kind = _("Decision")
        for decision in Decision.objects.filter(meeting_id__in=list(meetings)):
            meeting = meetings[decision.meeting_id]
            yield TimelineEntry(
                when=meeting.starts_at,
                recorded=decision.created,
                key="decision",
                kind=decision_kind,
                title=ellipsis(decision.text, TITLE_LIMIT),
                url=urls[meeting.pk],
                detail=meeting.title,
            )

    items = ActionItem.objects.visible_to(user).filter(
        Q(meeting_id__in=list(meetings)) | Q(partnership=partnership)
    )
    # an owner the user may not see is not named
    items = annotate_visible(items.select_related("owner", "meeting"), user, owner=Person)
    item_kind = _("Action item")
    for item in items:
        when = item.completed_on or item.due_on
        action = ellipsis(item.description, TITLE_LIMIT)
        if item.status == ActionItemStatus.DONE:
            title = _("Done: %(action)s") % {"action": action}
        else:
            title = _("Due: %(action)s") % {"action": action}
        yield TimelineEntry(
            when=as_datetime(when) if when else item.created,
            recorded=item.created,
            key="action_item",
            kind=item_kind,
            title=title,
            url=safe_url(item),
            detail=" · ".join(
                part
                for part in (str(shown(item, "owner") or ""), item.get_status_display())
                if part
            ),
        )
