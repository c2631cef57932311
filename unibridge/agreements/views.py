"""Pages for agreements: list, detail with its lifecycle buttons, create/edit, parties, conditions.

Plain CRUD uses the core record views. Each lifecycle action is a small function view that
calls its service: an agreement the user may not see answers 404, one they may not change 403,
an action its status does not allow 409 with the reason, bad input 400 with the form's errors.
"""

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unibridge.core.crud import RecordDetailView, RecordEditView, RecordListView, history_count
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

from . import document_views, filters, forms, lifecycle_services, selectors, services, tables
from .models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    ApprovalStep,
    CooperationCondition,
)


class AgreementListView(RecordListView):
    title = gettext_lazy("Agreements")
    filterset_class = filters.AgreementFilterSet
    columns = tables.AGREEMENT_COLUMNS
    default_sort = "-effective"
    create_url = reverse_lazy("agreements:agreement_create")
    template_name = "agreements/agreement_list.html"  # adds the office's Import button
    row_actions = (EDIT,)  # only a draft is deleted, from its own page

    def get_queryset(self):
        return selectors.agreement_list(self.request.user)

    def get_bulk_actions(self):
        return tables.AGREEMENT_BULK_ACTIONS

    def load(self, ids: list[int]) -> list[Agreement]:
        return selectors.agreement_rows(self.request.user, ids)


class AgreementDetailView(RecordDetailView):
    template_name = "agreements/agreement_detail.html"
    tabs = [
        ("overview", gettext_lazy("Overview")),
        ("parties", gettext_lazy("Parties")),
        ("conditions", gettext_lazy("Conditions")),
        ("approvals", gettext_lazy("Approvals")),
        ("documents", gettext_lazy("Documents")),
        ("history", gettext_lazy("History")),
    ]
    history_children = [(AgreementDocument, "agreement")]
    # set by the action views that answer an error with this page (see _refused)
    extra_context: dict[str, Any] | None = None

    def get_queryset(self):
        return selectors.agreement_detail(self.request.user)

    def tab_counts(self, agreement) -> dict[str, int]:
        counts = selectors.tab_counts(agreement, self.request.user)
        counts["history"] = history_count(agreement, children=self.history_children)
        return counts

    def tab_context(self, agreement, tab):
        user = self.request.user
        actions = selectors.agreement_actions(agreement, user)
        selectors.for_display(agreement)  # the page saves nothing: hide what user may not see
        context: dict[str, Any] = {
            "actions": actions,
            "next_step": selectors.next_step(agreement, user, actions=actions),
            **(self.extra_context or {}),
        }
        if tab == "conditions":
            context["conditions"] = agreement.conditions.select_related(
                "sending_institution", "receiving_institution", "sending_unit", "receiving_unit"
            ).prefetch_related("subject_areas", "language_requirements")
        elif tab == "documents":
            context.update(document_views.documents_tab_context(agreement))
        elif tab == "approvals":
            context["approvals"] = selectors.approval_rows(agreement)
            if actions["decide"]:
                context.setdefault("decision_form", forms.DecisionForm())
        elif tab == "overview":
            context["children"] = (
                Agreement.objects.visible_to(user)
                .filter(parent=agreement)
                .select_related("agreement_type")
            )
        return context


# --- Helpers -------------------------------------------------------------------------------------


def _editable(request: HttpRequest, uuid) -> Agreement:
    return editable_or_403(selectors.agreement_detail(request.user), uuid, request.user)


# The record's page with the service's reasons, as 409 (status) or 400 (input).
_refused = partial(refused_page, AgreementDetailView, conflict=services.TransitionError)


def _check_allowed(agreement: Agreement, action: str) -> None:
    """Refuse a form page at once when the status does not allow its action."""
    if agreement.status not in services.ACTIONS[action][0]:
        raise services.TransitionError(status=agreement.status, action=action)


def _form_page(
    request: HttpRequest, agreement: Agreement, form: Form, *, title: str, submit: str,
    intro: str = "", status: int = 200, template: str = "agreements/form_page.html",
    **extra: Any,
) -> HttpResponse:  # fmt: skip
    context = {
        "object": agreement,
        "form": form,
        "title": title,
        "intro": intro,
        "submit_label": submit,
        "cancel_url": agreement.get_absolute_url(),
        **extra,
    }
    return render(request, template, context, status=status)


# --- Create and edit -----------------------------------------------------------------------------


