"""JSON API for meetings with their decisions (``meetings/``, ``meetings/{id}/decisions/``) and
action items (``action-items/``), mounted at /api/v1/.

Writes go serializer → ``meetings.services`` (``meeting_create``/``meeting_update``, which
sanitise the minutes, ``decision_add``…, ``action_item_create``/``action_item_update``), the
rules the pages share; answers follow the visits API (:mod:`unibridge.visits.api.views`):
404 unseen, 403 unchangeable, 409 stale version.
"""

from uuid import UUID

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS
from unibridge.core.api.parsers import JSONParser
from unibridge.core.api.viewsets import (
    PATCH_DESCRIPTION,
    PUT_DESCRIPTION,
    READ,
    READ_ONLY,
    VERSION_REQUIRED,
    RecordViewSet,
    conflict_response,
    valid_input,
)
from unibridge.core.permissions import is_editable
from unibridge.core.visibility import visible_prefetch
from unibridge.institutions.models import Person
from unibridge.meetings import services as meetings
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.filters import MeetingFilterSet
from unibridge.meetings.models import ActionItem, Decision, Meeting
from unibridge.meetings.selectors import (
    meeting_detail_queryset,
    meeting_list_queryset,
    visible_action_items,
    with_visible_links,
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
    """Meetings: serializer → ``meetings.meeting_create`` / ``meeting_update``."""

    model = Meeting
    output_serializer = s.MeetingOutputSerializer
    list_serializer = s.MeetingListSerializer
    input_serializer = s.MeetingChangeInputSerializer
    create_serializer = s.MeetingInputSerializer
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

    def create_record(self, values: dict) -> Meeting:
        values = dict(values)
        visit = values.pop("visit", None)
        return meetings.meeting_create(user=self.request.user, visit=visit, values=values)

    def update_record(self, instance: Meeting, values: dict, version) -> Meeting:
        return meetings.meeting_update(
            meeting=instance, user=self.request.user, values=values, expected_updated=version
        )

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
    """A meeting's decisions (read with the meeting), through the meetings services."""

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

    def create(self, request, id=None):
        meeting = self.meeting()
        values = valid_input(self, s.DecisionInputSerializer)
        decision = meetings.decision_add(
            meeting=meeting,
            user=request.user,
            text=values["text"],
            translations=values.get("translations"),
        )
        return Response(s.DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, id=None, decision_id=None):
        decision = get_object_or_404(self.meeting().decisions, pk=decision_id)
        # a PATCH may name only the translations; the text it leaves out stays
        values = valid_input(self, s.DecisionInputSerializer, partial=True)
        decision = meetings.decision_update(
            decision=decision,
            user=request.user,
            text=values.get("text"),
            translations=values.get("translations"),
        )
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
    """Action items: serializer → ``meetings.action_item_create`` / ``action_item_update``."""

    model = ActionItem
    output_serializer = s.ActionItemOutputSerializer
    input_serializer = s.ActionItemChangeInputSerializer
    create_serializer = s.ActionItemInputSerializer
    filterset_class = ActionItemFilterSet
    ordering_fields = ["due_on", "status", "created", "updated"]
    ordering = ["due_on"]

    def selector(self, user):
        # flagged meeting_visible, owner_visible…: the serializer shows only those
        return visible_action_items(user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_editable_object(self) -> ActionItem:
        """The meeting's editors change the item; its owner too, but only the status."""
        item = self.get_object()
        user = self.request.user
        if not is_editable(item.meeting, user) and not is_editable(item, user):
            raise PermissionDenied(READ_ONLY)
        return item

    def create_record(self, values: dict) -> ActionItem:
        values = dict(values)
        meeting = values.pop("meeting")
        return meetings.action_item_create(meeting=meeting, user=self.request.user, values=values)

    def update_record(self, instance: ActionItem, values: dict, version) -> ActionItem:
        return meetings.action_item_update(
            item=instance, user=self.request.user, values=values, expected_updated=version
        )

    def destroy(self, request, id=None):
        item = self.get_object()
        if not is_editable(item.meeting, request.user):
            raise PermissionDenied(READ_ONLY)
        meetings.action_item_delete(item=item, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
