"""Pages for meetings, minutes, decisions and action items.

Plain CRUD of meetings uses the core record views; decisions and action items are small
function views that call ``meetings`` services. A meeting the user may not see answers 404,
one they may not change 403, bad input 400 with the form's errors, a concurrent edit 409.
"""

import datetime
import zoneinfo
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unibridge.agreements.models import Agreement
from unibridge.core.crud import RecordDetailView, RecordEditView, RecordListView
from unibridge.core.forms import invalid_form_status
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict
from unibridge.core.tables import Column, choice_label
from unibridge.core.views_support import (
    add_service_errors,
    editable_or_403,
    see_other,
    visible_or_404,
)
from unibridge.core.visibility import annotate_visible, hide_unseen, visible_prefetch
from unibridge.institutions.models import Partnership, Person

from . import meetings
from .choices import ActionItemStatus, MeetingKind
from .meeting_forms import ActionItemForm, ActionItemStatusForm, DecisionForm, MeetingForm
from .models import ActionItem, Decision, Meeting, Visit
from .sanitize import minutes_html

BAD_REQUEST, CONFLICT = 400, 409
PAGE_SIZE = 50


# --- Reads ----------------------------------------------------------------------------------------


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


def _first_open(queryset: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    """Open and in-progress items first, each group by due date (undated last)."""
    rank = Case(
        When(status__in=meetings.OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    undated_last = Case(When(due_on__isnull=True, then=Value(1)), default=Value(0))
    return queryset.annotate(closed=rank, undated=undated_last).order_by(
        "closed", "undated", "due_on", "pk"
    )


def _mark_overdue(items, today: datetime.date) -> list[ActionItem]:
    items = list(items)
    for item in items:
        item.is_overdue = bool(
            item.due_on and item.due_on < today and item.status in meetings.OPEN_STATUSES
        )
    return items


# --- Helpers --------------------------------------------------------------------------------------


def _visible_meeting(request: HttpRequest, uuid) -> Meeting:
    return visible_or_404(meeting_detail_queryset(request.user), uuid)


def _editable_meeting(request: HttpRequest, uuid) -> Meeting:
    return editable_or_403(meeting_detail_queryset(request.user), uuid, request.user)


def _visible_item(request: HttpRequest, uuid) -> ActionItem:
    return visible_or_404(visible_action_items(request.user), uuid)


def _editable_item(request: HttpRequest, uuid) -> ActionItem:
    """An action item whose meeting the user may change (its owner alone may not: 403)."""
    item = _visible_item(request, uuid)
    if not is_editable(item.meeting, request.user):
        raise PermissionDenied
    return item


def _form_page(
    request: HttpRequest, *, record: Any, form: forms.Form, title: str, cancel_url: str,
    status: int = 200, submit: str = "", conflict: bool = False,
) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "visits/meetings/form_page.html",
        {
            "object": record,
            "form": form,
            "title": title,
            "submit_label": submit or _("Save"),
            "cancel_url": cancel_url,
            "conflict": conflict,
        },
        status=status,
    )


def _confirm_page(request: HttpRequest, *, record: Any, title: str, text: str, cancel_url: str):
    return render(
        request,
        "visits/meetings/confirm.html",
        {
            "object": record,
            "title": title,
            "text": text,
            "submit_label": _("Delete"),
            "cancel_url": cancel_url,
        },
    )


def _meetings_home(meeting: Meeting) -> str:
    """Where to go when a meeting is gone: its visit's meetings tab, or the meetings list."""
    if meeting.visit_id is not None:
        return reverse("visits:visit_tab", args=[meeting.visit.uuid, "meetings"])
    return reverse("visits:meeting_list")


# --- The visit's meetings tab ---------------------------------------------------------------------


def tab_context(visit, user) -> dict:
    """Context for the visit page's meetings tab: its meetings with their counts."""
    items = meetings.OPEN_STATUSES
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
        "meeting_create_url": reverse("visits:visit_meeting_create", args=[visit.uuid]),
    }


# --- Meetings -------------------------------------------------------------------------------------


class MeetingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Title"), method="filter_title")
    # a hidden id (the partner page links here), not a list of every partner: an office
    # meets hundreds of institutions, and a <select> of them costs more than the page
    partner = django_filters.UUIDFilter(
        label=gettext_lazy("Partner id"), field_name="partner__uuid", widget=forms.HiddenInput
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=MeetingKind.choices)
    date_from = django_filters.DateFilter(
        label=gettext_lazy("From"),
        field_name="starts_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=gettext_lazy("Until"),
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Meeting
        fields = ["q", "partner", "kind", "date_from", "date_to"]

    def filter_title(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip()) if value.strip() else queryset


MEETING_COLUMNS = [
    Column("title", gettext_lazy("Title"), lambda m: m.title, ("title",), link=True),
    Column("kind", gettext_lazy("Type"), choice_label(Meeting, "kind"), ("kind",)),
    Column(
        "starts",
        gettext_lazy("Starts"),
        lambda m: local_time(m.starts_at, m.time_zone),
        ("starts_at",),
    ),
    Column(
        "partner",
        gettext_lazy("Partner"),
        lambda m: m.partner.display_name if m.partner else "",
        ("partner__name",),
    ),
    Column("visit", gettext_lazy("Visit"), lambda m: m.visit.title if m.visit else ""),
]


class MeetingListView(RecordListView):
    title = gettext_lazy("Meetings")
    filterset_class = MeetingFilterSet
    columns = MEETING_COLUMNS
    default_sort = "-starts"
    create_url = reverse_lazy("visits:meeting_create")

    def get_queryset(self):
        return meeting_list_queryset(self.request.user)


class MeetingDetailView(RecordDetailView):
    template_name = "visits/meetings/meeting_detail.html"
    tabs = [("overview", gettext_lazy("Meeting")), ("history", gettext_lazy("History"))]
    history_children = [(Decision, "meeting"), (ActionItem, "meeting")]

    def get_queryset(self):
        user = self.request.user
        people = Person.objects.select_related("institution").order_by("name_latin", "pk")
        return meeting_detail_queryset(user).prefetch_related(
            visible_prefetch("participants", Person, user, people), "home_units"
        )

    def tab_context(self, meeting, tab):
        context: dict[str, Any] = {
            "starts": local_time(meeting.starts_at, meeting.time_zone),
            "ends": local_time(meeting.ends_at, meeting.time_zone),
            "partner": meetings.meeting_partner(meeting),
        }
        if tab != "overview":
            return context
        user = self.request.user
        people = list(meeting.participants.all())
        rows = with_visible_links(
            meeting.action_items.select_related("owner", "partnership__partner", "agreement"),
            user,
        ).order_by("due_on", "pk")
        items = _mark_overdue(
            hide_unseen(rows, "owner", "partnership", "agreement"), timezone.localdate()
        )
        editable = is_editable(meeting, user)
        own = {i.pk for i in items if i.owner and i.owner.user_id == user.pk}
        context.update(
            {
                "home_people": [p for p in people if p.institution and p.institution.is_home],
                "partner_people": [
                    p for p in people if not (p.institution and p.institution.is_home)
                ],
                "agenda": [line.strip() for line in meeting.agenda.splitlines() if line.strip()],
                "minutes_html": minutes_html(meeting.minutes),
                "decisions": list(meeting.decisions.order_by("order", "pk")),
                "action_items": items,
                "status_editable": {i.pk for i in items} if editable else own,
                "status_choices": ActionItemStatus.choices,
                "decision_form": DecisionForm(),
                "home_units": (
                    meeting.visit.home_units.all() if meeting.visit_id else meeting.home_units.all()
                ),
            }
        )
        return context


class MeetingEditView(RecordEditView):
    """A standalone meeting (``/meetings/new/``), a visit's (``visit_uuid``), or an edit."""

    form_class = MeetingForm
    template_name = "visits/meetings/meeting_form.html"
    m2m_fields = ("participants", "home_units")
    visit: Visit | None = None

    def get_queryset(self):
        return meeting_detail_queryset(self.request.user)

    def _visit(self, visit_uuid) -> Visit | None:
        if visit_uuid is None:
            return None
        if self.visit is None:
            self.visit = get_object_or_404(
                Visit.objects.visible_to(self.request.user).select_related(
                    "visiting_institution", "host_institution"
                ),
                uuid=visit_uuid,
            )
        return self.visit

    def can_create(self, visit_uuid=None, **kwargs) -> bool:
        visit = self._visit(visit_uuid)
        if visit is not None:
            return is_editable(visit, self.request.user)
        return self.request.user.can_write

    def new_instance(self, visit_uuid=None, **kwargs) -> Meeting:
        visit = self._visit(visit_uuid)
        return Meeting(visit=visit, time_zone=meetings.default_time_zone(visit))

    def form_kwargs(self, instance, visit_uuid=None, **kwargs) -> dict:
        return {**super().form_kwargs(instance), "visit": self._visit(visit_uuid)}

    def cancel_url(self) -> str:
        if self.visit is not None:
            return reverse("visits:visit_tab", args=[self.visit.uuid, "meetings"])
        return reverse("visits:meeting_list")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_delete(request: HttpRequest, uuid) -> HttpResponse:
    """Delete a meeting with its decisions and action items."""
    meeting = _editable_meeting(request, uuid)
    if request.method == "GET":
        return _confirm_page(
            request,
            record=meeting,
            title=_("Delete %(name)s?") % {"name": meeting},
            text=_("Its minutes, decisions and action items are deleted with it."),
            cancel_url=meeting.get_absolute_url(),
        )
    meetings.meeting_delete(meeting=meeting, user=request.user)
    messages.success(request, _("Deleted %(name)s.") % {"name": meeting})
    return see_other(_meetings_home(meeting))


# --- Decisions ------------------------------------------------------------------------------------


def _decisions_url(meeting: Meeting) -> str:
    return meeting.get_absolute_url() + "#decisions"


@login_required
@require_POST
def decision_add(request: HttpRequest, uuid) -> HttpResponse:
    meeting = _editable_meeting(request, uuid)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            meetings.decision_add(
                meeting=meeting, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added the decision."))
            return see_other(_decisions_url(meeting))
    return _form_page(
        request, record=meeting, form=form, title=_("New decision"),
        cancel_url=_decisions_url(meeting), status=BAD_REQUEST,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, uuid, decision_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, uuid)
    decision = get_object_or_404(meeting.decisions, pk=decision_id)
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(data, instance=decision)
    if data is not None and form.is_valid():
        try:
            meetings.decision_update(
                decision=decision, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved the decision."))
            return see_other(_decisions_url(meeting))
    return _form_page(
        request, record=meeting, form=form, title=_("Change the decision"),
        cancel_url=_decisions_url(meeting), status=BAD_REQUEST if data is not None else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def decision_delete(request: HttpRequest, uuid, decision_id: int) -> HttpResponse:
    meeting = _editable_meeting(request, uuid)
    decision = get_object_or_404(meeting.decisions, pk=decision_id)
    if request.method == "GET":
        return _confirm_page(
            request,
            record=meeting,
            title=_("Delete the decision “%(name)s”?") % {"name": decision},
            text="",
            cancel_url=_decisions_url(meeting),
        )
    meetings.decision_delete(decision=decision, user=request.user)
    messages.success(request, _("Deleted the decision."))
    return see_other(_decisions_url(meeting))


@login_required
@require_POST
def decision_move(request: HttpRequest, uuid, decision_id: int) -> HttpResponse:
    """Move a decision one place up or down (``direction`` = up or down)."""
    meeting = _editable_meeting(request, uuid)
    decision = get_object_or_404(meeting.decisions, pk=decision_id)
    offsets = {"up": -1, "down": 1}
    direction = request.POST.get("direction", "")
    if direction not in offsets:
        messages.error(request, _("Move a decision up or down."))
        return HttpResponse(
            _("Move a decision up or down."),
            status=BAD_REQUEST,
            content_type="text/plain; charset=utf-8",
        )
    meetings.decision_move(decision=decision, user=request.user, offset=offsets[direction])
    return see_other(_decisions_url(meeting))


# --- Action items ---------------------------------------------------------------------------------


def _action_item_page(request, item: ActionItem, form, *, title: str, status=200, conflict=False):
    cancel = item.get_absolute_url() if item.pk else item.meeting.get_absolute_url()
    return _form_page(
        request, record=item.meeting, form=form, title=title, cancel_url=cancel, status=status,
        conflict=conflict,
    )  # fmt: skip


def _save_action_item(request: HttpRequest, item: ActionItem, *, title: str) -> HttpResponse:
    meeting = item.meeting
    data = request.POST if request.method == "POST" else None
    form = ActionItemForm(data, instance=item, user=request.user, meeting=meeting)
    if data is None:
        return _action_item_page(request, item, form, title=title)
    if not form.is_valid():
        status = invalid_form_status(form)
        return _action_item_page(request, item, form, title=title, status=status)
    try:
        saved = meetings.action_item_save(
            item=form.save(commit=False),
            user=request.user,
            expected_updated=form.cleaned_data.get("version"),
        )
    except EditConflict as error:
        fresh = request.POST.copy()
        fresh["version"] = error.current.updated.isoformat()
        form = ActionItemForm(fresh, instance=error.current, user=request.user, meeting=meeting)
        form.is_valid()
        form.add_error(None, _("Someone else saved this action item while you were editing it."))
        return _action_item_page(request, item, form, title=title, status=CONFLICT, conflict=True)
    except ValidationError as error:
        add_service_errors(form, error)
        return _action_item_page(request, item, form, title=title, status=BAD_REQUEST)
    messages.success(request, _("Saved the action item."))
    return see_other(saved.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create(request: HttpRequest, uuid) -> HttpResponse:
    meeting = _editable_meeting(request, uuid)
    item = ActionItem(meeting=meeting)
    return _save_action_item(request, item, title=_("New action item"))


@login_required
@require_http_methods(["GET", "POST"])
def action_item_edit(request: HttpRequest, uuid) -> HttpResponse:
    item = _editable_item(request, uuid)
    return _save_action_item(request, item, title=_("Change the action item"))


@login_required
@require_http_methods(["GET", "POST"])
def action_item_delete(request: HttpRequest, uuid) -> HttpResponse:
    item = _editable_item(request, uuid)
    meeting = item.meeting
    if request.method == "GET":
        return _confirm_page(
            request,
            record=item,
            title=_("Delete the action item “%(name)s”?") % {"name": item},
            text="",
            cancel_url=item.get_absolute_url(),
        )
    meetings.action_item_delete(item=item, user=request.user)
    messages.success(request, _("Deleted the action item."))
    return see_other(meeting.get_absolute_url() + "#action-items")


@login_required
@require_GET
def action_item_detail(request: HttpRequest, uuid) -> HttpResponse:
    item = _visible_item(request, uuid)
    user = request.user
    meeting_visible = item.meeting_visible
    can_edit = meeting_visible and is_editable(item.meeting, user)
    can_change_status = can_edit or ActionItem.objects.editable_by(user).filter(pk=item.pk).exists()
    # for display only (this view saves nothing): what the user may not see reads as None
    hide_unseen([item], *ACTION_ITEM_LINKS)
    _mark_overdue([item], timezone.localdate())
    return render(
        request,
        "visits/meetings/action_item_detail.html",
        {
            "object": item,
            "meeting_visible": meeting_visible,
            "can_edit": can_edit,
            "can_change_status": can_change_status,
            "status_choices": ActionItemStatus.choices,
        },
    )


@login_required
@require_POST
def action_item_status(request: HttpRequest, uuid) -> HttpResponse:
    """Change an action item's status: the meeting's editors, or the owner themselves."""
    item = _visible_item(request, uuid)
    form = ActionItemStatusForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if not form.is_valid():
        return HttpResponse(
            _("Choose a valid status."),
            status=BAD_REQUEST,
            content_type="text/plain; charset=utf-8",
        )
    meetings.action_item_set_status(
        item=item, user=request.user, status=form.cleaned_data["status"]
    )
    messages.success(
        request,
        _("“%(name)s” is now %(status)s.")
        % {"name": item, "status": item.get_status_display().lower()},
    )
    return see_other(back or item.get_absolute_url())


def _paged(request: HttpRequest, queryset: QuerySet) -> Any:
    """One page, its ids found on the action items alone, then read with their relations
    (ordering thousands of rows joined to five tables costs more than the page)."""
    ids = queryset.values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    chosen = ActionItem.objects.filter(pk__in=list(page.object_list))
    rows = {
        item.pk: item
        for item in hide_unseen(
            with_visible_links(chosen.select_related(*ACTION_ITEM_RELATIONS), request.user),
            *ACTION_ITEM_LINKS,
        )
    }
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


@login_required
@require_GET
def my_action_items(request: HttpRequest) -> HttpResponse:
    """The user's own action items: open ones first, overdue ones marked."""
    items = _first_open(visible_action_items(request.user).filter(owner__user=request.user))
    page = _paged(request, items)
    page.object_list = _mark_overdue(page.object_list, timezone.localdate())
    return render(
        request,
        "visits/meetings/my_action_items.html",
        {
            "title": _("My action items"),
            "page": page,
            "status_choices": ActionItemStatus.choices,
            "next": request.get_full_path(),
        },
    )


@login_required
@require_GET
def overdue_action_items(request: HttpRequest) -> HttpResponse:
    """Every overdue action item, for the international office (others: 403)."""
    if not request.user.is_office:
        raise PermissionDenied
    today = timezone.localdate()
    items = visible_action_items(request.user).overdue(today).order_by("due_on", "pk")
    page = _paged(request, items)
    page.object_list = _mark_overdue(page.object_list, today)
    return render(
        request,
        "visits/meetings/overdue_action_items.html",
        {"title": _("Overdue action items"), "page": page},
    )


urlpatterns: list[URLPattern] = [
    path("meetings/", MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", MeetingEditView.as_view(), name="meeting_create"),
    path(
        "visits/<uuid:visit_uuid>/meetings/new/",
        MeetingEditView.as_view(),
        name="visit_meeting_create",
    ),
    path("meetings/<uuid:uuid>/", MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<uuid:uuid>/edit/", MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<uuid:uuid>/delete/", meeting_delete, name="meeting_delete"),
    path("meetings/<uuid:uuid>/decisions/add/", decision_add, name="decision_add"),
    path(
        "meetings/<uuid:uuid>/decisions/<int:decision_id>/edit/",
        decision_edit,
        name="decision_edit",
    ),
    path(
        "meetings/<uuid:uuid>/decisions/<int:decision_id>/delete/",
        decision_delete,
        name="decision_delete",
    ),
    path(
        "meetings/<uuid:uuid>/decisions/<int:decision_id>/move/",
        decision_move,
        name="decision_move",
    ),
    path("meetings/<uuid:uuid>/action-items/new/", action_item_create, name="action_item_create"),
    path("meetings/<uuid:uuid>/<slug:tab>/", MeetingDetailView.as_view(), name="meeting_tab"),
    path("action-items/mine/", my_action_items, name="my_action_items"),
    path("action-items/overdue/", overdue_action_items, name="overdue_action_items"),
    path("action-items/<uuid:uuid>/", action_item_detail, name="action_item_detail"),
    path("action-items/<uuid:uuid>/edit/", action_item_edit, name="action_item_edit"),
    path("action-items/<uuid:uuid>/delete/", action_item_delete, name="action_item_delete"),
    path("action-items/<uuid:uuid>/status/", action_item_status, name="action_item_status"),
]
