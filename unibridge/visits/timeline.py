"""Visits on the partner timeline, in one query, on their days (the last one once done).

Their meetings, decisions and action items: :mod:`unibridge.meetings.timeline`.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from unibridge.core.timeline import TimelineEntry, as_datetime
from unibridge.institutions.models import Partnership

from .choices import VisitStatus
from .models import Visit


def _visit_title(visit: Visit) -> str:
    if visit.status == VisitStatus.COMPLETED:
        return _("Visit took place: %(title)s") % {"title": visit.title}
    if visit.status == VisitStatus.CANCELLED:
        return _("Visit cancelled: %(title)s") % {"title": visit.title}
    if visit.status == VisitStatus.ONGOING:
        return _("Visit under way: %(title)s") % {"title": visit.title}
    if visit.status == VisitStatus.CONFIRMED:
        return _("Visit confirmed: %(title)s") % {"title": visit.title}
    return _("Visit planned: %(title)s") % {"title": visit.title}


def visit_entries(partnership: Partnership, user) -> Iterable[TimelineEntry]:
    partner_id = partnership.partner_id
    visits = Visit.objects.visible_to(user).filter(
        Q(visiting_institution_id=partner_id) | Q(host_institution_id=partner_id)
    )
    visit_kind = _("Visit")
    for visit in visits:
        detail = visit.cancellation_reason if visit.status == VisitStatus.CANCELLED else ""
        day = visit.end_date if visit.status == VisitStatus.COMPLETED else visit.start_date
        yield TimelineEntry(
            when=as_datetime(day),
            recorded=visit.created,
            key="visit",
            kind=visit_kind,
            title=_visit_title(visit),
            url=visit.get_absolute_url(),
            detail=detail or visit.get_direction_display(),
        )
