"""Visits in the global search (meetings and action items: :mod:`unibridge.meetings.search`).

A visit is found by its title, its partner's names in any script ("AGH", "Краков" through the
partner's names and city) and its purpose; the home institution, a side of every visit, is
left out as noise. Imported by ``VisitsConfig.ready()``; see ``unibridge.core.search``.
"""

from django.utils.formats import date_format

from unibridge.core import search
from unibridge.institutions.models import Institution

from .models import Visit


def institution_fields(institution: Institution | None, weight: int) -> list[tuple[object, int]]:
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
        *institution_fields(visit.partner, search.CONTEXT),
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
