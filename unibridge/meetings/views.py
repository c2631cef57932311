"""Pages for meetings, minutes, decisions and action items.

Plain CRUD of meetings uses the core record views; decisions and action items are small
function views that call ``meetings`` services. A meeting the user may not see answers 404,
one they may not change 403, bad input 400 with the form's errors, a concurrent edit 409.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unibridge.core.crud import RecordDetailView, RecordEditView, RecordListView
from unibridge.core.forms import invalid_form_status
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict
from unibridge.core.views_support import (
    add_service_errors,
    editable_or_403,
    see_other,
    visible_or_404,
)
from unibridge.core.visibility import hide_unseen, visible_prefetch
from unibridge.institutions.models import Person
from unibridge.visits.models import Visit

from . import selectors, services
from .choices import ActionItemStatus
from .filters import ActionItemFilterSet, MeetingFilterSet
from .forms import ActionItemForm, ActionItemStatusForm, DecisionForm, MeetingForm
from .models import ActionItem, Decision, Meeting
from .sanitize import minutes_html
from .tables import ACTION_ITEM_BULK_ACTIONS, ACTION_ITEM_COLUMNS, MEETING_COLUMNS

BAD_REQUEST, CONFLICT = 400, 409
PAGE_SIZE = 50


# --- Helpers --------------------------------------------------------------------------------------


def _visible_meeting(request: HttpRequest, uuid) -> Meeting:
    return visible_or_404(selectors.meeting_detail_queryset(request.user), uuid)


def _editable_meeting(request: HttpRequest, uuid) -> Meeting:
    return editable_or_403(selectors.meeting_detail_queryset(request.user), uuid, request.user)


def _visible_item(request: HttpRequest, uuid) -> ActionItem:
    return visible_or_404(selectors.visible_action_items(request.user), uuid)


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
        "meetings/form_page.html",
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
        "meetings/confirm.html",
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
    return reverse("meetings:meeting_list")


# --- Meetings -------------------------------------------------------------------------------------


class MeetingListView(RecordListView):
    title = gettext_lazy("Meetings")
    filterset_class = MeetingFilterSet
    columns = MEETING_COLUMNS
    default_sort = "-starts"
    create_url = reverse_lazy("meetings:meeting_create")

    def get_queryset(self):
        return selectors.meeting_list_queryset(self.request.user)


class ActionItemListView(RecordListView):
    """Every action item the user sees; ticked ones change status or owner together."""

    title = gettext_lazy("Action items")
    filterset_class = ActionItemFilterSet
    columns = ACTION_ITEM_COLUMNS
    default_sort = "due"

    def get_queryset(self):
        return selectors.visible_action_items(self.request.user)

    def can_create(self) -> bool:
        return False  # an action item is added on its meeting's page

    def load(self, ids: list) -> list[ActionItem]:
        # for display: the meeting and owner the user may not see read as None
        return hide_unseen(self.get_queryset().filter(pk__in=ids), *selectors.ACTION_ITEM_LINKS)

    def get_bulk_actions(self):
        return ACTION_ITEM_BULK_ACTIONS

    def row_editable_ids(self, ids) -> set:
        # an owner may change the status (a bulk action) but not edit the item
        editable = Meeting.objects.editable_by(self.request.user).values("pk")
        return set(
            ActionItem.objects.filter(pk__in=ids, meeting__in=editable).values_list("pk", flat=True)
        )


class MeetingDetailView(RecordDetailView):
    template_name = "meetings/meeting_detail.html"
    tabs = [("overview", gettext_lazy("Meeting")), ("history", gettext_lazy("History"))]
    history_children = [(Decision, "meeting"), (ActionItem, "meeting")]

    def get_queryset(self):
        user = self.request.user
        people = Person.objects.select_related("institution").order_by("name_latin", "pk")
        return selectors.meeting_detail_queryset(user).prefetch_related(
            visible_prefetch("participants", Person, user, people), "home_units"
        )

    def tab_context(self, meeting, tab):
        context: dict[str, Any] = {
            "starts": selectors.local_time(meeting.starts_at, meeting.time_zone),
            "ends": selectors.local_time(meeting.ends_at, meeting.time_zone),
            "partner": services.meeting_partner(meeting),
        }
        if tab != "overview":
            return context
        user = self.request.user
        people = list(meeting.participants.all())
        rows = selectors.with_visible_links(
            meeting.action_items.select_related("owner", "partnership__partner", "agreement"),
            user,
        ).order_by("due_on", "pk")
        items = selectors.mark_overdue(
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
                "decision_form": DecisionForm(meeting=meeting),
                "home_units": (
                    meeting.visit.home_units.all() if meeting.visit_id else meeting.home_units.all()
                ),
            }
        )
        return context


class MeetingEditView(RecordEditView):
    """A standalone meeting (``/meetings/new/``), a visit's (``visit_uuid``), or an edit."""

    form_class = MeetingForm
    template_name = "meetings/meeting_form.html"
    error_fields = MeetingForm.ERROR_FIELDS
    visit: Visit | None = None

    def get_queryset(self):
        return selectors.meeting_detail_queryset(self.request.user)

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
        return Meeting(visit=visit, time_zone=services.default_time_zone(visit))

    def form_kwargs(self, instance, visit_uuid=None, **kwargs) -> dict:
        return {**super().form_kwargs(instance), "visit": self._visit(visit_uuid)}

    def save_form(self, form, *, expected_updated) -> Meeting:
        user, values = self.request.user, form.values()
        if form.instance.pk is None:
            return services.meeting_create(user=user, visit=form.visit, values=values)
        return services.meeting_update(
            meeting=form.instance, user=user, values=values, expected_updated=expected_updated
        )

    def cancel_url(self) -> str:
        if self.visit is not None:
            return reverse("visits:visit_tab", args=[self.visit.uuid, "meetings"])
        return reverse("meetings:meeting_list")


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
    services.meeting_delete(meeting=meeting, user=request.user)
    messages.success(request, _("Deleted %(name)s.") % {"name": meeting})
    return see_other(_meetings_home(meeting))


