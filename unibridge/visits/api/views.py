"""JSON API for visits, their participants and programme, meetings with their decisions, and
action items (mounted at /api/v1/).

Reads reuse the pages' selectors and filter sets. Writes go through the pages' forms and the
visits services, and answer the record as it is now:

- visits: creation through ``services.visit_create`` (which makes the logistics checklist),
  changes (PUT/PATCH) through the edit page's form, deletion through ``services.visit_delete``,
  the status as POST actions (``confirm/``, ``start/``, ``complete/``, ``cancel/``) through
  ``services.visit_transition``;
- participants at ``visits/{id}/participants/`` through the page's participant form and
  ``participant_add``/``participant_update``/``participant_remove``;
- the programme at ``visits/{id}/programme/`` through the page's item form and
  ``programme.programme_item_save``; every answer carries the item's warnings;
- meetings through the page's meeting form and ``meetings.meeting_save``, which sanitises the
  minutes; decisions at ``meetings/{id}/decisions/``; action items at ``action-items/``.

As on the pages, a record the user may not see answers 404 and one they see but may not change
403; an action the visit's status does not allow answers 409 {"error": "invalid_transition"};
a stale ``version`` (the record's "updated") answers 409 {"error": "conflict", "current": …}
writing nothing. Visits, meetings and action items: a PUT must send the version (428 without);
a PATCH may leave it out and changes only the fields it names, under a lock on the row.
Participants and programme items always send it.
"""

import datetime
import zoneinfo
from uuid import UUID

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, Prefetch, ProtectedError, QuerySet
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
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS, ErrorSerializer, api_errors, conflict_serializer
from unibridge.core.api.parsers import JSONParser
from unibridge.core.api.viewsets import (
    PATCH_DESCRIPTION,
    PUT_DESCRIPTION,
    VERSION_REQUIRED,
    RecordViewSet,
    form_value,
    keep_unnamed,
    stored_values,
    use_public_ids,
    version_missing,
    version_required_answer,
)
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict, lock_record, save_record
from unibridge.core.visibility import annotate_visible, visible_ids, visible_prefetch
from unibridge.institutions.models import Partnership, Person

from .. import filters, meetings, programme, selectors, services
from ..choices import ActionItemStatus, ParticipantSide
from ..forms import ParticipantForm
from ..meeting_forms import ActionItemForm, DecisionForm, MeetingForm, in_zone
from ..meeting_views import (
    MeetingFilterSet,
    meeting_detail_queryset,
    meeting_list_queryset,
    visible_action_items,
    with_visible_links,
)
from ..models import (
    ActionItem,
    ChecklistItem,
    Decision,
    Meeting,
    ProgrammeItem,
    Visit,
    VisitParticipant,
)
from ..programme_forms import ProgrammeItemForm
from . import serializers as s
from .forms import ProgrammeItemApiForm, VisitApiForm

READ_ONLY = gettext_lazy("You may read this record but not change it.")
UUID_PATTERN = "[0-9a-fA-F-]{36}"

# --- Answers shared by the resources -------------------------------------------------------------


def conflict_answer(conflict: EditConflict, current: dict) -> Response:
    """409 to a stale version: core's conflict body with the record as it is stored now."""
    return Response(
        {"error": "conflict", "detail": str(conflict), "current": current},
        status=status.HTTP_409_CONFLICT,
    )


def transition_answer(error: services.TransitionError) -> Response:
    return Response(
        {"error": "invalid_transition", "detail": error.messages[0]},
        status=status.HTTP_409_CONFLICT,
    )


def protected_answer(detail: str) -> Response:
    return Response({"error": "protected", "detail": detail}, status=status.HTTP_409_CONFLICT)


def service_errors(
    error: DjangoValidationError, record: Model, names: dict[str, str] | None = None
) -> ValidationError:
    """A service's refusal as the API's 400, its fields named as the request names them."""
    messages = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    names = names or {}
    return ValidationError(
        api_errors({names.get(name, name): m for name, m in messages.items()}, record)
    )