class AgreementCreateView(LoginRequiredMixin, View):
    """A new draft through ``services.agreement_create`` (reference number, home party)."""

    template_name = "agreements/agreement_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_write:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def prefilled(self) -> tuple[Institution | None, dict[str, Any]]:
        """``?partner=<uuid>`` and ``?parent=<uuid>`` from the partner's or umbrella's page."""
        initial: dict[str, Any] = {}
        partner = None
        partner_uuid = self.request.GET.get("partner", "")
        if partner_uuid:
            partner = Institution.objects.filter(uuid=partner_uuid, is_home=False).first()
        parent_uuid = self.request.GET.get("parent", "")
        parent = (
            Agreement.objects.visible_to(self.request.user)
            .filter(uuid=parent_uuid)
            .prefetch_related("parties__institution")
            .first()
            if parent_uuid
            else None
        )
        partners = [partner] if partner else []
        if parent is not None:
            initial["parent"] = parent.reference
            initial["cooperation_areas"] = parent.cooperation_areas
            initial["is_confidential"] = parent.is_confidential
            partners += [p.institution for p in parent.parties.all() if not p.institution.is_home]
        if partners:
            initial["partners"] = list(dict.fromkeys(p.pk for p in partners))
        return partner, initial

    def render_form(self, form, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "title": _("New agreement"),
            "cancel_url": reverse("agreements:agreement_list"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        partner, initial = self.prefilled()
        return self.render_form(
            forms.AgreementCreateForm(user=request.user, partner=partner, initial=initial)
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        partner, _initial = self.prefilled()
        form = forms.AgreementCreateForm(data=request.POST, user=request.user, partner=partner)
        if not form.is_valid():
            return self.render_form(form, status=BAD_REQUEST)
        data = form.cleaned_data
        home = Institution.objects.filter(is_home=True).first()
        parties = [services.PartyInput(home, data["home_units"])] if home else []
        parties += [services.PartyInput(institution) for institution in data["partners"]]
        fields = {name: data[name] for name in services.CREATE_FIELDS if name in data}
        try:
            agreement = services.agreement_create(
                user=request.user,
                agreement_type=data["agreement_type"],
                title=data["title"],
                parties=parties,
                responsible_people=data["responsible_people"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error, {"parties": "partners"})
            return self.render_form(form, status=BAD_REQUEST)
        except PermissionDenied as error:
            # the service's rule about the coordinator's own units, told at the field
            form.add_error("home_units", str(error))
            return self.render_form(form, status=BAD_REQUEST)
        messages.success(
            request,
            _("Created the draft %(reference)s.") % {"reference": agreement.reference},
        )
        return see_other(agreement.get_absolute_url())


class AgreementEditView(RecordEditView):
    """The agreement's fields; after the draft stage only the internal ones (see the form)."""

    form_class = forms.AgreementForm
    template_name = "agreements/agreement_form.html"
    m2m_fields = ("responsible_people",)

    def get_queryset(self):
        return selectors.agreement_detail(self.request.user)

    def can_create(self, **kwargs) -> bool:
        return False  # creation goes through AgreementCreateView and its service

    def form_kwargs(self, instance, **kwargs):
        # the people picker also offers the (first) partner's staff
        partners = [p.institution for p in instance.parties.all() if not p.institution.is_home]
        return {**super().form_kwargs(instance, **kwargs), "partner": next(iter(partners), None)}


@login_required
@require_http_methods(["GET", "POST"])
def agreement_delete(request: HttpRequest, uuid) -> HttpResponse:
    """Delete a draft; later an agreement stays on record (it expires or is terminated)."""
    agreement = _editable(request, uuid)
    try:
        _check_allowed(agreement, "delete")
    except ValidationError as error:
        return _refused(request, agreement, error)
    if request.method == "GET":
        return render(
            request,
            "agreements/confirm.html",
            {
                "object": agreement,
                "title": _("Delete %(name)s?") % {"name": agreement},
                "text": _("The draft disappears; its reference number is not given again."),
                "submit_label": _("Delete"),
                "cancel_url": agreement.get_absolute_url(),
            },
        )
    try:
        services.agreement_delete(agreement=agreement, user=request.user)
    except ValidationError as error:
        return _refused(request, agreement, error)
    except ProtectedError:
        messages.error(
            request, _("Agreements under this one name it as their umbrella: change them first.")
        )
        return see_other(agreement.get_absolute_url())
    messages.success(request, _("Deleted %(name)s.") % {"name": agreement})
    return see_other(reverse("agreements:agreement_list"))


PICKER_LIMIT = 20


@login_required
@require_GET
def institution_picker(request: HttpRequest) -> HttpResponse:
    """HTMX: partner institutions matching ?<name>_q=, as checkboxes to add to a form."""
    name = request.GET.get("name", "partners")
    query = (request.GET.get(f"{name}_q") or request.GET.get("q") or "").strip()
    institutions = Institution.objects.none()
    if len(query) >= 2:
        institutions = (
            Institution.objects.filter(is_home=False)
            .filter(
                Q(name__icontains=query)
                | Q(name_en__icontains=query)
                | Q(name_ru__icontains=query)
                | Q(name_kk__icontains=query)
                | Q(name_pl__icontains=query)
                | Q(acronym__icontains=query)
                | Q(hei_id__icontains=query)
            )
            .exclude(pk__in=[pk for pk in request.GET.getlist(name) if pk.isdigit()])
            .order_by("name", "pk")[:PICKER_LIMIT]
        )
    return render(
        request,
        "agreements/partials/institution_picker.html",
        {"institutions": institutions, "name": name, "query": query},
    )


# --- Parties -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def parties_edit(request: HttpRequest, uuid) -> HttpResponse:
    """All parties on one page: units (draft), signatories (until signed), add or remove."""
    agreement = _editable(request, uuid)
    try:
        _check_allowed(agreement, "change_signatory")
    except ValidationError as error:
        return _refused(request, agreement, error, tab="parties")
    data = request.POST if request.method == "POST" else None
    in_draft = agreement.status in services.ACTIONS["change_terms"][0]

    def build(data) -> tuple[list[forms.PartyForm], forms.AddPartiesForm | None]:
        parties = list(
            agreement.parties.select_related("institution", "signature", "agreement")
            .prefetch_related("units")
            .order_by("order", "pk")
        )
        for party in parties:
            party.agreement = agreement  # one object: the forms read its parties' languages once
        party_forms = [
            forms.PartyForm(data, instance=party, prefix=f"party-{party.pk}", user=request.user)
            for party in parties
        ]
        return party_forms, forms.AddPartiesForm(data, prefix="add") if in_draft else None

    party_forms, add_form = build(data)

    def page(status: int = 200, conflict: bool = False) -> HttpResponse:
        return _form_page(
            request,
            agreement,
            None,
            title=_("Parties to %(name)s") % {"name": agreement.reference},
            submit=_("Save"),
            status=status,
            template="agreements/parties_form.html",
            party_forms=party_forms,
            add_form=add_form,
            conflict=conflict,
        )

    if data is None:
        return page()
    all_forms = [*party_forms, *([add_form] if add_form else [])]
    if not all(f.is_valid() for f in all_forms):
        return page(BAD_REQUEST)
    current: Form = party_forms[0]
    try:
        with transaction.atomic():
            for current in party_forms:
                values = current.cleaned_data
                if values.get("remove"):
                    services.party_remove(party=current.instance, user=request.user)
                    continue
                services.party_update(
                    party=current.instance,
                    user=request.user,
                    units=values["units"],
                    signatory=values["signatory"],
                    signatory_position=values["signatory_position"],
                    position_translations=current.translations().get("signatory_position"),
                    expected_updated=values["version"],
                )
            if add_form is not None:
                current = add_form
                for institution in add_form.cleaned_data["institutions"]:
                    services.party_add(
                        agreement=agreement, user=request.user, institution=institution
                    )
    except EditConflict:
        # Someone saved the parties meanwhile: the forms keep what this user typed, on top
        # of the stored state and its new versions, so a second save is a deliberate one.
        fresh = request.POST.copy()
        party_forms, add_form = build(None)
        for form in party_forms:
            fresh[form.add_prefix("version")] = form.instance.updated.isoformat()
        party_forms, add_form = build(fresh)
        for form in [*party_forms, *([add_form] if add_form else [])]:
            form.is_valid()
        return page(CONFLICT, conflict=True)
    except ValidationError as error:
        add_service_errors(current, error, {"institution": "institutions"})
        return page(error_status(error, services.TransitionError))
    messages.success(request, _("Saved the parties to %(name)s.") % {"name": agreement.reference})
    return see_other(agreement.get_absolute_url() + "parties/")


# --- Cooperation conditions ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def condition_edit(request: HttpRequest, uuid, condition_id: int | None = None) -> HttpResponse:
    """Add or change a cooperation condition of a draft whose type has conditions."""
    agreement = _editable(request, uuid)
    if condition_id is None:
        condition = CooperationCondition(agreement=agreement)
    else:
        condition = get_object_or_404(agreement.conditions, pk=condition_id)
    try:
        _check_allowed(agreement, "change_terms")
        services.check_conditions_allowed(agreement)
    except ValidationError as error:
        return _refused(request, agreement, error, tab="conditions")
    title = _("Change the condition") if condition.pk else _("New cooperation condition")
    data = request.POST if request.method == "POST" else None
    form = forms.ConditionForm(data, instance=condition, user=request.user)

    def page(status: int = 200, conflict: bool = False) -> HttpResponse:
        return _form_page(
            request, agreement, form, title=title, submit=_("Save"), status=status,
            conflict=conflict, cancel_url=agreement.get_absolute_url() + "conditions/",
        )  # fmt: skip

    if data is None:
        return page()
    if not form.is_valid():
        return page(invalid_form_status(form))
    try:
        services.condition_save(
            agreement=agreement,
            user=request.user,
            condition=form.instance,
            subject_areas=form.subject_area_list,
            language_requirements=form.language_list,
            expected_updated=form.cleaned_data.get("version"),
        )
    except EditConflict as error:
        fresh = request.POST.copy()
        fresh["version"] = error.current.updated.isoformat()
        stored = agreement.conditions.get(pk=condition.pk)
        form = forms.ConditionForm(fresh, instance=stored, user=request.user)
        form.is_valid()
        form.add_error(None, _("Someone else saved this condition while you were editing it."))
        return page(CONFLICT, conflict=True)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form.add_condition_errors(error.error_dict)
        else:
            form.add_error(None, error)
        return page(error_status(error, services.TransitionError))
    messages.success(request, _("Saved the cooperation condition."))
    return see_other(agreement.get_absolute_url() + "conditions/")


@login_required
@require_http_methods(["GET", "POST"])
def condition_delete(request: HttpRequest, uuid, condition_id: int) -> HttpResponse:
    agreement = _editable(request, uuid)
    condition = get_object_or_404(agreement.conditions, pk=condition_id)
    try:
        _check_allowed(agreement, "change_terms")
    except ValidationError as error:
        return _refused(request, agreement, error, tab="conditions")
    cancel_url = agreement.get_absolute_url() + "conditions/"
    if request.method == "GET":
        return render(
            request,
            "agreements/confirm.html",
            {
                "object": agreement,
                "title": _("Delete the condition “%(name)s”?") % {"name": condition},
                "text": "",
                "submit_label": _("Delete"),
                "cancel_url": cancel_url,
            },
        )
    try:
        services.condition_delete(condition=condition, user=request.user)
    except ValidationError as error:
        return _refused(request, agreement, error, tab="conditions")
    messages.success(request, _("Deleted the cooperation condition."))
    return see_other(cancel_url)


# --- The lifecycle -------------------------------------------------------------------------------


@login_required
@require_POST
def agreement_submit(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _editable(request, uuid)
    try:
        lifecycle_services.agreement_submit(agreement=agreement, user=request.user)
    except ValidationError as error:
        return _refused(request, agreement, error)
    if agreement.status == services.Status.APPROVED:
        messages.success(request, _("Approved: this type of agreement needs no internal review."))
    else:
        messages.success(request, _("Sent for approval."))
    return see_other(agreement.get_absolute_url() + "approvals/")


@login_required
@require_POST
def approval_decide(request: HttpRequest, uuid, step_id: int) -> HttpResponse:
    """Approve or reject the current step: those it is assigned to (the service checks; a
    refusal answers 403 with the reason on the approvals tab)."""
    agreement = visible_or_404(selectors.agreement_detail(request.user), uuid)
    step = get_object_or_404(ApprovalStep, agreement=agreement, pk=step_id)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        error = ValidationError([e for errors in form.errors.values() for e in errors])
        return _refused(request, agreement, error, tab="approvals", decision_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        lifecycle_services.approval_decide(
            step=step, user=request.user, approve=approve, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        return _refused(request, agreement, error, tab="approvals", decision_form=form)
    except PermissionDenied as error:
        response = _refused(request, agreement, ValidationError(str(error)), tab="approvals")
        response.status_code = 403
        return response
    if approve:
        messages.success(request, _("Approved “%(step)s”.") % {"step": step.name})
    else:
        messages.success(
            request, _("Rejected “%(step)s”: the agreement is a draft again.") % {"step": step.name}
        )
    return see_other(agreement.get_absolute_url() + "approvals/")


@login_required
@require_POST
def agreement_start_signing(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _editable(request, uuid)
    try:
        lifecycle_services.agreement_start_signing(agreement=agreement, user=request.user)
    except ValidationError as error:
        return _refused(request, agreement, error)
    messages.success(request, _("Sent to the parties for signature."))
    return see_other(agreement.get_absolute_url() + "parties/")


@login_required
@require_http_methods(["GET", "POST"])
def signature_record(request: HttpRequest, uuid, party_id: int) -> HttpResponse:
    """Record one party's signature (the last one may put the agreement in force)."""
    agreement = _editable(request, uuid)
    party = get_object_or_404(
        AgreementParty.objects.select_related("institution", "signatory"),
        agreement=agreement,
        pk=party_id,
    )
    try:
        _check_allowed(agreement, "sign")
    except ValidationError as error:
        return _refused(request, agreement, error, tab="parties")
    data = request.POST if request.method == "POST" else None
    form = forms.SignatureForm(data, party=party)
    title = _("Signature of %(institution)s") % {"institution": party.institution.display_name}
    if data is not None and form.is_valid():
        try:
            lifecycle_services.signature_record(party=party, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return _form_page(
                request, agreement, form, title=title, submit=_("Record the signature"),
                status=error_status(error, services.TransitionError),
            )  # fmt: skip
        agreement.refresh_from_db(fields=["status"])
        if agreement.status == services.Status.ACTIVE:
            messages.success(request, _("Signature recorded: the agreement is now in force."))
        else:
            messages.success(request, _("Signature recorded."))
        return see_other(agreement.get_absolute_url() + "parties/")
    return _form_page(
        request, agreement, form, title=title, submit=_("Record the signature"),
        status=BAD_REQUEST if data is not None else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def agreement_terminate(request: HttpRequest, uuid) -> HttpResponse:
    """Record a party's notice of termination; it takes effect after the notice period."""
    agreement = _editable(request, uuid)
    try:
        _check_allowed(agreement, "terminate")
    except ValidationError as error:
        return _refused(request, agreement, error)
    data = request.POST if request.method == "POST" else None
    form = forms.TerminationForm(data, agreement=agreement)
    page = {
        "title": _("Terminate %(name)s") % {"name": agreement.reference},
        "submit": _("Record the termination"),
        "intro": _(
            "The termination takes effect after the notice period of the agreement; "
            "until then the agreement stays in force."
        ),
    }
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            lifecycle_services.agreement_terminate(
                agreement=agreement,
                user=request.user,
                requested_by=values["requested_by"],
                reason=values["reason"],
                requested_on=values["requested_on"],
            )
        except ValidationError as error:
            renamed = {
                "termination_requested_by": "requested_by",
                "termination_reason": "reason",
                "terminated_on": "requested_on",
            }
            add_service_errors(form, error, renamed)
            return _form_page(
                request,
                agreement,
                form,
                status=error_status(error, services.TransitionError),
                **page,
            )
        messages.success(
            request,
            _("Termination recorded: it takes effect on %(date)s.")
            % {"date": agreement.terminated_on.isoformat()},
        )
        return see_other(agreement.get_absolute_url())
    return _form_page(
        request, agreement, form, status=BAD_REQUEST if data is not None else 200, **page
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_renew(request: HttpRequest, uuid) -> HttpResponse:
    """Start the successor: a draft copy with new dates; the page then shows the successor."""
    agreement = _editable(request, uuid)
    try:
        _check_allowed(agreement, "renew")
    except ValidationError as error:
        return _refused(request, agreement, error)
    data = request.POST if request.method == "POST" else None
    form = forms.RenewalForm(data, agreement=agreement)
    page = {
        "title": _("Renew %(name)s") % {"name": agreement.reference},
        "submit": _("Create the successor"),
        "intro": _(
            "A new draft with the same parties, conditions and people is created; it goes "
            "through approval and signing, and replaces this agreement when it comes into force."
        ),
    }
    if data is not None and form.is_valid():
        try:
            successor = lifecycle_services.agreement_renew(
                agreement=agreement, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return _form_page(
                request,
                agreement,
                form,
                status=error_status(error, services.TransitionError),
                **page,
            )
        messages.success(
            request,
            _("Created %(reference)s, the draft that renews %(old)s.")
            % {"reference": successor.reference, "old": agreement.reference},
        )
        return see_other(successor.get_absolute_url())
    return _form_page(
        request, agreement, form, status=BAD_REQUEST if data is not None else 200, **page
    )