# --- Decisions ------------------------------------------------------------------------------------


def _decisions_url(meeting: Meeting) -> str:
    return meeting.get_absolute_url() + "#decisions"


@login_required
@require_POST
def decision_add(request: HttpRequest, uuid) -> HttpResponse:
    meeting = _editable_meeting(request, uuid)
    form = DecisionForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.decision_add(
                meeting=meeting,
                user=request.user,
                text=form.cleaned_data["text"],
                translations=form.translations(),
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
            services.decision_update(
                decision=decision,
                user=request.user,
                text=form.cleaned_data["text"],
                translations=form.translations(),
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
    services.decision_delete(decision=decision, user=request.user)
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
    services.decision_move(decision=decision, user=request.user, offset=offsets[direction])
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
        if item.pk is None:
            saved = services.action_item_create(
                meeting=meeting, user=request.user, values=form.values()
            )
        else:
            saved = services.action_item_update(
                item=item,
                user=request.user,
                values=form.values(),
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
    if saved.owner_id is None:
        # an item nobody owns is nobody's reminder: say so while it can still be fixed
        messages.warning(
            request, _("Saved the action item. It has no owner yet: choose who will do it.")
        )
    else:
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
    services.action_item_delete(item=item, user=request.user)
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
    hide_unseen([item], *selectors.ACTION_ITEM_LINKS)
    selectors.mark_overdue([item], timezone.localdate())
    return render(
        request,
        "meetings/action_item_detail.html",
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
    services.action_item_set_status(
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
            selectors.with_visible_links(
                chosen.select_related(*selectors.ACTION_ITEM_RELATIONS), request.user
            ),
            *selectors.ACTION_ITEM_LINKS,
        )
    }
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


@login_required
@require_GET
def my_action_items(request: HttpRequest) -> HttpResponse:
    """The user's own action items: open ones first, overdue ones marked."""
    items = selectors.first_open(
        selectors.visible_action_items(request.user).filter(owner__user=request.user)
    )
    page = _paged(request, items)
    page.object_list = selectors.mark_overdue(page.object_list, timezone.localdate())
    return render(
        request,
        "meetings/my_action_items.html",
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
    items = selectors.visible_action_items(request.user).overdue(today).order_by("due_on", "pk")
    page = _paged(request, items)
    page.object_list = selectors.mark_overdue(page.object_list, today)
    return render(
        request,
        "meetings/overdue_action_items.html",
        {"title": _("Overdue action items"), "page": page},
    )