def form_errors(form, names: dict[str, str] | None = None) -> ValidationError:
    """A page form's errors as the API's 400, its fields named as the request names them."""
    names = names or {}
    errors: dict[str, list] = {}
    for name, messages in form.errors.items():
        errors.setdefault(names.get(name, name), []).extend(messages)
    return ValidationError(api_errors(errors, form.instance))


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's errors with a nested object's named ``new_person.name_native``."""
    result: dict[str, list[str]] = {}
    for name, value in errors.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            result.update(flat_errors(value, key))
        else:
            result[key] = [str(message) for message in value]
    return result


def valid_input(view, serializer_class, *, partial: bool = False) -> dict:
    serializer = serializer_class(
        data=view.request.data, partial=partial, context=view.get_serializer_context()
    )
    if not serializer.is_valid():
        raise ValidationError(flat_errors(serializer.errors))
    return dict(serializer.validated_data)


def stored(record: Model, name: str):
    """A field's stored value for the form (None for a relation not set yet)."""
    field = type(record)._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(record, name).all()) if record.pk else []
    if field.is_relation and getattr(record, field.attname) is None:
        return None
    return getattr(record, name)


def visible_people(people: QuerySet, user) -> list[Person]:
    return list(people.filter(pk__in=Person.objects.visible_to(user).values("pk")))


def hidden_people(people: QuerySet, user) -> list[Person]:
    """People of a record the user may not see: a change never drops them unseen."""
    return list(people.exclude(pk__in=Person.objects.visible_to(user).values("pk")))


def _conflict(output: type, name: str) -> OpenApiResponse:
    return OpenApiResponse(
        conflict_serializer(output, name),
        description=gettext_lazy("The record changed since 'version'; nothing was written."),
    )


TRANSITION_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("The visit's status does not allow this action (invalid_transition)."),
)
PROTECTED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The visit's status does not allow deleting it (invalid_transition), or it has "
        "meetings (protected)."
    ),
)
READ = {401: ERRORS[401], 404: ERRORS[404]}
VISIT_CONFLICT = _conflict(s.VisitOutputSerializer, "VisitConflict")
# the fields a change may name; those it leaves out keep their stored values
VISIT_NAMEABLE = tuple(s.VisitChangeInputSerializer().fields)
MEETING_CONFLICT = _conflict(s.MeetingOutputSerializer, "MeetingConflict")
VISIT_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The visit's id."
)
MEETING_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The meeting's id."
)
PARTICIPANT_ID = OpenApiParameter(
    "participant_id", int, OpenApiParameter.PATH, description="The participant's id."
)
ITEM_ID = OpenApiParameter(
    "item_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The programme item's id."
)
DECISION_ID = OpenApiParameter(
    "decision_id", int, OpenApiParameter.PATH, description="The decision's id."
)


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
    """Visits: read as the pages do; every write goes through a page form or a service."""

    model = Visit
    output_serializer = s.VisitOutputSerializer
    list_serializer = s.VisitSummarySerializer
    input_serializer = s.VisitChangeInputSerializer
    form_class = VisitApiForm
    m2m_fields = ("home_units", "responsible_people")
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

    # --- writes: creation and changes through the page's form ---

    def current(self, instance: Visit, name: str):
        if name == "partner":
            return [instance.partner] if instance.pk else []
        if name == "responsible_people" and instance.pk:
            return visible_people(instance.responsible_people.all(), self.request.user)
        return super().current(instance, name)

    def write(self, instance: Visit, *, partial: bool) -> Visit:
        is_new = instance.pk is None
        serializer = s.VisitInputSerializer if is_new else s.VisitChangeInputSerializer
        values = valid_input(self, serializer, partial=partial and not is_new)
        version = values.pop("version", None)
        if "partner" in values:
            values["partner"] = [values["partner"]]  # the form picks one among many
        if is_new:
            return self.write_values(instance, values, version)
        # built from the row as locked, so a concurrent change of another field is kept
        with transaction.atomic():
            return self.write_values(self.lock(instance, version), values, version)

    def write_values(self, instance: Visit, values: dict, version) -> Visit:
        user = self.request.user
        is_new = instance.pk is None
        stored = stored_values(instance)
        data = {
            name: form_value(
                field, values[name] if name in values else self.current(instance, name)
            )
            for name, field in VisitApiForm.base_fields.items()
            if name != "version"
        }
        if not is_new:
            data["version"] = instance.updated.isoformat()
        form = use_public_ids(VisitApiForm(data=data, instance=instance, user=user))
        if not form.is_valid():
            raise form_errors(form)
        cleaned = form.cleaned_data
        visit = form.save(commit=False)
        try:
            if is_new:
                return services.visit_create(
                    user=user,
                    visit=visit,
                    home_units=cleaned["home_units"],
                    responsible_people=cleaned["responsible_people"],
                )
            keep_unnamed(visit, stored, nameable=VISIT_NAMEABLE, named=values)
            return self.save_changes(visit, cleaned, values, version)
        except DjangoValidationError as error:
            if isinstance(error, services.TransitionError):
                raise
            raise service_errors(error, visit) from None

    @transaction.atomic
    def save_changes(self, visit: Visit, cleaned: dict, named: dict, version) -> Visit:
        """As the edit page: the fields, then the meetings follow the partner and secrecy.

        Of the sets, only those the request names are written.
        """
        user = self.request.user
        m2m = {}
        if "home_units" in named:
            m2m["home_units"] = cleaned["home_units"]
        if "responsible_people" in named:
            hidden = hidden_people(visit.responsible_people, user)
            m2m["responsible_people"] = [*cleaned["responsible_people"], *hidden]
        save_record(instance=visit, user=user, m2m=m2m, expected_updated=version)
        meetings.sync_visit_meetings(visit=visit, user=user)
        return visit

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
            409: _conflict(s.ParticipantOutputSerializer, "ParticipantConflict"),
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
ITEM_CONFLICT = _conflict(s.ProgrammeItemOutputSerializer, "ProgrammeItemConflict")


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
        programme.programme_item_delete(item=self.item(visit, item_id), user=request.user)
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
            return programme.programme_item_save(
                item=form.instance,
                user=user,
                participants=form.participants_to_save(),
                expected_updated=version,
            )
        except DjangoValidationError as error:
            if item.pk and not ProgrammeItem.objects.filter(pk=item.pk).exists():
                item.pk = None  # a rolled-back creation
            raise service_errors(error, form.instance) from None


