"""JSON API for agreements and agreement types (mounted at /api/v1/).

Reads reuse the pages' selectors and filter set. Writes go serializer → the agreements services
and answer the record as it is now: creation through ``agreement_create``; changes of the
agreement's fields (PUT/PATCH) through ``agreement_update``; the lifecycle as POST actions on
the agreement (``submit/``, ``start-signing/``, ``sign/``, ``terminate/``, ``renew/``,
``approvals/{step}/decide/``); a draft's cooperation conditions at ``conditions/``
(``condition_save``) and its parties at ``parties/{party_id}/`` (``party_update``). As on the
pages, an agreement the user may not see answers 404 and one they see but may not change 403;
an action the status does not allow answers 409 {"error": "invalid_transition", "detail": …};
a stale ``version`` (the record's "updated") answers 409 {"error": "conflict", "current": …}
writing nothing. A PUT of the agreement must send its version (428 without); a PATCH may leave
it out and changes only the fields it names, under a lock on the row. Conditions and parties
always send it.
"""

import contextlib
from uuid import UUID

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from unibridge.core.api.errors import (
    ERRORS,
    ErrorSerializer,
    conflict_answer,
    conflict_serializer,
    flat_errors,
    transition_answer,
)
from unibridge.core.api.parsers import JSONParser
from unibridge.core.api.viewsets import (
    PATCH_DESCRIPTION,
    PUT_DESCRIPTION,
    VERSION_REQUIRED,
    RecordViewSet,
)
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict

from .. import filters, lifecycle_services, selectors, services
from ..models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementType,
    ApprovalStep,
    CooperationCondition,
    LanguageRequirement,
    SubjectArea,
)
from . import serializers as s
from . import summaries
from .errors import condition_errors

TRANSITION_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The agreement's status does not allow this action (invalid_transition)."
    ),
)


def conflict_response(output: type, name: str) -> OpenApiResponse:
    """409 of a change: core's conflict body, or a refusal of the status without "current"."""
    body = type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": "Nothing was written: the record changed since the client read it "
            "(conflict), or the agreement's status does not allow the change "
            "(invalid_transition).",
            "error": serializers.CharField(),
            "detail": serializers.CharField(),
            "current": output(
                required=False, help_text=gettext_lazy("With 'conflict': the record as stored now.")
            ),
        },
    )
    return OpenApiResponse(
        body,
        description=gettext_lazy(
            "The record changed since 'version' (conflict), or the agreement's status does "
            "not allow the change (invalid_transition); nothing was written."
        ),
    )


AGREEMENT_CONFLICT = OpenApiResponse(
    conflict_serializer(s.AgreementOutputSerializer, "AgreementConflict"),
    description=gettext_lazy("The record changed since 'version'; nothing was written."),
)


def check_allowed(agreement: Agreement, action: str) -> None:
    """Refuse at once what the status does not allow, before the input is read (as the pages)."""
    if agreement.status not in services.ACTIONS[action][0]:
        raise services.TransitionError(status=agreement.status, action=action)


def action_schema(summary: str, request, *, created: bool = False, parameters=()):
    return extend_schema(
        summary=summary,
        request=request,
        parameters=list(parameters),
        responses={
            201 if created else 200: s.AgreementOutputSerializer,
            **ERRORS,
            409: TRANSITION_CONFLICT,
        },
    )


