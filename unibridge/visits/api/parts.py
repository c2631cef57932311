"""JSON API for the parts of a visit: participants at ``visits/{id}/participants/`` and programme
items at ``visits/{id}/programme/`` (every answer carries the item's warnings)."""

from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS, conflict_answer
from unibridge.core.api.parsers import JSONParser
from unibridge.core.api.viewsets import (
    READ,
    READ_ONLY,
    UUID_PATTERN,
    conflict_response,
    valid_input,
)
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict
from unibridge.core.visibility import annotate_visible, visible_prefetch
from unibridge.institutions.models import Person
from unibridge.visits import programme, programme_services, selectors, services
from unibridge.visits.api import serializers as s
from unibridge.visits.api.support import ITEM_ID, PARTICIPANT_ID, VISIT_ID
from unibridge.visits.choices import ParticipantSide
from unibridge.visits.models import ProgrammeItem, Visit, VisitParticipant

# --- Parts of a visit: participants and programme items ------------------------------------------


class VisitPartViewSet(viewsets.GenericViewSet):
    """Participants or programme items of one visit, at /visits/{id}/<parts>/.

    As on the visit's pages: 404 when the user may not see the visit, 403 when they may not
    change it.
    """

    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends: list = []

    def visit(self, *, editable: bool) -> Visit:
        try:
            public_id = UUID(str(self.kwargs["id"]))
        except ValueError:
            raise NotFound from None
        visit = get_object_or_404(selectors.visit_list(self.request.user), uuid=public_id)
        if editable and not is_editable(visit, self.request.user):
            raise PermissionDenied(READ_ONLY)
        return visit


