"""Pages for visits: list, detail with tabs, create and edit, status, participants, checklist.

Plain CRUD uses the core record views. Each action is a small function view that calls its
service: a visit the user may not see answers 404, one they may not change 403, an action its
status does not allow 409 with the reason, bad input 400 with the form's errors.
"""

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, re_path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from unibridge.agreements.models import Agreement
from unibridge.core.crud import RecordDetailView, RecordEditView, RecordListView
from unibridge.core.forms import invalid_form_status
from unibridge.core.services import EditConflict
from unibridge.core.tables import EDIT
from unibridge.core.views_support import (
    BAD_REQUEST,
    CONFLICT,
    add_service_errors,
    editable_or_403,
    error_status,
    refused_page,
    see_other,
    visible_or_404,
)
from unibridge.institutions.models import Institution
from unibridge.meetings import selectors as meeting_selectors

from . import (
    document_views,
    filters,
    forms,
    programme_views,
    publication_views,
    selectors,
    services,
    tables,
)
from .choices import ParticipantSide
from .models import ChecklistItem, NewsDraft, Visit, VisitDocument, VisitParticipant


class VisitListView(RecordListView):
    title = gettext_lazy("Visits")
    filterset_class = filters.VisitFilterSet
    columns = tables.VISIT_COLUMNS
    default_sort = "-start"
    create_url = reverse_lazy("visits:visit_create")
    row_actions = (EDIT,)  # a visit is deleted from its own page, while planned or cancelled

    def get_queryset(self):
        return selectors.visit_list(self.request.user).prefetch_related("home_units")


class VisitDetailView(RecordDetailView):
    template_name = "visits/visit_detail.html"
    tabs = [
        ("overview", gettext_lazy("Overview")),
        ("participants", gettext_lazy("Participants")),
        ("programme", gettext_lazy("Programme")),
        ("checklist", gettext_lazy("Logistics")),
        ("meetings", gettext_lazy("Meetings")),
        ("documents", gettext_lazy("Documents")),
        ("news", gettext_lazy("News draft")),
        ("history", gettext_lazy("History")),
    ]
    history_children = [(VisitDocument, "visit"), (NewsDraft, "visit")]
    # tabs whose context another module of the app builds
    tab_builders = {
        "programme": programme_views.tab_context,
        "meetings": meeting_selectors.visit_meetings_tab,
        "documents": document_views.tab_context,
        "news": publication_views.tab_context,  # news_views' with the publications
    }
    # set by the action views that answer an error with this page (see _refused)
    extra_context: dict[str, Any] | None = None

    def get_queryset(self):
        return selectors.visit_detail(self.request.user)

    def tab_context(self, visit, tab):
        user = self.request.user
        context: dict[str, Any] = {
            "actions": selectors.visit_actions(visit, user),
            **(self.extra_context or {}),
        }
        builder = self.tab_builders.get(tab)
        if builder:
            context.update(builder(visit, user))
        today = timezone.localdate()
        if tab == "overview":
            context["goal_list"] = [
                line.strip() for line in visit.goals.splitlines() if line.strip()
            ]
            context["overdue_count"] = selectors.overdue_checklist_count(visit, today)
            if context["actions"]["can_edit"]:
                context.setdefault(
                    "link_form",
                    forms.LinkAgreementForm(queryset=selectors.agreements_to_link(visit, user)),
                )
        elif tab == "participants":
            sides = selectors.participants_of(visit, user)
            context["delegation"] = sides[ParticipantSide.DELEGATION]
            context["home_participants"] = sides[ParticipantSide.HOME]
        elif tab == "checklist":
            context["checklist"] = selectors.checklist_of(visit, today)
            context["today"] = today
        return context


# --- Helpers -------------------------------------------------------------------------------------


def _editable(request: HttpRequest, uuid) -> Visit:
    return editable_or_403(selectors.visit_detail(request.user), uuid, request.user)