@contextlib.contextmanager
def fields_renamed(names: dict[str, str]):
    """Report a service's field errors under the names the request used."""
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict") or isinstance(error, services.TransitionError):
            raise
        raise ValidationError(
            {names.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from None


class AgreementApiFilterSet(filters.AgreementFilterSet):
    """The pages' filters; the type is named by its code, as in the answers."""

    agreement_type = django_filters.ModelChoiceFilter(
        queryset=AgreementType.objects.all(), to_field_name="code"
    )

    # the type hint tells the schema the country is a string (its choices are a callable)
    def filter_country(self, qs, name, value: str):
        return super().filter_country(qs, name, value)


@extend_schema_view(
    list=extend_schema(
        summary="List agreements",
        responses={200: s.AgreementSummarySerializer, 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="Read one agreement with its parties, conditions and approvals",
        responses={200: s.AgreementOutputSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    ),
    create=action_schema("Create a draft agreement", s.AgreementInputSerializer, created=True),
    update=extend_schema(
        summary="Change an agreement's fields as its edit page does (fields left out keep "
        "their values)",
        description=PUT_DESCRIPTION,
        request=s.AgreementChangeInputSerializer,
        responses={
            200: s.AgreementOutputSerializer,
            **ERRORS,
            409: AGREEMENT_CONFLICT,
            428: VERSION_REQUIRED,
        },
    ),
    partial_update=extend_schema(
        summary="Change some of an agreement's fields as its edit page does",
        description="A draft's terms change; after the draft only responsible_people, notes "
        "and is_confidential. A term sent with another value answers 400 at its field. "
        + PATCH_DESCRIPTION,
        request=s.AgreementChangeInputSerializer,
        responses={200: s.AgreementOutputSerializer, **ERRORS, 409: AGREEMENT_CONFLICT},
    ),
)
class AgreementViewSet(RecordViewSet):
    """Agreements: read as the pages do; every write goes through a service."""

    model = Agreement
    # never deleted here: a draft is deleted on its page, a later agreement stays on record
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    output_serializer = s.AgreementOutputSerializer
    list_serializer = s.AgreementSummarySerializer
    input_serializer = s.AgreementChangeInputSerializer
    filterset_class = AgreementApiFilterSet
    ordering_fields = [
        "reference",
        "title",
        "status",
        "effective_date",
        "expiry_date",
        "created",
        "updated",
    ]
    ordering = ["-effective_date", "reference"]

    def selector(self, user):
        if self.action == "list":  # list rows are summaries, built by hand (summaries.py)
            return summaries.agreement_summaries(user)
        agreements = selectors.agreement_detail(user).select_related("termination_requested_by")
        conditions = CooperationCondition.objects.select_related(
            "sending_institution", "sending_unit", "receiving_institution", "receiving_unit"
        ).prefetch_related("subject_areas", "language_requirements")
        approvals = ApprovalStep.objects.select_related("approver", "duty", "decided_by")
        documents = AgreementDocument.objects.select_related("uploaded_by")
        return agreements.prefetch_related(
            Prefetch("conditions", queryset=conditions),
            Prefetch("approvals", queryset=approvals),
            Prefetch("documents", queryset=documents),
        )

    def list_rows(self, records: list) -> list:
        return summaries.summary_rows(records, self.request.user)

    def handle_exception(self, exc):
        if isinstance(exc, services.TransitionError):
            return transition_answer(exc)
        return super().handle_exception(exc)

    def valid_input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    # --- creation ---

    def create(self, request):
        if not request.user.can_write:
            raise PermissionDenied(_("You may not create agreements."))
        values = dict(self.valid_input(s.AgreementInputSerializer))
        parties = [
            services.PartyInput(
                institution=party["institution"],
                units=party.get("units", []),
                signatory=party.get("signatory"),
                signatory_position=party.get("signatory_position", ""),
            )
            for party in values.pop("parties")
        ]
        agreement = services.agreement_create(user=request.user, parties=parties, **values)
        return Response(self.represent(agreement), status=status.HTTP_201_CREATED)

    # --- changes of the agreement's fields (PUT/PATCH through RecordViewSet.change) ---

    def update_record(self, instance, values, version):
        return services.agreement_update(
            agreement=instance, user=self.request.user, values=values, expected_updated=version
        )

    # --- the lifecycle ---

    @action_schema("Submit a draft for approval", None)
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        agreement = self.get_editable_object()
        lifecycle_services.agreement_submit(agreement=agreement, user=request.user)
        return Response(self.represent(agreement))

    @action_schema("Send an approved agreement for signature", None)
    @action(detail=True, methods=["post"], url_path="start-signing")
    def start_signing(self, request, id=None):
        agreement = self.get_editable_object()
        lifecycle_services.agreement_start_signing(agreement=agreement, user=request.user)
        return Response(self.represent(agreement))

    @action_schema("Record a party's signature", s.SignatureInputSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, id=None):
        agreement = self.get_editable_object()
        values = dict(self.valid_input(s.SignatureInputSerializer))
        party = agreement.parties.filter(institution=values.pop("party")).first()
        if party is None:
            raise ValidationError({"party": [_("This institution is not a party.")]})
        lifecycle_services.signature_record(party=party, user=request.user, **values)
        return Response(self.represent(agreement))

    @action_schema("Terminate an active agreement", s.TerminationInputSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, id=None):
        agreement = self.get_editable_object()
        values = self.valid_input(s.TerminationInputSerializer)
        renamed = {
            "termination_requested_by": "requested_by",
            "termination_reason": "reason",
            "terminated_on": "requested_on",
        }
        with fields_renamed(renamed):
            lifecycle_services.agreement_terminate(
                agreement=agreement,
                user=request.user,
                requested_by=values["requested_by"],
                reason=values["reason"],
                requested_on=values.get("requested_on") or timezone.localdate(),
            )
        return Response(self.represent(agreement))

    @action_schema(
        "Renew an agreement: answers its successor, a new draft",
        s.RenewalInputSerializer,
        created=True,
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, id=None):
        agreement = self.get_editable_object()
        values = self.valid_input(s.RenewalInputSerializer)
        successor = lifecycle_services.agreement_renew(
            agreement=agreement, user=request.user, **values
        )
        return Response(self.represent(successor), status=status.HTTP_201_CREATED)

    @action_schema(
        "Approve or reject one approval step",
        s.DecisionInputSerializer,
        parameters=[
            OpenApiParameter(
                "step", int, OpenApiParameter.PATH, description="The approval step's id."
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"approvals/(?P<step>[0-9]+)/decide")
    def decide(self, request, id=None, step=None):
        # Those the step is assigned to decide it without being able to change the agreement;
        # the service's refusal says who decides instead (403 with that reason).
        agreement = self.get_object()
        approval = get_object_or_404(ApprovalStep, agreement=agreement, pk=step)
        values = self.valid_input(s.DecisionInputSerializer)
        try:
            lifecycle_services.approval_decide(
                step=approval,
                user=request.user,
                approve=values["approve"],
                comment=values.get("comment", ""),
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        return Response(self.represent(agreement))


# --- Parts of a draft: its cooperation conditions and its parties ------------------------------

AGREEMENT_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The agreement's id."
)
CONDITION_ID = OpenApiParameter(
    "condition_id", int, OpenApiParameter.PATH, description="The condition's id."
)
PARTY_ID = OpenApiParameter("party_id", int, OpenApiParameter.PATH, description="The party's id.")


class AgreementPartViewSet(viewsets.GenericViewSet):
    """Conditions or parties of one agreement, at /agreements/{id}/<parts>/.

    As on the agreement's pages: 404 when the user may not see the agreement, 403 when they
    may not change it, 409 when its status does not allow the change.
    """

    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends: list = []
    lookup_value_regex = "[0-9]+"

    def editable_agreement(self) -> Agreement:
        try:
            public_id = UUID(str(self.kwargs["id"]))
        except ValueError:
            raise NotFound from None
        agreement = get_object_or_404(
            Agreement.objects.visible_to(self.request.user).select_related("agreement_type"),
            uuid=public_id,
        )
        if not is_editable(agreement, self.request.user):
            raise PermissionDenied(_("You may read this record but not change it."))
        return agreement

    def valid_input(self, serializer_class, *, partial: bool) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        if not serializer.is_valid():
            raise ValidationError(flat_errors(serializer.errors))
        return dict(serializer.validated_data)

    def handle_exception(self, exc):
        if isinstance(exc, services.TransitionError):
            return transition_answer(exc)
        return super().handle_exception(exc)


def _condition_rows(values: dict, condition: CooperationCondition):
    """The subject areas and language skills the condition is to have, as unsaved rows.

    Left out of a change, they stay as stored. Like the page, the CEFR level is read in
    capitals ("b2" is B2); an official field name as clarification is refused, not dropped.
    """
    stored = condition.pk is not None
    areas = values.pop("subject_areas", None)
    if areas is None:
        areas = (
            [
                {"isced_code": a.isced_code, "clarification": a.clarification}
                for a in condition.subject_areas.all()
            ]
            if stored
            else []
        )
    languages = values.pop("language_requirements", None)
    if languages is None:
        languages = (
            [
                {
                    "language": r.language,
                    "cefr_level": r.cefr_level,
                    "isced_code": r.isced_code,
                    "clarification": r.clarification,
                }
                for r in condition.language_requirements.all()
            ]
            if stored
            else []
        )
    return (
        [SubjectArea(isced_code=a["isced_code"], clarification=a.get("clarification", ""))
         for a in areas],
        [
            LanguageRequirement(
                language=r["language"],
                cefr_level=r.get("cefr_level", "").upper(),
                isced_code=r.get("isced_code", ""),
                clarification=r.get("clarification", ""),
            )
            for r in languages
        ],
    )  # fmt: skip


CONDITION_CONFLICT = conflict_response(s.ConditionOutputSerializer, "ConditionConflict")
CONDITION_REFUSED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("Conditions change only in a draft (invalid_transition)."),
)


@extend_schema_view(
    create=extend_schema(
        summary="Add a cooperation condition to a draft",
        description="Only for types with conditions. The EWP IIA v7 rules answer 400 at "
        "their fields; an item of a list by its position, such as "
        "'subject_areas[0].isced_code'.",
        parameters=[AGREEMENT_ID],
        request=s.ConditionInputSerializer,
        responses={201: s.ConditionOutputSerializer, **ERRORS, 409: CONDITION_REFUSED},
    ),
    partial_update=extend_schema(
        summary="Change a draft's cooperation condition",
        description="Fields left out keep their values; subject_areas and "
        "language_requirements, when given, replace the lists. 'version' is required: a "
        "stale one answers 409 with the current condition.",
        parameters=[AGREEMENT_ID, CONDITION_ID],
        request=s.ConditionInputSerializer,
        responses={200: s.ConditionOutputSerializer, **ERRORS, 409: CONDITION_CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete a draft's cooperation condition",
        parameters=[AGREEMENT_ID, CONDITION_ID],
        responses={204: None, **ERRORS, 409: CONDITION_REFUSED},
    ),
)
class ConditionViewSet(AgreementPartViewSet):
    """A draft's cooperation conditions, through the page's service ``condition_save``."""

    queryset = CooperationCondition.objects.none()  # for the schema; reads go through conditions()
    serializer_class = s.ConditionOutputSerializer
    lookup_url_kwarg = "condition_id"

    def conditions(self, agreement: Agreement) -> QuerySet[CooperationCondition]:
        return agreement.conditions.select_related(
            "sending_institution", "sending_unit", "receiving_institution", "receiving_unit"
        ).prefetch_related("subject_areas", "language_requirements")

    def represent(self, condition: CooperationCondition) -> dict:
        fresh = self.conditions(condition.agreement).get(pk=condition.pk)
        return s.ConditionOutputSerializer(fresh).data

    def changeable(self, agreement: Agreement) -> None:
        check_allowed(agreement, "change_terms")
        services.check_conditions_allowed(agreement)

    def create(self, request, id=None):
        agreement = self.editable_agreement()
        self.changeable(agreement)
        condition = self.save(agreement, CooperationCondition(agreement=agreement), partial=False)
        return Response(self.represent(condition), status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, condition_id=None):
        agreement = self.editable_agreement()
        condition = get_object_or_404(self.conditions(agreement), pk=condition_id)
        self.changeable(agreement)
        try:
            condition = self.save(agreement, condition, partial=True)
        except EditConflict as conflict:
            return conflict_answer(conflict, self.represent(conflict.current))
        return Response(self.represent(condition))

    def destroy(self, request, id=None, condition_id=None):
        agreement = self.editable_agreement()
        condition = get_object_or_404(agreement.conditions, pk=condition_id)
        check_allowed(agreement, "change_terms")
        services.condition_delete(condition=condition, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def save(
        self, agreement: Agreement, condition: CooperationCondition, *, partial: bool
    ) -> CooperationCondition:
        """The request's values on the condition, saved by the page's service."""
        values = self.valid_input(s.ConditionInputSerializer, partial=partial)
        version = values.pop("version", None)
        subject_areas, languages = _condition_rows(values, condition)
        for name, value in values.items():
            setattr(condition, name, value)
        try:
            return services.condition_save(
                agreement=agreement,
                user=self.request.user,
                condition=condition,
                subject_areas=subject_areas,
                language_requirements=languages,
                expected_updated=version,
            )
        except DjangoValidationError as error:
            if isinstance(error, services.TransitionError) or not hasattr(error, "error_dict"):
                raise
            raise ValidationError(condition_errors(error.message_dict)) from None


PARTY_CONFLICT = conflict_response(s.PartyOutputSerializer, "PartyConflict")


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change a party's units and signatory",
        description="Units change in a draft only; the signatory and their position until "
        "the party has signed (409 invalid_transition when the status does not allow the "
        "change). Fields left out keep their values. 'version' is required: a stale one "
        "answers 409 with the current party.",
        parameters=[AGREEMENT_ID, PARTY_ID],
        request=s.PartyChangeInputSerializer,
        responses={200: s.PartyOutputSerializer, **ERRORS, 409: PARTY_CONFLICT},
    ),
)
class PartyViewSet(AgreementPartViewSet):
    """An agreement's parties, through the parties page's service ``party_update``."""

    queryset = AgreementParty.objects.none()  # for the schema; reads go through parties()
    serializer_class = s.PartyOutputSerializer
    lookup_url_kwarg = "party_id"

    def parties(self, agreement: Agreement) -> QuerySet[AgreementParty]:
        # flagged signatory_visible: the answer names only a signatory the user may see
        return (
            selectors.party_detail(self.request.user)
            .filter(agreement=agreement)
            .select_related("agreement")
        )

    def represent(self, party: AgreementParty) -> dict:
        return s.PartyOutputSerializer(self.parties(party.agreement).get(pk=party.pk)).data

    def partial_update(self, request, id=None, party_id=None):
        agreement = self.editable_agreement()
        party = get_object_or_404(self.parties(agreement), pk=party_id)
        check_allowed(agreement, "change_signatory")
        values = self.valid_input(s.PartyChangeInputSerializer, partial=True)
        try:
            with fields_renamed({}):
                party = services.party_update(
                    party=party,
                    user=request.user,
                    units=values["units"] if "units" in values else party.units.all(),
                    signatory=values.get("signatory", party.signatory),
                    signatory_position=values.get("signatory_position", party.signatory_position),
                    expected_updated=values["version"],
                )
        except EditConflict as conflict:
            return conflict_answer(conflict, self.represent(conflict.current))
        return Response(self.represent(party))


@extend_schema_view(
    list=extend_schema(
        summary="List agreement types",
        responses={200: s.AgreementTypeOutputSerializer, 401: ERRORS[401]},
    )
)
class AgreementTypeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Agreement types: reference data every signed-in user reads."""

    queryset = AgreementType.objects.order_by("name", "pk")
    serializer_class = s.AgreementTypeOutputSerializer
    pagination_class = None
    filter_backends: list = []