@extend_schema_view(
    list=extend_schema(
        summary="List a visit's delegation members and home participants",
        parameters=[VISIT_ID],
        responses={200: s.ParticipantOutputSerializer(many=True), **READ},
    ),
    retrieve=extend_schema(
        summary="Read a participant",
        parameters=[VISIT_ID, PARTICIPANT_ID],
        responses={200: s.ParticipantOutputSerializer, **READ},
    ),
    create=extend_schema(
        summary="Add a delegation member or home participant",
        description="Name a person of the directory ('person') or create one with the "
        "participant ('new_person'), not both. Role, visa invitation, nationality, passport "
        "number and date of birth are for delegation members only; a visa invitation needs "
        "the nationality and the passport number; a delegation has one head.",
        parameters=[VISIT_ID],
        request=s.ParticipantInputSerializer,
        responses={201: s.ParticipantOutputSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a participant",
        description="Fields left out keep their values. 'version' is required: a stale one "
        "answers 409 with the current participant.",
        parameters=[VISIT_ID, PARTICIPANT_ID],
        request=s.ParticipantChangeInputSerializer,
        responses={
            200: s.ParticipantOutputSerializer,
            **ERRORS,
            409: conflict_response(s.ParticipantOutputSerializer, "ParticipantConflict"),
        },
    ),
    destroy=extend_schema(
        summary="Remove a participant from the visit (the person stays in the directory)",
        parameters=[VISIT_ID, PARTICIPANT_ID],
        responses={204: None, **ERRORS},
    ),
)
class ParticipantViewSet(VisitPartViewSet):
    """A visit's participants, through the participant services."""

    queryset = VisitParticipant.objects.none()  # for the schema; reads go through rows()
    serializer_class = s.ParticipantOutputSerializer
    lookup_url_kwarg = "participant_id"
    lookup_value_regex = "[0-9]+"

    def rows(self, visit: Visit) -> QuerySet[VisitParticipant]:
        # a participant whose person the user may not see answers 404, as the person would
        return selectors.visible_participants(visit, self.request.user)

    def answer(self, visit: Visit, participant: VisitParticipant, **kwargs) -> Response:
        fresh = self.rows(visit).get(pk=participant.pk)
        return Response(
            s.ParticipantOutputSerializer(fresh, context={"can_edit": True}).data, **kwargs
        )

    def list(self, request, id=None):
        visit = self.visit(editable=False)
        context = {"can_edit": is_editable(visit, request.user)}
        return Response(
            s.ParticipantOutputSerializer(self.rows(visit), many=True, context=context).data
        )

    def retrieve(self, request, id=None, participant_id=None):
        visit = self.visit(editable=False)
        participant = get_object_or_404(self.rows(visit), pk=participant_id)
        context = {"can_edit": is_editable(visit, request.user)}
        return Response(s.ParticipantOutputSerializer(participant, context=context).data)

    def create(self, request, id=None):
        visit = self.visit(editable=True)
        values = valid_input(self, s.ParticipantInputSerializer)
        side = values.pop("side", ParticipantSide.DELEGATION)
        new_person = values.pop("new_person", None) or {}
        participant = services.participant_create(
            visit=visit, user=request.user, side=side, values=values, new_person=new_person
        )
        return self.answer(visit, participant, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, participant_id=None):
        visit = self.visit(editable=True)
        participant = get_object_or_404(self.rows(visit), pk=participant_id)
        values = valid_input(self, s.ParticipantChangeInputSerializer, partial=True)
        version = values.pop("version")
        try:
            services.participant_change(
                participant=participant, user=request.user, values=values, expected_updated=version
            )
        except EditConflict as conflict:
            current = self.rows(visit).get(pk=participant.pk)
            return conflict_answer(
                conflict, s.ParticipantOutputSerializer(current, context={"can_edit": True}).data
            )
        return self.answer(visit, participant)

    def destroy(self, request, id=None, participant_id=None):
        visit = self.visit(editable=True)
        participant = get_object_or_404(self.rows(visit), pk=participant_id)
        services.participant_remove(participant=participant, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


ITEM_CONFLICT = conflict_response(s.ProgrammeItemOutputSerializer, "ProgrammeItemConflict")


@extend_schema_view(
    list=extend_schema(
        summary="List a visit's programme in time order, each item with its warnings",
        parameters=[VISIT_ID],
        responses={200: s.ProgrammeItemOutputSerializer(many=True), **READ},
    ),
    retrieve=extend_schema(
        summary="Read a programme item with its warnings",
        parameters=[VISIT_ID, ITEM_ID],
        responses={200: s.ProgrammeItemOutputSerializer, **READ},
    ),
    create=extend_schema(
        summary="Add a programme item",
        description="starts_at and ends_at are ISO 8601 with an offset, or wall-clock times "
        "without one read in the visit's time zone (the host's). Answers carry both: the "
        "instant with the host's offset, and starts_local/ends_local with time_zone. An end "
        "not after the start answers 400 at 'ends_at'. Warnings (outside the visit's dates, "
        "a person or room booked twice) never block saving: the answer lists them.",
        parameters=[VISIT_ID],
        request=s.ProgrammeItemInputSerializer,
        responses={201: s.ProgrammeItemOutputSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a programme item",
        description="Fields left out keep their values; times as when adding. 'version' is "
        "required: a stale one answers 409 with the current item.",
        parameters=[VISIT_ID, ITEM_ID],
        request=s.ProgrammeItemChangeInputSerializer,
        responses={200: s.ProgrammeItemOutputSerializer, **ERRORS, 409: ITEM_CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete a programme item",
        parameters=[VISIT_ID, ITEM_ID],
        responses={204: None, **ERRORS},
    ),
)
class ProgrammeItemViewSet(VisitPartViewSet):
    """A visit's programme, through ``programme_item_create`` and ``programme_item_change``."""

    queryset = ProgrammeItem.objects.none()  # for the schema; reads go through item()
    serializer_class = s.ProgrammeItemOutputSerializer
    lookup_url_kwarg = "item_id"
    lookup_value_regex = UUID_PATTERN

    def item(self, visit: Visit, item_id) -> ProgrammeItem:
        try:
            uid = UUID(str(item_id))
        except ValueError:
            raise NotFound from None
        user = self.request.user
        # the responsible person stays loaded for a change; the answer shows it only if visible
        items = annotate_visible(
            visit.programme.select_related("responsible"), user, responsible=Person
        ).prefetch_related(visible_prefetch("participants", Person, user))
        item = get_object_or_404(items, uid=uid)
        item.visit = visit  # the loaded visit, with its zone
        return item

    def answer(self, visit: Visit, item: ProgrammeItem, **kwargs) -> Response:
        """The item as stored now, with the warnings computed over its whole visit."""
        fresh = self.item(visit, item.uid)
        warnings = programme.item_warnings(fresh, user=self.request.user)
        context = {"warnings": programme.warnings_by_item(warnings)}
        return Response(s.ProgrammeItemOutputSerializer(fresh, context=context).data, **kwargs)

    def list(self, request, id=None):
        visit = self.visit(editable=False)
        items = programme.programme_items(visit, request.user)
        warnings = programme.programme_warnings(visit, user=request.user, items=items)
        context = {"warnings": programme.warnings_by_item(warnings)}
        return Response(s.ProgrammeItemOutputSerializer(items, many=True, context=context).data)

    def retrieve(self, request, id=None, item_id=None):
        visit = self.visit(editable=False)
        return self.answer(visit, self.item(visit, item_id))

    def create(self, request, id=None):
        visit = self.visit(editable=True)
        values = valid_input(self, s.ProgrammeItemInputSerializer)
        item = programme_services.programme_item_create(
            visit=visit, user=request.user, values=values
        )
        return self.answer(visit, item, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, item_id=None):
        visit = self.visit(editable=True)
        item = self.item(visit, item_id)
        values = valid_input(self, s.ProgrammeItemChangeInputSerializer, partial=True)
        version = values.pop("version")
        try:
            item = programme_services.programme_item_change(
                item=item, user=request.user, values=values, expected_updated=version
            )
        except EditConflict as conflict:
            current = self.item(visit, conflict.current.uid)
            warnings = programme.item_warnings(current, user=request.user)
            context = {"warnings": programme.warnings_by_item(warnings)}
            return conflict_answer(
                conflict, s.ProgrammeItemOutputSerializer(current, context=context).data
            )
        return self.answer(visit, item)

    def destroy(self, request, id=None, item_id=None):
        visit = self.visit(editable=True)
        programme_services.programme_item_delete(item=self.item(visit, item_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
