"""JSON API for visits (mounted at /api/v1/); their participants and programme are in
:mod:`.parts`, meetings and action items in :mod:`unibridge.meetings.api.views`.

Reads reuse the pages' selectors and filter sets. Writes go serializer → the visits services,
which hold the rules the pages share, and answer the record as it is now:

- visits: creation through ``services.visit_plan`` (which makes the logistics checklist),
  changes (PUT/PATCH) through ``services.visit_change``, deletion through
  ``services.visit_delete``, the status as POST actions (``confirm/``, ``start/``,
  ``complete/``, ``cancel/``) through ``services.visit_transition``;
- participants at ``visits/{id}/participants/`` through ``participant_create``,
  ``participant_change`` and ``participant_remove``;
- the programme at ``visits/{id}/programme/`` through ``programme_item_create`` and
  ``programme_item_change``; every answer carries the item's warnings.

As on the pages, a record the user may not see answers 404 and one they see but may not change
403; an action the visit's status does not allow answers 409 {"error": "invalid_transition"};
a stale ``version`` (the record's "updated") answers 409 {"error": "conflict", "current": …}
writing nothing. Visits, meetings and action items: a PUT must send the version (428 without);
a PATCH may leave it out and changes only the fields it names, under a lock on the row.
Participants and programme items always send it.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, ProtectedError
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS, protected_answer, transition_answer
from unibridge.core.api.viewsets import (
    PATCH_DESCRIPTION,
    PUT_DESCRIPTION,
    READ,
    VERSION_REQUIRED,
    RecordViewSet,
    conflict_response,
    valid_input,
)
from unibridge.core.permissions import is_editable
from unibridge.core.visibility import visible_ids
from unibridge.institutions.models import Person
from unibridge.meetings.models import Meeting
from unibridge.visits import filters, selectors, services
from unibridge.visits.api import serializers as s
from unibridge.visits.api.support import PROTECTED, TRANSITION_CONFLICT
from unibridge.visits.models import ChecklistItem, ProgrammeItem, Visit, VisitParticipant

VISIT_CONFLICT = conflict_response(s.VisitOutputSerializer, "VisitConflict")


# --- Visits --------------------------------------------------------------------------------------


class VisitApiFilterSet(filters.VisitFilterSet):
    """The list page's filters."""

    # the type hint tells the schema the country is a string (its choices are a callable)
    def filter_country(self, qs, name, value: str):
        return super().filter_country(qs, name, value)


def visit_action_schema(summary: str, request=None, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: s.VisitOutputSerializer, **ERRORS, 409: TRANSITION_CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List visits",
        responses={200: s.VisitSummarySerializer, 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="Read a visit with its people, agreements, checklist, programme and meetings",
        description="Participants' nationality, passport number and date of birth are "
        "answered only to those who may change the visit.",
        responses={200: s.VisitOutputSerializer, **READ},
    ),
    create=extend_schema(
        summary="Plan a visit (its logistics checklist is made from the direction's template)",
        description="The direction and the partner decide the sides: incoming, the partner "
        "visits the home institution; outgoing, the reverse.",
        request=s.VisitInputSerializer,
        responses={201: s.VisitOutputSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Change a visit's fields as its edit page does (fields left out keep their values)",
        description=PUT_DESCRIPTION,
        request=s.VisitChangeInputSerializer,
        responses={
            200: s.VisitOutputSerializer,
            **ERRORS,
            409: VISIT_CONFLICT,
            428: VERSION_REQUIRED,
        },
    ),
    partial_update=extend_schema(
        summary="Change some of a visit's fields as its edit page does",
        description=PATCH_DESCRIPTION,
        request=s.VisitChangeInputSerializer,
        responses={
            200: s.VisitOutputSerializer,
            **ERRORS,
            409: VISIT_CONFLICT,
        },
    ),
    destroy=extend_schema(
        summary="Delete a planned or cancelled visit without meetings",
        description="A visit that took place stays on record: cancel it instead.",
        responses={204: None, **ERRORS, 409: PROTECTED},
    ),
)
class VisitViewSet(RecordViewSet):
    """Visits: read as the pages do; every write goes serializer → a visits service."""

    model = Visit
    output_serializer = s.VisitOutputSerializer
    list_serializer = s.VisitSummarySerializer
    input_serializer = s.VisitChangeInputSerializer
    create_serializer = s.VisitInputSerializer
    filterset_class = VisitApiFilterSet
    ordering_fields = ["title", "start_date", "end_date", "status", "created", "updated"]
    ordering = ["-start_date", "title"]

    def selector(self, user):
        if self.action == "list":  # list rows are summaries (VisitSummarySerializer)
            return selectors.visit_list(user).prefetch_related("home_units")
        participants = (
            VisitParticipant.objects.filter(person__in=visible_ids(Person, user))
            .select_related("person", "person__institution")
            .order_by("side", "order", "pk")
        )
        return selectors.visit_detail(user).prefetch_related(
            Prefetch("participants", queryset=participants),
            Prefetch("checklist", queryset=ChecklistItem.objects.select_related("owner")),
            Prefetch("programme", queryset=ProgrammeItem.objects.order_by("starts_at", "pk")),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.visible_to(user).order_by("starts_at", "pk"),
            ),
        )

    def handle_exception(self, exc):
        if isinstance(exc, services.TransitionError):
            return transition_answer(exc)
        return super().handle_exception(exc)

    # --- reads ---

    def retrieve(self, request, id=None):
        return Response(self.detail_data(self.get_object()))

    def represent(self, record: Visit) -> dict:
        return self.detail_data(self.get_queryset().filter(pk=record.pk).first() or record)

    def detail_data(self, visit: Visit) -> dict:
        context = {
            **self.get_serializer_context(),
            "can_edit": is_editable(visit, self.request.user),
            "today": timezone.localdate(),
        }
        return s.VisitOutputSerializer(visit, context=context).data

    # --- writes ---

    def create_record(self, values: dict) -> Visit:
        return services.visit_plan(user=self.request.user, values=values)

    def update_record(self, instance: Visit, values: dict, version) -> Visit:
        return services.visit_change(
            visit=instance, user=self.request.user, values=values, expected_updated=version
        )

    def destroy(self, request, id=None):
        visit = self.get_editable_object()
        try:
            services.visit_delete(visit=visit, user=request.user)
        except ProtectedError as error:
            return protected_answer(str(error.args[0]))
        except DjangoValidationError as error:
            if isinstance(error, services.TransitionError):
                raise
            return protected_answer(error.messages[0])
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- the status ---

    def transition(self, name: str, reason: str = "") -> Response:
        visit = self.get_editable_object()
        services.visit_transition(visit=visit, user=self.request.user, action=name, reason=reason)
        return Response(self.represent(visit))

    @visit_action_schema("Confirm a planned visit")
    @action(detail=True, methods=["post"])
    def confirm(self, request, id=None):
        return self.transition("confirm")

    @visit_action_schema("Start a confirmed visit")
    @action(detail=True, methods=["post"])
    def start(self, request, id=None):
        return self.transition("start")

    @visit_action_schema("Complete a visit under way")
    @action(detail=True, methods=["post"])
    def complete(self, request, id=None):
        return self.transition("complete")

    @visit_action_schema(
        "Cancel a visit that has not ended, with the reason",
        s.CancelInputSerializer,
        description="An empty reason answers 400 at 'reason'.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, id=None):
        self.get_editable_object()  # 404 and 403 before the input is read
        values = valid_input(self, s.CancelInputSerializer)
        return self.transition("cancel", reason=values["reason"])
