"""Meetings and action items in the global search.

A meeting is found by its title, its partner's names (its own, or its visit's partner), its
visit's title and its agenda; an action item by its text, its meeting and its owner.
Imported by ``MeetingsConfig.ready()``; see ``unibridge.core.search``.
"""

from django.utils.formats import date_format

from unibridge.core import search
from unibridge.institutions.models import Institution, Person
from unibridge.visits.models import Visit
from unibridge.visits.search import institution_fields

from .models import ActionItem, Meeting
from .selectors import safe_url


def _meeting_partner(meeting: Meeting) -> Institution | None:
    if meeting.partner is not None:
        return meeting.partner
    return meeting.visit.partner if meeting.visit is not None else None


def meeting_fields(meeting: Meeting) -> list[tuple[object, int]]:
    visit_title = meeting.visit.title if meeting.visit is not None else ""
    return [
        (meeting.title, search.NAME),
        *institution_fields(_meeting_partner(meeting), search.CONTEXT),
        (visit_title, search.CONTEXT),
        (meeting.agenda, search.DETAIL),
    ]


MEETINGS = search.searchable(
    Meeting,
    kind="meeting",
    fields=meeting_fields,
    title=lambda meeting: meeting.title,
    subtitle=lambda meeting: " · ".join(
        part
        for part in (
            getattr(_meeting_partner(meeting), "display_name", ""),
            date_format(meeting.starts_at, "DATE_FORMAT"),
        )
        if part
    ),
    url=safe_url,
    queryset=Meeting.objects.select_related(
        "partner", "visit__visiting_institution", "visit__host_institution"
    ),
    depends_on={Visit: "visit", Institution: "partner"},
)


def action_item_fields(item: ActionItem) -> list[tuple[object, int]]:
    # the index is shared by every reader: a confidential owner's name finds nothing
    owner = item.owner if item.owner and not item.owner.is_confidential else None
    return [
        (item.description, search.NAME),
        (item.meeting.title, search.CONTEXT),
        *(((owner.name_native, search.DETAIL), (owner.name_latin, search.DETAIL)) if owner else ()),
    ]


ACTION_ITEMS = search.searchable(
    ActionItem,
    kind="action",
    fields=action_item_fields,
    title=lambda item: str(item),
    subtitle=lambda item: " · ".join(
        str(part) for part in (item.meeting.title, item.get_status_display()) if part
    ),
    url=safe_url,
    queryset=ActionItem.objects.select_related("meeting", "owner"),
    # the owner's name is indexed, and left out once the owner is confidential
    depends_on={Meeting: "meeting", Person: "owner"},
)
