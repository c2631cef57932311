"""Serializers of the meetings API: output and input kept apart.

Times follow the visits API (see :mod:`unibridge.visits.api.serializers`): every instant is
answered in ISO 8601 with the meeting's zone's offset, beside its wall-clock time and zone.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from unibridge.agreements.api.serializers import InstitutionRefSerializer, PersonRefSerializer
from unibridge.agreements.models import Agreement
from unibridge.core.api.fields import PublicIdField, text, version_field
from unibridge.core.api.serializers import InputSerializer
from unibridge.core.api.translations import TranslationsField
from unibridge.core.services import REQUIRED
from unibridge.core.visibility import shown
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.visits.api.serializers import (
    MEETING_MOMENT_HELP,
    MeetingSummarySerializer,
    MomentField,
    NamedChoiceField,
    wall_clock,
)
from unibridge.visits.models import Visit

from ..choices import ActionItemStatus, MeetingKind
from ..models import ActionItem, Decision, Meeting
from ..selectors import OPEN_STATUSES

# --- Meetings, decisions, action items -----------------------------------------------------------


class DecisionOutputSerializer(serializers.ModelSerializer):
    """A decision; its id names it in meetings/{id}/decisions/{decision_id}/."""

    translations = TranslationsField(read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "text", "translations", "order", "created", "updated"]
        read_only_fields = fields


class ActionItemSummarySerializer(serializers.ModelSerializer):
    """An action item; an owner, partnership or agreement the reader may not see is null.

    Its querysets carry the flags of ``core.visibility.annotate_visible``.
    """

    id = serializers.UUIDField(source="uuid", read_only=True)
    owner = serializers.SerializerMethodField()
    status = NamedChoiceField(
        component="ActionItemStatus", choices=ActionItemStatus.choices, read_only=True
    )
    translations = TranslationsField(read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id", "description", "translations", "owner", "due_on", "status", "completed_on",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_owner(self, item: ActionItem) -> dict | None:
        owner = shown(item, "owner")
        return PersonRefSerializer(owner).data if owner else None


@extend_schema_serializer(component_name="MeetingSummary")
class MeetingListSerializer(MeetingSummarySerializer):
    """A list row: the meeting without its people, agenda, minutes and outcomes."""

    visit = serializers.UUIDField(source="visit.uuid", read_only=True, allow_null=True)
    partner = InstitutionRefSerializer(read_only=True, allow_null=True)

    class Meta(MeetingSummarySerializer.Meta):
        fields = [
            *MeetingSummarySerializer.Meta.fields, "online_link", "visit", "partner",
            "is_confidential", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="Meeting")
class MeetingOutputSerializer(MeetingListSerializer):
    """A meeting with its participants, agenda, minutes (sanitised HTML) and outcomes."""

    starts_local = serializers.SerializerMethodField(
        help_text=_("The start as a wall-clock time of the meeting's zone.")
    )
    ends_local = serializers.SerializerMethodField()
    home_units = serializers.SerializerMethodField(
        help_text=_("A visit's meeting has the visit's home units.")
    )
    participants = PersonRefSerializer(many=True, read_only=True)
    decisions = DecisionOutputSerializer(many=True, read_only=True)
    action_items = ActionItemSummarySerializer(many=True, read_only=True)
    translations = TranslationsField(read_only=True)

    class Meta(MeetingListSerializer.Meta):
        fields = [
            *MeetingListSerializer.Meta.fields, "starts_local", "ends_local", "home_units",
            "participants", "agenda", "minutes", "translations", "decisions", "action_items",
        ]  # fmt: skip
        read_only_fields = fields

    def get_starts_local(self, meeting: Meeting) -> str | None:
        return wall_clock(meeting.starts_at, meeting.time_zone)

    def get_ends_local(self, meeting: Meeting) -> str | None:
        return wall_clock(meeting.ends_at, meeting.time_zone)

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_home_units(self, meeting: Meeting) -> list[str]:
        units = meeting.visit.home_units.all() if meeting.visit_id else meeting.home_units.all()
        return [str(unit.uuid) for unit in units]


class MeetingRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    title = serializers.CharField(read_only=True)


@extend_schema_serializer(component_name="ActionItem")
class ActionItemOutputSerializer(ActionItemSummarySerializer):
    """An action item; its owner sees it even when they may not see its meeting (then null)."""

    meeting = serializers.SerializerMethodField()
    partnership = serializers.SerializerMethodField()
    agreement = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta(ActionItemSummarySerializer.Meta):
        fields = [
            *ActionItemSummarySerializer.Meta.fields, "meeting", "partnership", "agreement",
            "is_overdue", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MeetingRefSerializer(allow_null=True))
    def get_meeting(self, item: ActionItem) -> dict | None:
        if not getattr(item, "meeting_visible", True):
            return None
        return MeetingRefSerializer(item.meeting).data

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_partnership(self, item: ActionItem) -> str | None:
        partnership = shown(item, "partnership")
        return str(partnership.uuid) if partnership else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_agreement(self, item: ActionItem) -> str | None:
        agreement = shown(item, "agreement")
        return str(agreement.uuid) if agreement else None

    def get_is_overdue(self, item: ActionItem) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return bool(item.due_on and item.due_on < today and item.status in OPEN_STATUSES)


# --- Input ---------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Meeting")
class MeetingInputSerializer(InputSerializer):
    """A meeting of a visit (``visit``) or a standalone one (with ``partner`` and units)."""

    visit = PublicIdField(
        queryset=Visit.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A visit's meeting takes the visit's partner, units and confidentiality."),
    )
    kind = NamedChoiceField(component="MeetingKind", choices=MeetingKind.choices, required=False)
    title = serializers.CharField()
    partner = PublicIdField(
        queryset=Institution.objects.filter(is_home=False), required=False, allow_null=True
    )
    home_units = PublicIdField(
        queryset=OrganizationalUnit.objects.all(),
        many=True,
        required=False,
        help_text=_("A coordinator includes one of their units."),
    )
    starts_at = MomentField(help_text=MEETING_MOMENT_HELP)
    ends_at = MomentField(required=False, allow_null=True)
    time_zone = text(
        help_text=_("Such as Asia/Almaty or Europe/Warsaw; a visit's meeting defaults to the "
                    "visit's, others to the site's.")
    )  # fmt: skip
    place = text()
    online_link = text()
    participants = PublicIdField(queryset=Person.objects.all(), many=True, required=False)
    agenda = text(help_text=_("One point per line."))
    minutes = text(
        help_text=_("HTML; only plain formatting is kept, scripts and styles are removed.")
    )
    translations = TranslationsField()
    is_confidential = serializers.BooleanField(required=False)


@extend_schema_serializer(component_name="MeetingChange")
class MeetingChangeInputSerializer(MeetingInputSerializer):
    """Fields left out keep their values; a meeting does not move to another visit."""

    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["visit"]
        for name in ("title", "starts_at"):
            self.fields[name].required = False


@extend_schema_serializer(component_name="MeetingDecision")
class DecisionInputSerializer(InputSerializer):
    text = serializers.CharField(allow_blank=True)
    translations = TranslationsField()

    def validate_text(self, value: str) -> str:
        # spaces alone are no decision: refused in the page's words
        if not value.strip():
            raise serializers.ValidationError(REQUIRED, code="required")
        return value


@extend_schema_serializer(component_name="ActionItem")
class ActionItemInputSerializer(InputSerializer):
    meeting = PublicIdField(queryset=Meeting.objects.all())
    description = serializers.CharField()
    owner = PublicIdField(queryset=Person.objects.all(), required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    status = NamedChoiceField(
        component="ActionItemStatus", choices=ActionItemStatus.choices, required=False
    )
    partnership = PublicIdField(
        queryset=Partnership.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The partnership with the meeting's partner when left out."),
    )
    agreement = PublicIdField(
        queryset=Agreement.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("An agreement the meeting's partner is a party to."),
    )
    translations = TranslationsField()


@extend_schema_serializer(component_name="ActionItemChange")
class ActionItemChangeInputSerializer(InputSerializer):
    """Those who may change the meeting change any field; the owner alone only the status."""

    description = serializers.CharField(required=False)
    owner = PublicIdField(queryset=Person.objects.all(), required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    status = NamedChoiceField(
        component="ActionItemStatus", choices=ActionItemStatus.choices, required=False
    )
    partnership = PublicIdField(queryset=Partnership.objects.all(), required=False, allow_null=True)
    agreement = PublicIdField(queryset=Agreement.objects.all(), required=False, allow_null=True)
    translations = TranslationsField()
    version = version_field()
