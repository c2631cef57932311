"""JSON API for the parts of a visit: participants at ``visits/{id}/participants/`` and programme
items at ``visits/{id}/programme/`` (every answer carries the item's warnings)."""

from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS
from unibridge.core.api.parsers import JSONParser
from unibridge.core.api.viewsets import (
    form_value,
    use_public_ids,
)
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict
from unibridge.core.visibility import annotate_visible, visible_prefetch
from unibridge.institutions.models import Person
from unibridge.visits import programme, selectors, services
from unibridge.visits.api import serializers as s
from unibridge.visits.api.forms import ProgrammeItemApiForm
from unibridge.visits.api.support import (
    ITEM_ID,
    PARTICIPANT_ID,
    READ,
    READ_ONLY,
    UUID_PATTERN,
    VISIT_ID,
    conflict_answer,
    conflict_response,
    form_errors,
    service_errors,
    stored,
    valid_input,
    visible_people,
)
from unibridge.visits.choices import ParticipantSide
from unibridge.visits.forms import ParticipantForm
from unibridge.visits.models import ProgrammeItem, Visit, VisitParticipant
from unibridge.visits.programme_forms import ProgrammeItemForm

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


# the new person's fields as the request names them → as the participant form names them
NEW_PERSON_FIELDS = {
    "name_native": "new_name_native",
    "name_latin": "new_name_latin",
    "institution": "new_institution",
    "position": "new_position",
    "email": "new_email",
}
# errors of the form's and the service's new-person fields → as the request names them
NEW_PERSON_ERRORS = {
    **{form_name: f"new_person.{name}" for name, form_name in NEW_PERSON_FIELDS.items()},
    **{name: f"new_person.{name}" for name in NEW_PERSON_FIELDS},
}
PARTICIPANT_FIELDS = [
    name
    for name in ParticipantForm.base_fields
    if name != "version" and not name.startswith("new_")
]


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
    """A visit's participants, through the page's form and the participant services."""

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
        participant = VisitParticipant(visit=visit, side=side)
        form = self.form(visit, participant, values, new_person)
        try:
            services.participant_add(
                visit=visit,
                user=request.user,
                participant=form.instance,
                new_person=form.new_person(),
            )
        except DjangoValidationError as error:
            raise service_errors(error, form.instance, NEW_PERSON_ERRORS) from None
        return self.answer(visit, participant, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, participant_id=None):
        visit = self.visit(editable=True)
        participant = get_object_or_404(self.rows(visit), pk=participant_id)
        values = valid_input(self, s.ParticipantChangeInputSerializer, partial=True)
        version = values.pop("version")
        form = self.form(visit, participant, values)
        try:
            services.participant_update(
                participant=form.instance, user=request.user, expected_updated=version
            )
        except EditConflict as conflict:
            current = self.rows(visit).get(pk=participant.pk)
            return conflict_answer(
                conflict, s.ParticipantOutputSerializer(current, context={"can_edit": True}).data
            )
        except DjangoValidationError as error:
            raise service_errors(error, form.instance) from None
        return self.answer(visit, participant)

    def destroy(self, request, id=None, participant_id=None):
        visit = self.visit(editable=True)
        participant = get_object_or_404(self.rows(visit), pk=participant_id)
        services.participant_remove(participant=participant, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def form(
        self,
        visit: Visit,
        participant: VisitParticipant,
        values: dict,
        new_person: dict | None = None,
    ) -> ParticipantForm:
        """The page's form, bound to the request's values (stored ones for those left out)."""
        if participant.side == ParticipantSide.HOME:
            # the page does not offer these for home participants; here they are refused
            refused = [name for name in s.DELEGATION_ONLY if name in values]
            if refused:
                message = _("Only delegation members have this.")
                raise ValidationError({name: [message] for name in refused})
        fields = ParticipantForm.base_fields
        data = {
            name: form_value(
                fields[name], values[name] if name in values else stored(participant, name)
            )
            for name in PARTICIPANT_FIELDS
        }
        for name, value in (new_person or {}).items():
            form_name = NEW_PERSON_FIELDS[name]
            data[form_name] = form_value(fields[form_name], value)
        if participant.pk:
            # the form wants a change's version; the service checks the request's own
            data["version"] = participant.updated.isoformat()
        form = use_public_ids(
            ParticipantForm(
                data=data,
                instance=participant,
                user=self.request.user,
                visit=visit,
                side=participant.side,
            )
        )
        if not form.is_valid():
            raise form_errors(form, NEW_PERSON_ERRORS)
        return form


PROGRAMME_FIELDS = [
    name
    for name in ProgrammeItemForm.base_fields
    if name not in ("version", "day", "start_time", "end_time")
]
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
    """A visit's programme, through the page's item form and ``programme_item_save``."""

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
        item = self.save(visit, ProgrammeItem(visit=visit), values, version=None)
        return self.answer(visit, item, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, item_id=None):
        visit = self.visit(editable=True)
        item = self.item(visit, item_id)
        values = valid_input(self, s.ProgrammeItemChangeInputSerializer, partial=True)
        version = values.pop("version")
        try:
            item = self.save(visit, item, values, version=version)
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
        services.programme_item_delete(item=self.item(visit, item_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def save(self, visit: Visit, item: ProgrammeItem, values: dict, *, version) -> ProgrammeItem:
        """Validate with the page's form (instants instead of a day and times), then save."""
        user = self.request.user
        fields = ProgrammeItemForm.base_fields
        data = {}
        for name in PROGRAMME_FIELDS:
            if name in values:
                value = values[name]
            elif name == "participants" and item.pk:
                # those the user may not see are kept by participants_to_save()
                value = visible_people(item.participants.all(), user)
            else:
                value = stored(item, name)
            data[name] = form_value(fields[name], value)
        for name in ("starts_at", "ends_at"):
            data[name] = values.get(name, getattr(item, name))
        if item.pk:
            # the form wants a change's version; the service checks the request's own
            data["version"] = item.updated.isoformat()
        form = use_public_ids(
            ProgrammeItemApiForm(data=data, instance=item, visit=visit, user=user)
        )
        if not form.is_valid():
            raise form_errors(form)
        try:
            return services.programme_item_save(
                item=form.instance,
                user=user,
                participants=form.participants_to_save(),
                expected_updated=version,
            )
        except DjangoValidationError as error:
            if item.pk and not ProgrammeItem.objects.filter(pk=item.pk).exists():
                item.pk = None  # a rolled-back creation
            raise service_errors(error, form.instance) from None
