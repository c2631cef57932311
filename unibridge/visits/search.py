"""Visits, meetings and action items in the global search.

A visit is found by its title, its partner's names in any script ("AGH", "Краков" through the
partner's names and city) and its purpose; the home institution, a side of every visit, is
left out as noise. Imported by ``VisitsConfig.ready()``; see ``unibridge.core.search``.
"""

from django.utils.formats import date_format

from unibridge.core import search
from unibridge.institutions.models import Institution, Person

from .models import ActionItem, Meeting, Visit
from .selectors import safe_url


def _institution_fields(institution: Institution | None, weight: int) -> list[tuple[object, int]]:
    if institution is None:
        return []
    return [
        *((name, weight) for name in institution.all_names()),
        (institution.acronym, weight),
        (institution.city, weight),
    ]


def visit_fields(visit: Visit) -> list[tuple[object, int]]:
    return [
        (visit.title, search.NAME),
        *_institution_fields(visit.partner, search.CONTEXT),
        (visit.purpose, search.DETAIL),
        (visit.goals, search.DETAIL),
    ]


def _visit_subtitle(visit: Visit) -> str:
    return " · ".join(
        [
            visit.partner.display_name,
            date_format(visit.start_date, "DATE_FORMAT"),
            visit.get_status_display(),
        ]
    )


VISITS = search.searchable(
    Visit,
    kind="visit",
    fields=visit_fields,
    title=lambda visit: visit.title,
    subtitle=_visit_subtitle,
    queryset=Visit.objects.select_related("visiting_institution", "host_institution"),
    # the partner is the visiting institution of an incoming visit, the host of an outgoing one
    depends_on={Institution: ("visiting_institution", "host_institution")},
)


def _meeting_partner(meeting: Meeting) -> Institution | None:
    if meeting.partner is not None:
        return meeting.partner
    return meeting.visit.partner if meeting.visit is not None else None


def meeting_fields(meeting: Meeting) -> list[tuple[object, int]]:
    visit_title = meeting.visit.title if meeting.visit is not None else ""
    return [
        (meeting.title, search.NAME),
        *_institution_fields(_meeting_partner(meeting), search.CONTEXT),
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
