"""JSON API for meetings with their decisions (``meetings/``, ``meetings/{id}/decisions/``) and
action items (``action-items/``), mounted at /api/v1/.

Writes go through the page's meeting form and ``services.meeting_save`` (which sanitises the
minutes) and the other meetings services; answers follow the visits API
(:mod:`unibridge.visits.api.views`): 404 unseen, 403 unchangeable, 409 stale version.
"""

import datetime
import zoneinfo
from uuid import UUID

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS
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
from unibridge.core.services import EditConflict, lock_record
from unibridge.core.visibility import visible_prefetch
from unibridge.institutions.models import Partnership, Person
from unibridge.meetings import services as meetings
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.filters import MeetingFilterSet
from unibridge.meetings.forms import ActionItemForm, DecisionForm, MeetingForm, in_zone
from unibridge.meetings.models import ActionItem, Decision, Meeting
from unibridge.meetings.selectors import (
    meeting_detail_queryset,
    meeting_list_queryset,
    visible_action_items,
    with_visible_links,
)
from unibridge.visits.api.support import (
    READ,
    READ_ONLY,
    conflict_answer,
    conflict_response,
    form_errors,
    hidden_people,
    service_errors,
    stored,
    valid_input,
    visible_people,
)

from . import serializers as s

MEETING_CONFLICT = conflict_response(s.MeetingOutputSerializer, "MeetingConflict")
MEETING_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The meeting's id."
)
DECISION_ID = OpenApiParameter(
    "decision_id", int, OpenApiParameter.PATH, description="The decision's id."
)


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


ACTION_ITEM_CONFLICT = conflict_response(s.ActionItemOutputSerializer, "ActionItemConflict")
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
