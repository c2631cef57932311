"""JSON API for agreements and agreement types (mounted at /api/v1/).

Reads reuse the pages' selectors and filter set. Writes call the agreements services and
answer the agreement as it is now: creation through ``agreement_create``, the lifecycle as POST
actions on the agreement (``submit/``, ``start-signing/``, ``sign/``, ``terminate/``,
``renew/``, ``approvals/{step}/decide/``). As on the pages, an agreement the user may not see
answers 404 and one they see but may not change 403; an action the status does not allow
answers 409 {"error": "invalid_transition", "detail": …}.
"""

import contextlib

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS, ErrorSerializer
from unibridge.core.api.viewsets import RecordViewSet

from .. import filters, selectors, services
from ..models import (
    Agreement,
    AgreementDocument,
    AgreementType,
    ApprovalStep,
    CooperationCondition,
)
from . import serializers as s

TRANSITION_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The agreement's status does not allow this action (invalid_transition)."
    ),
)


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
        responses={200: s.AgreementOutputSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="Read one agreement with its parties, conditions and approvals",
        responses={200: s.AgreementOutputSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    ),
    create=action_schema("Create a draft agreement", s.AgreementInputSerializer, created=True),
)
class AgreementViewSet(RecordViewSet):
    """Agreements: read as the pages do; every write goes through an agreements service."""

    model = Agreement
    # changes are the lifecycle actions below, never a plain update or delete
    http_method_names = ["get", "post", "head", "options"]
    output_serializer = s.AgreementOutputSerializer
    list_serializer = s.AgreementSummarySerializer
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
        agreements = selectors.agreement_detail(user).select_related("termination_requested_by")
        if self.action == "list":  # list rows are summaries (AgreementSummarySerializer)
            return agreements
        conditions = CooperationCondition.objects.select_related(
            "sending_institution", "sending_unit", "receiving_institution", "receiving_unit"
        ).prefetch_related("subject_areas", "language_requirements")
        approvals = ApprovalStep.objects.select_related("approver", "decided_by")
        documents = AgreementDocument.objects.select_related("uploaded_by")
        return agreements.prefetch_related(
            Prefetch("conditions", queryset=conditions),
            Prefetch("approvals", queryset=approvals),
            Prefetch("documents", queryset=documents),
        )

    def handle_exception(self, exc):
        if isinstance(exc, services.TransitionError):
            return Response(
                {"error": "invalid_transition", "detail": exc.messages[0]},
                status=status.HTTP_409_CONFLICT,
            )
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

    # --- the lifecycle ---

    @action_schema("Submit a draft for approval", None)
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        agreement = self.get_editable_object()
        services.agreement_submit(agreement=agreement, user=request.user)
        return Response(self.represent(agreement))

    @action_schema("Send an approved agreement for signature", None)
    @action(detail=True, methods=["post"], url_path="start-signing")
    def start_signing(self, request, id=None):
        agreement = self.get_editable_object()
        services.agreement_start_signing(agreement=agreement, user=request.user)
        return Response(self.represent(agreement))

    @action_schema("Record a party's signature", s.SignatureInputSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, id=None):
        agreement = self.get_editable_object()
        values = dict(self.valid_input(s.SignatureInputSerializer))
        party = agreement.parties.filter(institution=values.pop("party")).first()
        if party is None:
            raise ValidationError({"party": [_("This institution is not a party.")]})
        services.signature_record(party=party, user=request.user, **values)
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
            services.agreement_terminate(
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
        successor = services.agreement_renew(agreement=agreement, user=request.user, **values)
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
        # the step's approver may decide without being able to change the agreement
        agreement = self.get_object()
        approval = get_object_or_404(ApprovalStep, agreement=agreement, pk=step)
        values = self.valid_input(s.DecisionInputSerializer)
        services.approval_decide(
            step=approval,
            user=request.user,
            approve=values["approve"],
            comment=values.get("comment", ""),
        )
        return Response(self.represent(agreement))


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