# --- Meetings and their decisions ----------------------------------------------------------------


class MeetingApiFilterSet(MeetingFilterSet):
    """The meetings page's filters; the partner and the visit named by their public ids."""

    partner = django_filters.UUIDFilter(field_name="partner__uuid", label=gettext_lazy("Partner"))
    visit = django_filters.UUIDFilter(field_name="visit__uuid", label=gettext_lazy("Visit"))

    class Meta(MeetingFilterSet.Meta):
        fields = [*MeetingFilterSet.Meta.fields, "visit"]


# the form's field names → as the request names them
MEETING_NAMES = {
    "starts": "starts_at",
    "ends": "ends_at",
    "other_participants": "participants",
    "visit_participants": "participants",
}
MEETING_FORM_FIELDS = (
    "kind", "title", "partner", "home_units", "time_zone", "place", "online_link", "agenda",
    "minutes", "is_confidential",
)  # fmt: skip
VISIT_FIELDS = ("partner", "home_units", "is_confidential")
MEETING_NAMEABLE = tuple(s.MeetingChangeInputSerializer().fields)


def wall_clock_in(value: datetime.datetime | None, zone: str) -> datetime.datetime | None:
    """An instant from the request as a wall-clock time of ``zone`` (naive ones are already)."""
    if value is None or value.utcoffset() is None:
        return value
    try:
        return value.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return value.replace(tzinfo=None)  # the form reports the unknown zone


