"""Reads shaped for the visits pages and API: visibility applied, relations pre-loaded."""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from unibridge.agreements.models import Agreement
from unibridge.core.permissions import is_editable
from unibridge.core.visibility import visible_ids, visible_prefetch
from unibridge.institutions.models import Institution, Person
from unibridge.meetings import selectors as meeting_selectors

from .choices import Direction, ParticipantSide
from .models import ChecklistItem, NewsPublication, Visit, VisitParticipant
from .services import DELETABLE, TRANSITIONS, linkable_agreements

TAB_LIMIT = 100


def visit_list(user) -> QuerySet[Visit]:
    return Visit.objects.visible_to(user).select_related(
        "visiting_institution", "host_institution", "host_unit"
    )


def visit_detail(user) -> QuerySet[Visit]:
    """A visit with its units, and the responsible people and agreements the user may see."""
    return visit_list(user).prefetch_related(
        "home_units",
        visible_prefetch("responsible_people", Person, user),
        visible_prefetch("agreements", Agreement, user),
    )


def visible_participants(visit: Visit, user) -> QuerySet[VisitParticipant]:
    """The visit's participants whose person the user may see, with person and institution."""
    return (
        visit.participants.filter(person__in=visible_ids(Person, user))
        .select_related("person", "person__institution")
        .order_by("side", "order", "pk")
    )


def visit_actions(visit: Visit, user, *, can_edit: bool | None = None) -> dict[str, Any]:
    """The buttons the visit's page shows; the services decide again when one is pressed."""
    if can_edit is None:
        can_edit = is_editable(visit, user)
    actions = {
        action: can_edit and visit.status in allowed
        for action, (allowed, _target, _label) in TRANSITIONS.items()
    }
    return {"can_edit": can_edit, "delete": can_edit and visit.status in DELETABLE, **actions}


def participants_of(visit: Visit, user) -> dict[str, list[VisitParticipant]]:
    """The delegation and the home participants the user may see, in one query."""
    sides: dict[str, list[VisitParticipant]] = {
        ParticipantSide.DELEGATION: [],
        ParticipantSide.HOME: [],
    }
    for participant in visible_participants(visit, user):
        sides.setdefault(participant.side, []).append(participant)
    return sides


def checklist_of(visit: Visit, today: datetime.date) -> list[ChecklistItem]:
    """The visit's logistics tasks with an ``is_overdue`` flag, in one query."""
    items = list(visit.checklist.select_related("owner").order_by("order", "pk"))
    for item in items:
        item.is_overdue = is_overdue(item, today)
    return items


def is_overdue(item: ChecklistItem, today: datetime.date) -> bool:
    return not item.done and item.due_on is not None and item.due_on < today


def overdue_checklist_count(visit: Visit, today: datetime.date) -> int:
    return visit.checklist.filter(done=False, due_on__lt=today).count()


def my_overdue(user, today: datetime.date, limit: int = 50) -> dict[str, Any]:
    """The home page's "Overdue" section: the user's own late tasks, in two queries."""
    checklist = list(
        ChecklistItem.objects.filter(
            owner=user,
            done=False,
            due_on__lt=today,
            visit__in=Visit.objects.visible_to(user).values("pk"),
        )
        .select_related("visit")
        .order_by("due_on", "pk")[:limit]
    )
    action_items = meeting_selectors.my_overdue_action_items(user, today, limit)
    return {"overdue_checklist": checklist, "overdue_action_items": action_items}


def published_news(
    *, user, year: int | None = None, partner: Institution | None = None
) -> QuerySet[NewsPublication]:
    """Where and when the news of visits appeared, newest first, with draft and visit loaded.

    ``year``: those published that calendar year (the annual report's); ``partner``: those
    of visits with that partner (the partner's page).
    """
    publications = NewsPublication.objects.visible_to(user).select_related("draft", "draft__visit")
    if year is not None:
        publications = publications.filter(published_on__year=year)
    if partner is not None:
        publications = publications.filter(
            Q(
                draft__visit__direction=Direction.INCOMING,
                draft__visit__visiting_institution=partner,
            )
            | Q(draft__visit__direction=Direction.OUTGOING, draft__visit__host_institution=partner)
        )
    return publications.order_by("-published_on", "-pk")


def partner_news(user, institution: Institution) -> dict[str, Any]:
    """The partner page's "Published news" block, in one query."""
    if institution.is_home:
        return {"published_news": []}
    return {"published_news": list(published_news(user=user, partner=institution)[:TAB_LIMIT])}


def partner_visits(user, institution: Institution) -> dict[str, Any]:
    """The partner page's visits tab: its visits and standalone meetings, in two queries."""
    list_url = reverse("visits:visit_list")
    if institution.is_home:
        return {"visits": [], "partner_meetings": [], "visits_url": list_url}
    visits = list(
        visit_list(user)
        .filter(Q(visiting_institution=institution) | Q(host_institution=institution))
        .order_by("-start_date", "pk")[:TAB_LIMIT]
    )
    meetings = meeting_selectors.partner_meetings(user, institution, TAB_LIMIT)
    query = urlencode({"partner": str(institution.uuid)})
    return {
        "visits": visits,
        "partner_meetings": meetings,
        "visits_url": f"{list_url}?{query}",
        "new_visit_url": f"{reverse('visits:visit_create')}?{query}",
    }


def agreements_to_link(visit: Visit, user) -> QuerySet:
    """Agreements with the partner the user sees that the visit does not name yet."""
    linked = [agreement.pk for agreement in visit.agreements.all()]
    return linkable_agreements(visit, user).exclude(pk__in=linked)