# The record's page with the service's reasons, as 409 (status) or 400 (input).
_refused = partial(refused_page, VisitDetailView, conflict=services.TransitionError)


def _form_page(
    request: HttpRequest, visit: Visit, form: Form, *, title: str, submit: str,
    cancel_url: str, intro: str = "", status: int = 200, conflict: bool = False,
) -> HttpResponse:  # fmt: skip
    context = {
        "object": visit,
        "form": form,
        "title": title,
        "intro": intro,
        "submit_label": submit,
        "cancel_url": cancel_url,
        "conflict": conflict,
    }
    return render(request, "visits/form_page.html", context, status=status)


def _confirm_page(
    request: HttpRequest, visit: Visit, *, title: str, text: str, submit: str, cancel_url: str
) -> HttpResponse:
    context = {
        "object": visit,
        "title": title,
        "text": text,
        "submit_label": submit,
        "cancel_url": cancel_url,
    }
    return render(request, "visits/confirm.html", context)


def _tab_url(visit: Visit, tab: str) -> str:
    return reverse("visits:visit_tab", args=[visit.uuid, tab])


# --- Create, edit, delete ------------------------------------------------------------------------


class VisitCreateView(LoginRequiredMixin, View):
    """A new planned visit through ``services.visit_plan`` (which makes its checklist)."""

    template_name = "visits/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_write:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def prefilled_partner(self) -> Institution | None:
        """``?partner=<uuid>`` from the partner's page."""
        partner_uuid = self.request.GET.get("partner", "")
        try:
            return Institution.objects.filter(uuid=partner_uuid, is_home=False).first()
        except ValidationError:  # not a uuid: no prefilled partner, not a 500
            return None

    def render_form(self, form, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "title": _("New visit"),
            "cancel_url": reverse("visits:visit_list"),
            "conflict": None,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        partner = self.prefilled_partner()
        return self.render_form(forms.VisitForm(user=request.user, partner=partner))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.VisitForm(
            data=request.POST, user=request.user, partner=self.prefilled_partner()
        )
        if not form.is_valid():
            return self.render_form(form, status=BAD_REQUEST)
        try:
            visit = services.visit_plan(user=request.user, values=form.values())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_form(form, status=BAD_REQUEST)
        messages.success(request, _("Created the visit %(name)s.") % {"name": visit})
        return see_other(visit.get_absolute_url())


class VisitEditView(RecordEditView):
    """The visit's fields, with optimistic locking (a conflict answers 409 with both sides)."""

    form_class = forms.VisitForm
    template_name = "visits/visit_form.html"

    def get_queryset(self):
        return selectors.visit_detail(self.request.user)

    def can_create(self, **kwargs) -> bool:
        return False  # creation goes through VisitCreateView and its service

    def save_form(self, form, *, expected_updated) -> Visit:
        # the service lets the meetings follow the visit's partner and confidentiality
        return services.visit_change(
            visit=form.instance,
            user=self.request.user,
            values=form.values(),
            expected_updated=expected_updated,
        )


@login_required
@require_http_methods(["GET", "POST"])
def visit_delete(request: HttpRequest, uuid) -> HttpResponse:
    """Delete a planned or cancelled visit without meetings; others stay on record."""
    visit = _editable(request, uuid)
    if visit.status not in services.DELETABLE:
        return _refused(
            request, visit, services.TransitionError(status=visit.status, action="delete")
        )
    if request.method == "GET":
        return _confirm_page(
            request,
            visit,
            title=_("Delete %(name)s?") % {"name": visit},
            text=_("The visit, its participants, programme and checklist disappear."),
            submit=_("Delete"),
            cancel_url=visit.get_absolute_url(),
        )
    try:
        services.visit_delete(visit=visit, user=request.user)
    except ValidationError as error:
        return _refused(request, visit, error)
    messages.success(request, _("Deleted %(name)s.") % {"name": visit})
    return see_other(reverse("visits:visit_list"))


# --- Status --------------------------------------------------------------------------------------

STATUS_MESSAGES = {
    "confirm": gettext_lazy("The visit is confirmed."),
    "start": gettext_lazy("The visit is under way."),
    "complete": gettext_lazy("The visit is completed."),
}


@login_required
@require_POST
def visit_status(request: HttpRequest, uuid, action: str) -> HttpResponse:
    """Confirm, start or complete (cancelling has its own page: it needs a reason)."""
    visit = _editable(request, uuid)
    if action not in STATUS_MESSAGES:
        return see_other(visit.get_absolute_url())
    try:
        services.visit_transition(visit=visit, user=request.user, action=action)
    except ValidationError as error:
        return _refused(request, visit, error)
    messages.success(request, str(STATUS_MESSAGES[action]))
    return see_other(visit.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def visit_cancel(request: HttpRequest, uuid) -> HttpResponse:
    visit = _editable(request, uuid)
    allowed = services.TRANSITIONS["cancel"][0]
    if visit.status not in allowed:
        return _refused(
            request, visit, services.TransitionError(status=visit.status, action="cancel")
        )
    data = request.POST if request.method == "POST" else None
    form = forms.CancelForm(data)
    page = {
        "title": _("Cancel %(name)s") % {"name": visit},
        "submit": _("Cancel the visit"),
        "cancel_url": visit.get_absolute_url(),
        "intro": _("The visit stays on record as cancelled, with the reason."),
    }
    if data is None:
        return _form_page(request, visit, form, **page)
    if not form.is_valid():
        return _form_page(request, visit, form, status=BAD_REQUEST, **page)
    try:
        services.visit_transition(
            visit=visit, user=request.user, action="cancel", reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _form_page(
            request, visit, form, status=error_status(error, services.TransitionError), **page
        )
    messages.success(request, _("The visit is cancelled."))
    return see_other(visit.get_absolute_url())


# --- Agreements signed during the visit ----------------------------------------------------------


@login_required
@require_POST
def agreement_link(request: HttpRequest, uuid) -> HttpResponse:
    visit = _editable(request, uuid)
    form = forms.LinkAgreementForm(
        request.POST, queryset=selectors.agreements_to_link(visit, request.user)
    )
    if not form.is_valid():
        error = ValidationError([e for errors in form.errors.values() for e in errors])
        return _refused(request, visit, error, link_form=form)
    agreement = form.cleaned_data["agreement"]
    try:
        services.visit_link_agreement(visit=visit, user=request.user, agreement=agreement)
    except ValidationError as error:
        return _refused(request, visit, error, link_form=form)
    messages.success(
        request, _("Linked %(agreement)s to the visit.") % {"agreement": agreement.reference}
    )
    return see_other(visit.get_absolute_url())


@login_required
@require_POST
def agreement_unlink(request: HttpRequest, uuid, agreement_uuid) -> HttpResponse:
    visit = _editable(request, uuid)
    agreement = get_object_or_404(Agreement, uuid=agreement_uuid, visits=visit)
    services.visit_unlink_agreement(visit=visit, user=request.user, agreement=agreement)
    messages.success(
        request, _("Unlinked %(agreement)s from the visit.") % {"agreement": agreement.reference}
    )
    return see_other(visit.get_absolute_url())


# --- Participants --------------------------------------------------------------------------------


def _side(request: HttpRequest) -> str:
    side = request.GET.get("side") or request.POST.get("side") or ParticipantSide.DELEGATION
    return side if side in ParticipantSide.values else ParticipantSide.DELEGATION


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, uuid, participant_id: int | None = None) -> HttpResponse:
    """Add (``?side=delegation|home``) or change a participant; a new person may be typed in."""
    visit = _editable(request, uuid)
    if participant_id is None:
        participant = VisitParticipant(visit=visit, side=_side(request))
    else:
        participant = get_object_or_404(
            visit.participants.select_related("person"), pk=participant_id
        )
    side = participant.side
    data = request.POST if request.method == "POST" else None
    form = forms.ParticipantForm(
        data, instance=participant, user=request.user, visit=visit, side=side
    )
    cancel_url = _tab_url(visit, "participants")
    if participant.pk:
        title = _("Change %(person)s") % {"person": participant.person}
    elif side == ParticipantSide.DELEGATION:
        title = _("Add a delegation member")
    else:
        title = _("Add a home participant")

    def page(status: int = 200, conflict: bool = False) -> HttpResponse:
        return _form_page(
            request, visit, form, title=title, submit=_("Save"), cancel_url=cancel_url,
            status=status, conflict=conflict,
        )  # fmt: skip

    if data is None:
        return page()
    if not form.is_valid():
        return page(invalid_form_status(form))
    try:
        if participant.pk:
            saved = services.participant_change(
                participant=participant,
                user=request.user,
                values=form.values(),
                expected_updated=form.cleaned_data.get("version"),
            )
        else:
            saved = services.participant_create(
                visit=visit,
                user=request.user,
                side=side,
                values=form.values(),
                new_person=form.new_person(),
            )
    except EditConflict as error:
        fresh = request.POST.copy()
        fresh["version"] = error.current.updated.isoformat()
        stored = visit.participants.get(pk=participant.pk)
        form = forms.ParticipantForm(
            fresh, instance=stored, user=request.user, visit=visit, side=side
        )
        form.is_valid()
        form.add_error(None, _("Someone else saved this participant while you were editing."))
        return page(CONFLICT, conflict=True)
    except ValidationError as error:
        add_service_errors(form, error, forms.ParticipantForm.ERROR_FIELDS)
        return page(BAD_REQUEST)
    messages.success(request, _("Saved %(person)s.") % {"person": saved.person})
    return see_other(cancel_url)


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request: HttpRequest, uuid, participant_id: int) -> HttpResponse:
    visit = _editable(request, uuid)
    participant = get_object_or_404(visit.participants.select_related("person"), pk=participant_id)
    cancel_url = _tab_url(visit, "participants")
    if request.method == "GET":
        return _confirm_page(
            request,
            visit,
            title=_("Remove %(person)s from the visit?") % {"person": participant.person},
            text=_("The person stays in the directory."),
            submit=_("Remove"),
            cancel_url=cancel_url,
        )
    services.participant_remove(participant=participant, user=request.user)
    messages.success(request, _("Removed %(person)s.") % {"person": participant.person})
    return see_other(cancel_url)


# --- The logistics checklist ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checklist_item_edit(request: HttpRequest, uuid, item_id: int | None = None) -> HttpResponse:
    visit = _editable(request, uuid)
    if item_id is None:
        item = ChecklistItem(visit=visit)
    else:
        item = get_object_or_404(visit.checklist.all(), pk=item_id)
    data = request.POST if request.method == "POST" else None
    form = forms.ChecklistItemForm(data, instance=item)
    cancel_url = _tab_url(visit, "checklist")
    title = _("Change “%(task)s”") % {"task": item} if item.pk else _("Add a logistics task")

    def page(status: int = 200, conflict: bool = False) -> HttpResponse:
        return _form_page(
            request, visit, form, title=title, submit=_("Save"), cancel_url=cancel_url,
            status=status, conflict=conflict,
        )  # fmt: skip

    if data is None:
        return page()
    if not form.is_valid():
        return page(invalid_form_status(form))
    try:
        services.checklist_item_save(
            item=form.instance, user=request.user, expected_updated=form.cleaned_data.get("version")
        )
    except EditConflict as error:
        fresh = request.POST.copy()
        fresh["version"] = error.current.updated.isoformat()
        form = forms.ChecklistItemForm(fresh, instance=visit.checklist.get(pk=item.pk))
        form.is_valid()
        form.add_error(None, _("Someone else saved this task while you were editing it."))
        return page(CONFLICT, conflict=True)
    except ValidationError as error:
        add_service_errors(form, error)
        return page(BAD_REQUEST)
    messages.success(request, _("Saved “%(task)s”.") % {"task": form.instance})
    return see_other(cancel_url)


@login_required
@require_POST
def checklist_item_toggle(request: HttpRequest, uuid, item_id: int) -> HttpResponse:
    """Mark a task done or not done: the visit's editors and the task's owner may."""
    visit = visible_or_404(selectors.visit_detail(request.user), uuid)
    item = get_object_or_404(visit.checklist.all(), pk=item_id)
    done = request.POST.get("done") == "1"
    services.checklist_item_toggle(item=item, user=request.user, done=done)
    return see_other(_tab_url(visit, "checklist"))


@login_required
@require_http_methods(["GET", "POST"])
def checklist_item_delete(request: HttpRequest, uuid, item_id: int) -> HttpResponse:
    visit = _editable(request, uuid)
    item = get_object_or_404(visit.checklist.all(), pk=item_id)
    cancel_url = _tab_url(visit, "checklist")
    if request.method == "GET":
        return _confirm_page(
            request,
            visit,
            title=_("Delete the task “%(task)s”?") % {"task": item},
            text="",
            submit=_("Delete"),
            cancel_url=cancel_url,
        )
    services.checklist_item_delete(item=item, user=request.user)
    messages.success(request, _("Deleted the task “%(task)s”.") % {"task": item})
    return see_other(cancel_url)


# The tab pattern names its tabs, so that other two-segment addresses of a visit (such as a
# programme's .ics) are not taken for unknown tabs.
TAB_PATTERN = "|".join(key for key, _label in VisitDetailView.tabs if key != "overview")

urlpatterns: list[URLPattern] = [
    path("visits/", VisitListView.as_view(), name="visit_list"),
    path("visits/new/", VisitCreateView.as_view(), name="visit_create"),
    path("visits/<uuid:uuid>/", VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<uuid:uuid>/edit/", VisitEditView.as_view(), name="visit_edit"),
    path("visits/<uuid:uuid>/delete/", visit_delete, name="visit_delete"),
    path("visits/<uuid:uuid>/cancel/", visit_cancel, name="visit_cancel"),
    path("visits/<uuid:uuid>/status/<slug:action>/", visit_status, name="visit_status"),
    path("visits/<uuid:uuid>/agreements/link/", agreement_link, name="visit_agreement_link"),
    path(
        "visits/<uuid:uuid>/agreements/<uuid:agreement_uuid>/unlink/",
        agreement_unlink,
        name="visit_agreement_unlink",
    ),
    path("visits/<uuid:uuid>/participants/add/", participant_edit, name="participant_add"),
    path(
        "visits/<uuid:uuid>/participants/<int:participant_id>/edit/",
        participant_edit,
        name="participant_edit",
    ),
    path(
        "visits/<uuid:uuid>/participants/<int:participant_id>/remove/",
        participant_remove,
        name="participant_remove",
    ),
    path("visits/<uuid:uuid>/checklist/add/", checklist_item_edit, name="checklist_add"),
    path(
        "visits/<uuid:uuid>/checklist/<int:item_id>/edit/",
        checklist_item_edit,
        name="checklist_edit",
    ),
    path(
        "visits/<uuid:uuid>/checklist/<int:item_id>/toggle/",
        checklist_item_toggle,
        name="checklist_toggle",
    ),
    path(
        "visits/<uuid:uuid>/checklist/<int:item_id>/delete/",
        checklist_item_delete,
        name="checklist_delete",
    ),
    re_path(
        rf"^visits/(?P<uuid>[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})/(?P<tab>{TAB_PATTERN})/$",
        VisitDetailView.as_view(),
        name="visit_tab",
    ),
]