@extend_schema_view(
    list=extend_schema(
        summary="List meetings",
        responses={200: s.MeetingListSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="Read a meeting with its participants, minutes, decisions and action items",
        responses={200: s.MeetingOutputSerializer, **READ},
    ),
    create=extend_schema(
        summary="Create a meeting of a visit ('visit') or a standalone one",
        description="starts_at and ends_at are ISO 8601 with an offset, or wall-clock times "
        "without one read in 'time_zone' (a visit's meeting defaults to the visit's zone). "
        "The minutes are HTML: scripts, styles and anything but plain formatting are "
        "removed before they are stored. A visit's meeting takes the visit's partner, home "
        "units and confidentiality (sending them answers 400).",
        request=s.MeetingInputSerializer,
        responses={201: s.MeetingOutputSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Change a meeting (fields left out keep their values)",
        description=PUT_DESCRIPTION,
        request=s.MeetingChangeInputSerializer,
        responses={
            200: s.MeetingOutputSerializer,
            **ERRORS,
            409: MEETING_CONFLICT,
            428: VERSION_REQUIRED,
        },
    ),
    partial_update=extend_schema(
        summary="Change some of a meeting's fields",
        description="A new time_zone alone keeps the wall-clock times, as the page does. "
        + PATCH_DESCRIPTION,
        request=s.MeetingChangeInputSerializer,
        responses={
            200: s.MeetingOutputSerializer,
            **ERRORS,
            409: MEETING_CONFLICT,
        },
    ),
    destroy=extend_schema(
        summary="Delete a meeting with its decisions and action items",
        responses={204: None, **ERRORS},
    ),
)
class MeetingViewSet(RecordViewSet):
    """Meetings: through the page's meeting form and ``meetings.meeting_save``."""

    model = Meeting
    output_serializer = s.MeetingOutputSerializer
    list_serializer = s.MeetingListSerializer
    input_serializer = s.MeetingChangeInputSerializer
    form_class = MeetingForm
    filterset_class = MeetingApiFilterSet
    ordering_fields = ["title", "kind", "starts_at", "created", "updated"]
    ordering = ["-starts_at"]

    def selector(self, user):
        if self.action == "list":  # list rows are summaries (MeetingListSerializer)
            return meeting_list_queryset(user)
        people = Person.objects.select_related("institution").order_by("name_latin", "pk")
        action_items = with_visible_links(ActionItem.objects.select_related("owner"), user)
        return meeting_detail_queryset(user).prefetch_related(
            visible_prefetch("participants", Person, user, people),
            "home_units",
            "visit__home_units",
            Prefetch("decisions", queryset=Decision.objects.order_by("order", "pk")),
            Prefetch("action_items", queryset=action_items.order_by("due_on", "pk")),
        )

    def write(self, instance: Meeting, *, partial: bool) -> Meeting:
        user = self.request.user
        is_new = instance.pk is None
        serializer = s.MeetingInputSerializer if is_new else s.MeetingChangeInputSerializer
        values = valid_input(self, serializer, partial=partial and not is_new)
        version = values.pop("version", None)
        if is_new:
            visit = values.pop("visit", None)
            if visit is not None and not is_editable(visit, user):
                raise PermissionDenied(_("You may not add meetings to this visit."))
            instance.visit = visit
            instance.time_zone = meetings.default_time_zone(visit)
            return self.write_values(instance, values, version)
        # built from the row as locked, so a concurrent change of another field is kept
        with transaction.atomic():
            return self.write_values(self.lock(instance, version), values, version)

    def write_values(self, instance: Meeting, values: dict, version) -> Meeting:
        user = self.request.user
        is_new = instance.pk is None
        stored = stored_values(instance)
        visit = instance.visit if instance.visit_id else None
        if visit is not None:
            refused = [name for name in VISIT_FIELDS if name in values]
            if refused:
                message = _("A visit's meeting takes this from the visit.")
                raise ValidationError({name: [message] for name in refused})
        zone = values.get("time_zone") or instance.time_zone
        fields = MeetingForm.base_fields
        data = {
            name: form_value(
                fields[name], values[name] if name in values else self.current(instance, name)
            )
            for name in MEETING_FORM_FIELDS
        }
        participants = values.get("participants")
        if participants is None:
            participants = [] if is_new else visible_people(instance.participants.all(), user)
        data["other_participants"] = form_value(fields["other_participants"], participants)
        # the form reads wall-clock times of the meeting's zone, as typed on the page
        for name, form_name in (("starts_at", "starts"), ("ends_at", "ends")):
            if name in values:
                data[form_name] = wall_clock_in(values[name], zone)
            else:
                data[form_name] = in_zone(getattr(instance, name), instance.time_zone)
        if not is_new:
            data["version"] = instance.updated.isoformat()
        form = use_public_ids(MeetingForm(data=data, instance=instance, user=user, visit=visit))
        if not form.is_valid():
            raise form_errors(form, MEETING_NAMES)
        meeting = form.save(commit=False)
        if not is_new:
            named = set(values)
            if "time_zone" in named:  # a new zone alone keeps the wall-clock times
                named |= {"starts_at", "ends_at"}
            keep_unnamed(meeting, stored, nameable=MEETING_NAMEABLE, named=named)
        # An instant sent with its offset is kept exactly: as a wall-clock time it could name
        # the other of two instants in the hour the clocks repeat.
        for name in ("starts_at", "ends_at"):
            value = values.get(name)
            if value is not None and value.utcoffset() is not None:
                setattr(meeting, name, value)
        if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
            raise ValidationError({"ends_at": [_("The end must come after the start.")]})
        # of the sets, a change writes only those it names
        people = None
        if is_new or "participants" in values:
            people = list(form.cleaned_data["participants"])
            if not is_new:
                people += hidden_people(instance.participants.all(), user)
        units = None
        if visit is None and (is_new or "home_units" in values):
            units = form.cleaned_data.get("home_units")
        try:
            return meetings.meeting_save(
                meeting=meeting,
                user=user,
                participants=people,
                home_units=units,
                expected_updated=version,
            )
        except DjangoValidationError as error:
            raise service_errors(error, meeting, MEETING_NAMES) from None

    def destroy(self, request, id=None):
        meetings.meeting_delete(meeting=self.get_editable_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(
        summary="Add a decision at the end of a meeting's list",
        parameters=[MEETING_ID],
        request=s.DecisionInputSerializer,
        responses={201: s.DecisionOutputSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a decision's text",
        parameters=[MEETING_ID, DECISION_ID],
        request=s.DecisionInputSerializer,
        responses={200: s.DecisionOutputSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a decision",
        parameters=[MEETING_ID, DECISION_ID],
        responses={204: None, **ERRORS},
    ),
)
class DecisionViewSet(viewsets.GenericViewSet):
    """A meeting's decisions (read with the meeting), through the page's form and services."""

    queryset = Decision.objects.none()  # for the schema; reads go through the meeting
    serializer_class = s.DecisionOutputSerializer
    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends: list = []
    lookup_url_kwarg = "decision_id"
    lookup_value_regex = "[0-9]+"

    def meeting(self) -> Meeting:
        try:
            public_id = UUID(str(self.kwargs["id"]))
        except ValueError:
            raise NotFound from None
        meeting = get_object_or_404(meeting_list_queryset(self.request.user), uuid=public_id)
        if not is_editable(meeting, self.request.user):
            raise PermissionDenied(READ_ONLY)
        return meeting

    def text(self) -> str:
        values = valid_input(self, s.DecisionInputSerializer)
        form = DecisionForm(data={"text": values["text"]})
        if not form.is_valid():
            raise form_errors(form)
        return form.cleaned_data["text"]

    def create(self, request, id=None):
        meeting = self.meeting()
        decision = meetings.decision_add(meeting=meeting, user=request.user, text=self.text())
        return Response(s.DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, decision_id=None):
        decision = get_object_or_404(self.meeting().decisions, pk=decision_id)
        decision = meetings.decision_update(decision=decision, user=request.user, text=self.text())
        return Response(s.DecisionOutputSerializer(decision).data)

    def destroy(self, request, id=None, decision_id=None):
        decision = get_object_or_404(self.meeting().decisions, pk=decision_id)
        meetings.decision_delete(decision=decision, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Action items --------------------------------------------------------------------------------


class ActionItemFilterSet(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(
        label=gettext_lazy("Mine: owned by the person of my account"),
        method="filter_mine",
        widget=django_filters.widgets.BooleanWidget,
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Overdue: open or in progress after their due date"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=ActionItemStatus.choices
    )
    meeting = django_filters.UUIDFilter(field_name="meeting__uuid", label=gettext_lazy("Meeting"))

    class Meta:
        model = ActionItem
        fields = ["mine", "overdue", "status", "meeting"]

    def filter_mine(self, queryset, name, value: bool):
        return queryset.filter(owner__user=self.request.user) if value else queryset

    def filter_overdue(self, queryset, name, value: bool):
        return queryset.overdue(timezone.localdate()) if value else queryset


ACTION_ITEM_CONFLICT = _conflict(s.ActionItemOutputSerializer, "ActionItemConflict")
ACTION_ITEM_NAMEABLE = tuple(s.ActionItemChangeInputSerializer().fields)


@extend_schema_view(
    list=extend_schema(
        summary="List the action items of the meetings you see, and your own",
        description="?mine=1: those you own; ?overdue=1: open or in progress after their due date.",
        responses={200: s.ActionItemOutputSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    ),
    retrieve=extend_schema(
        summary="Read an action item",
        description="Its owner reads it even without seeing its meeting; 'meeting' is then null.",
        responses={200: s.ActionItemOutputSerializer, **READ},
    ),
    create=extend_schema(
        summary="Add an action item to a meeting",
        request=s.ActionItemInputSerializer,
        responses={201: s.ActionItemOutputSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Change an action item (fields left out keep their values)",
        description=PUT_DESCRIPTION,
        request=s.ActionItemChangeInputSerializer,
        responses={
            200: s.ActionItemOutputSerializer,
            **ERRORS,
            409: ACTION_ITEM_CONFLICT,
            428: VERSION_REQUIRED,
        },
    ),
    partial_update=extend_schema(
        summary="Change an action item, or (its owner) its status",
        description="Those who may change the meeting change any field; the owner alone "
        "changes only the status (other fields answer 403). " + PATCH_DESCRIPTION,
        request=s.ActionItemChangeInputSerializer,
        responses={200: s.ActionItemOutputSerializer, **ERRORS, 409: ACTION_ITEM_CONFLICT},
    ),
    destroy=extend_schema(summary="Delete an action item", responses={204: None, **ERRORS}),
)
class ActionItemViewSet(RecordViewSet):
    """Action items: through the page's form and the ``meetings`` services."""

    model = ActionItem
    output_serializer = s.ActionItemOutputSerializer
    input_serializer = s.ActionItemChangeInputSerializer
    form_class = ActionItemForm
    filterset_class = ActionItemFilterSet
    ordering_fields = ["due_on", "status", "created", "updated"]
    ordering = ["due_on"]

    def selector(self, user):
        # flagged meeting_visible, owner_visible…: the serializer shows only those
        return visible_action_items(user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def create(self, request):
        if not request.user.can_write:
            raise PermissionDenied(_("You may not create this kind of record."))
        values = valid_input(self, s.ActionItemInputSerializer)
        meeting = values.pop("meeting")
        if not is_editable(meeting, request.user):
            raise PermissionDenied(_("You may not add action items to this meeting."))
        if "partnership" not in values:
            values["partnership"] = self.default_partnership(meeting)
        item = self.save(ActionItem(meeting=meeting), values, version=None)
        return Response(self.represent(item), status=status.HTTP_201_CREATED)

    def default_partnership(self, meeting: Meeting) -> Partnership | None:
        """As the page: the partnership with the meeting's partner, when the user sees it."""
        partnership = meetings.default_partnership(meeting)
        visible = Partnership.objects.visible_to(self.request.user)
        if partnership is None or not visible.filter(pk=partnership.pk).exists():
            return None
        return partnership

    def change(self, *, partial: bool) -> Response:
        user = self.request.user
        item = self.get_object()
        may_edit_meeting = is_editable(item.meeting, user)
        if not may_edit_meeting and not is_editable(item, user):  # the owner may, partly
            raise PermissionDenied(READ_ONLY)
        if not partial and version_missing(self.request):
            return version_required_answer()
        values = valid_input(self, s.ActionItemChangeInputSerializer, partial=partial)
        version = values.pop("version", None)
        try:
            # built from the row as locked, so a concurrent change of another field is kept
            with transaction.atomic():
                current = lock_record(item, expected_updated=version)
                if may_edit_meeting:
                    item = self.save(current, values, version=version)
                else:
                    item = self.owner_sets_status(current, values)
        except EditConflict as conflict:
            return conflict_answer(conflict, self.represent(conflict.current))
        return Response(self.represent(item))

    def owner_sets_status(self, item: ActionItem, values: dict) -> ActionItem:
        """The owner who may not change the meeting changes the status, as on the pages."""
        others = sorted(set(values) - {"status"})
        if others:
            raise PermissionDenied(
                _("As its owner you may change only the status; ask the meeting's editors.")
            )
        return meetings.action_item_set_status(
            item=item, user=self.request.user, status=values.get("status", item.status)
        )

    def save(self, item: ActionItem, values: dict, *, version) -> ActionItem:
        """Validate with the page's form, then save with ``action_item_save``.

        A change (``item`` locked by the caller) writes only the fields it names.
        """
        user = self.request.user
        is_new = item.pk is None
        stored_row = stored_values(item)
        data = {
            name: form_value(field, values[name] if name in values else stored(item, name))
            for name, field in ActionItemForm.base_fields.items()
            if name != "version"
        }
        if not is_new:
            data["version"] = item.updated.isoformat()
        form = use_public_ids(
            ActionItemForm(data=data, instance=item, user=user, meeting=item.meeting)
        )
        if not form.is_valid():
            raise form_errors(form)
        record = form.save(commit=False)
        if not is_new:
            keep_unnamed(record, stored_row, nameable=ACTION_ITEM_NAMEABLE, named=values)
        try:
            return meetings.action_item_save(item=record, user=user, expected_updated=version)
        except DjangoValidationError as error:
            raise service_errors(error, form.instance) from None

    def destroy(self, request, id=None):
        item = self.get_object()
        if not is_editable(item.meeting, request.user):
            raise PermissionDenied(READ_ONLY)
        meetings.action_item_delete(item=item, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
