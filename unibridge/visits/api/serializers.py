"""Serializers of the visits API: output and input kept apart (meetings: their own app's).

Output serializers describe what the API answers. Input serializers only check the JSON shape
(types, public ids of visible records, choice codes); the rules are the pages' forms' and the
services' own, called by the views.

Times: every instant is answered in ISO 8601 with the offset of the zone it belongs to (the
visit's, the host's, for programme items; the meeting's own for meetings), beside the same
time as a wall-clock time of that zone and the zone's name. On input an instant is either
ISO 8601 with an offset (``2026-03-29T10:00:00+02:00``, ``…Z``) or a wall-clock time without
one (``2026-03-29T10:00``), read in the visit's or the meeting's zone.
"""

import datetime
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from unibridge.agreements.api.serializers import InstitutionRefSerializer, PersonRefSerializer
from unibridge.core.api.fields import VERSION_HELP, PublicIdField, text, version_field
from unibridge.core.api.serializers import InputSerializer
from unibridge.core.api.translations import TranslationsField
from unibridge.core.visibility import shown
from unibridge.institutions.models import Institution, OrganizationalUnit, Person
from unibridge.meetings.choices import MeetingKind
from unibridge.meetings.models import Meeting
from unibridge.visits.choices import (
    DelegationRole,
    Direction,
    ParticipantSide,
    ProgrammeItemKind,
    VisitStatus,
)
from unibridge.visits.models import ChecklistItem, ProgrammeItem, Visit, VisitParticipant

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"

# written out twice rather than formatted: a formatted lazy text is translated at import
PROGRAMME_MOMENT_HELP = _(
    "ISO 8601 with an offset (2026-03-29T10:00:00+02:00), or a wall-clock time without one "
    "(2026-03-29T10:00), read in the visit's time zone; a time the clocks skip is refused, one "
    "they repeat is taken the first time."
)
MEETING_MOMENT_HELP = _(
    "ISO 8601 with an offset (2026-03-29T10:00:00+02:00), or a wall-clock time without one "
    "(2026-03-29T10:00), read in the meeting's time zone; a time the clocks skip is refused, "
    "one they repeat is taken the first time."
)


def in_zone(value: datetime.datetime | None, zone: str) -> str | None:
    """An instant in ISO 8601 with the offset of ``zone``."""
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(zone)).isoformat()


def wall_clock(value: datetime.datetime | None, zone: str) -> str | None:
    """An instant as the wall-clock time of ``zone``, such as 2026-03-29T10:00."""
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(zone)).strftime(LOCAL_FORMAT)


# --- Fields --------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "example": "2026-03-29T10:00:00+02:00"})
class MomentField(serializers.Field):
    """An ISO 8601 date and time, with an offset or without one (then a wall-clock time).

    The value is a datetime, aware or naive: the view knows the zone a naive one is read in.
    """

    default_error_messages = {
        "invalid": _(
            "“{value}” is not a date and time such as 2026-03-29T10:00:00+02:00 or "
            "2026-03-29T10:00."
        ),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or "T" not in data.strip().upper():
            self.fail("invalid", value=data)
        try:
            return datetime.datetime.fromisoformat(data.strip())
        except ValueError:
            self.fail("invalid", value=data)

    def to_representation(self, value):
        return value.isoformat()


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named component of the schema ("VisitStatus").

    The schema names a choice set used by several components (list row and detail, input and
    output) and by other sets under the same field name ("status", "kind") with a hash and a
    warning; naming it here keeps the name readable without a project-wide setting.
    """

    def __init__(self, *, component: str, **kwargs):
        self.component = component
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {
            "type": "string",
            "enum": list(field.choices),
            "description": "\n".join(
                f"* `{key}` - {label}" for key, label in field.choices.items()
            ),
        }
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class WarningSerializer(serializers.Serializer):
    """Something about a programme item to look at; it never blocks saving."""

    code = serializers.ChoiceField(
        choices=["outside_dates", "person_booked_twice", "room_booked_twice"], read_only=True
    )
    message = serializers.CharField(read_only=True)
    other_title = serializers.CharField(
        read_only=True, help_text=_("The conflicting event; empty when you may not see it.")
    )
    other_url = serializers.CharField(read_only=True)


# --- Parts of a visit ----------------------------------------------------------------------------


PERSONAL_FIELDS = ("nationality", "passport_number", "date_of_birth")


@extend_schema_serializer(component_name="Participant")
class ParticipantOutputSerializer(serializers.ModelSerializer):
    """A delegation member or home participant; its id names it in participants/{id}/.

    Nationality, passport number and date of birth (for visa invitation letters) are
    answered only to those who may change the visit; others get null.
    """

    person = PersonRefSerializer(read_only=True)
    institution = serializers.SerializerMethodField()
    nationality = serializers.CharField(read_only=True, allow_null=True)
    passport_number = serializers.CharField(read_only=True, allow_null=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    translations = TranslationsField(read_only=True)

    class Meta:
        model = VisitParticipant
        fields = [
            "id", "person", "institution", "side", "role", "function", "translations",
            "needs_visa_invitation",
            "nationality", "passport_number", "date_of_birth", "order", "updated",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(InstitutionRefSerializer(allow_null=True))
    def get_institution(self, participant: VisitParticipant) -> dict | None:
        institution = participant.person.institution
        return InstitutionRefSerializer(institution).data if institution else None

    def to_representation(self, participant):
        data = super().to_representation(participant)
        if not self.context.get("can_edit"):
            for name in PERSONAL_FIELDS:
                data[name] = None
        return data


class ChecklistItemOutputSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = ["id", "name", "owner", "due_on", "done", "done_at", "note", "is_overdue"]
        read_only_fields = fields

    def get_is_overdue(self, item: ChecklistItem) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return not item.done and item.due_on is not None and item.due_on < today


@extend_schema_serializer(component_name="VisitProgrammeItem")
class ProgrammeItemSummarySerializer(serializers.ModelSerializer):
    """A programme item in the visit's detail; programme/ answers it whole, with warnings."""

    id = serializers.UUIDField(source="uid", read_only=True)
    kind = NamedChoiceField(
        component="ProgrammeItemKind", choices=ProgrammeItemKind.choices, read_only=True
    )
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeItem
        fields = ["id", "kind", "title", "starts_at", "ends_at", "place"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_starts_at(self, item: ProgrammeItem) -> str | None:
        return in_zone(item.starts_at, item.visit.time_zone)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_ends_at(self, item: ProgrammeItem) -> str | None:
        return in_zone(item.ends_at, item.visit.time_zone)


@extend_schema_serializer(component_name="ProgrammeItem")
class ProgrammeItemOutputSerializer(ProgrammeItemSummarySerializer):
    """One programme item: times in the host's zone, and the warnings about it."""

    time_zone = serializers.CharField(source="visit.time_zone", read_only=True)
    starts_local = serializers.SerializerMethodField(
        help_text=_("The start as the host's wall-clock time.")
    )
    ends_local = serializers.SerializerMethodField(
        help_text=_("The end as the host's wall-clock time.")
    )
    responsible = serializers.SerializerMethodField(
        help_text=_("Null also when it is someone you may not see.")
    )
    participants = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    warnings = serializers.SerializerMethodField()
    translations = TranslationsField(read_only=True)

    class Meta(ProgrammeItemSummarySerializer.Meta):
        fields = [
            *ProgrammeItemSummarySerializer.Meta.fields, "time_zone", "starts_local",
            "ends_local", "online_link", "description", "translations", "responsible",
            "participants", "warnings", "updated",
        ]  # fmt: skip
        read_only_fields = fields

    def get_starts_local(self, item: ProgrammeItem) -> str | None:
        return wall_clock(item.starts_at, item.visit.time_zone)

    def get_ends_local(self, item: ProgrammeItem) -> str | None:
        return wall_clock(item.ends_at, item.visit.time_zone)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_responsible(self, item: ProgrammeItem) -> str | None:
        person = shown(item, "responsible")
        return str(person.uuid) if person else None

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, item: ProgrammeItem) -> list[dict]:
        warnings = self.context.get("warnings", {}).get(item.pk, [])
        return WarningSerializer(warnings, many=True).data


@extend_schema_serializer(component_name="VisitMeeting")
class MeetingSummarySerializer(serializers.ModelSerializer):
    """A meeting in a visit's detail; meetings/{id}/ answers it whole."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    kind = NamedChoiceField(component="MeetingKind", choices=MeetingKind.choices, read_only=True)
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "kind", "title", "starts_at", "ends_at", "time_zone", "place"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_starts_at(self, meeting: Meeting) -> str | None:
        return in_zone(meeting.starts_at, meeting.time_zone)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_ends_at(self, meeting: Meeting) -> str | None:
        return in_zone(meeting.ends_at, meeting.time_zone)


# --- Visits --------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="VisitSummary")
class VisitSummarySerializer(serializers.ModelSerializer):
    """A list row; the detail adds people, agreements, checklist, programme and meetings."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    direction = NamedChoiceField(component="Direction", choices=Direction.choices, read_only=True)
    status = NamedChoiceField(component="VisitStatus", choices=VisitStatus.choices, read_only=True)
    partner = InstitutionRefSerializer(read_only=True)
    visiting_institution = serializers.UUIDField(source="visiting_institution.uuid", read_only=True)
    host_institution = serializers.UUIDField(source="host_institution.uuid", read_only=True)
    host_unit = serializers.UUIDField(source="host_unit.uuid", read_only=True, allow_null=True)
    home_units = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "title", "direction", "status", "partner", "visiting_institution",
            "host_institution", "host_unit", "home_units", "start_date", "end_date",
            "time_zone", "is_confidential", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="Visit")
class VisitOutputSerializer(VisitSummarySerializer):
    responsible_people = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    agreements = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    participants = ParticipantOutputSerializer(many=True, read_only=True)
    checklist = ChecklistItemOutputSerializer(many=True, read_only=True)
    programme = ProgrammeItemSummarySerializer(many=True, read_only=True)
    meetings = MeetingSummarySerializer(many=True, read_only=True)
    translations = TranslationsField(read_only=True)

    class Meta(VisitSummarySerializer.Meta):
        fields = [
            *VisitSummarySerializer.Meta.fields, "purpose", "goals", "translations",
            "cancellation_reason",
            "responsible_people", "agreements", "notes", "participants", "checklist",
            "programme", "meetings",
        ]  # fmt: skip
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------------


def required_version() -> serializers.DateTimeField:
    """The record's "updated" as last read: every change sends it back."""
    return serializers.DateTimeField(write_only=True, help_text=VERSION_HELP)


class VersionRequiredMixin:
    """A change always carries the version, even a PATCH (DRF skips "required" when partial)."""

    def validate(self, attrs: dict) -> dict:
        if attrs.get("version") is None:
            raise serializers.ValidationError(
                {"version": [self.fields["version"].error_messages["required"]]}
            )
        return attrs


@extend_schema_serializer(component_name="Visit")
class VisitInputSerializer(InputSerializer):
    """A new planned visit; the direction and the partner decide who visits and who hosts."""

    direction = NamedChoiceField(component="Direction", choices=Direction.choices)
    partner = PublicIdField(
        queryset=Institution.objects.filter(is_home=False),
        help_text=_("The other side: the visiting institution of an incoming visit, the host "
                    "of an outgoing one."),
    )  # fmt: skip
    title = serializers.CharField()
    host_unit = PublicIdField(
        queryset=OrganizationalUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A unit of the host institution."),
    )
    home_units = PublicIdField(
        queryset=OrganizationalUnit.objects.all(),
        many=True,
        required=False,
        help_text=_("Units of the home institution; a coordinator includes one of theirs."),
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    time_zone = text(help_text=_("The host's, such as Asia/Almaty or Europe/Warsaw."))
    purpose = text()
    goals = text(help_text=_("One per line."))
    translations = TranslationsField()
    responsible_people = PublicIdField(queryset=Person.objects.all(), many=True, required=False)
    notes = text()
    is_confidential = serializers.BooleanField(required=False)


@extend_schema_serializer(component_name="VisitChange")
class VisitChangeInputSerializer(InputSerializer):
    """The edit page's fields; fields left out keep their values."""

    direction = NamedChoiceField(component="Direction", choices=Direction.choices, required=False)
    partner = PublicIdField(queryset=Institution.objects.filter(is_home=False), required=False)
    title = serializers.CharField(required=False)
    host_unit = PublicIdField(
        queryset=OrganizationalUnit.objects.all(), required=False, allow_null=True
    )
    home_units = PublicIdField(queryset=OrganizationalUnit.objects.all(), many=True, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    time_zone = text()
    purpose = text()
    goals = text()
    translations = TranslationsField()
    responsible_people = PublicIdField(queryset=Person.objects.all(), many=True, required=False)
    notes = text()
    is_confidential = serializers.BooleanField(required=False)
    version = version_field()


class CancelInputSerializer(InputSerializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the visit is cancelled; required.")
    )


class NewPersonInputSerializer(InputSerializer):
    """A person not yet in the directory, created with the participant."""

    name_native = serializers.CharField(
        allow_blank=True, help_text=_("As the person writes it, in any script.")
    )
    name_latin = text(help_text=_("Transliterated from the name when left empty."))
    institution = PublicIdField(
        queryset=Institution.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The visiting or the host institution; the visiting one when left out."),
    )
    position = text()
    email = text()


@extend_schema_serializer(component_name="Participant")
class ParticipantInputSerializer(InputSerializer):
    """A participant: a person from the directory, or a new one (``new_person``)."""

    side = serializers.ChoiceField(
        choices=ParticipantSide.choices,
        required=False,
        help_text=_("The delegation (the default) or the home participants."),
    )
    person = PublicIdField(queryset=Person.objects.all(), required=False, allow_null=True)
    new_person = NewPersonInputSerializer(required=False, allow_null=True)
    role = serializers.ChoiceField(choices=DelegationRole.choices, required=False)
    function = text()
    translations = TranslationsField()
    needs_visa_invitation = serializers.BooleanField(required=False)
    nationality = text(help_text=_("An ISO 3166-1 alpha-2 code such as PL."))
    passport_number = text()
    date_of_birth = serializers.DateField(required=False, allow_null=True)


@extend_schema_serializer(component_name="ParticipantChange")
class ParticipantChangeInputSerializer(VersionRequiredMixin, InputSerializer):
    person = PublicIdField(queryset=Person.objects.all(), required=False)
    role = serializers.ChoiceField(choices=DelegationRole.choices, required=False)
    function = text()
    translations = TranslationsField()
    needs_visa_invitation = serializers.BooleanField(required=False)
    nationality = text()
    passport_number = text()
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    version = required_version()


@extend_schema_serializer(component_name="ProgrammeItem")
class ProgrammeItemInputSerializer(InputSerializer):
    """A programme item; the start and end with an offset, or as the host's wall-clock time."""

    kind = NamedChoiceField(
        component="ProgrammeItemKind", choices=ProgrammeItemKind.choices, required=False
    )
    title = serializers.CharField()
    starts_at = MomentField(help_text=PROGRAMME_MOMENT_HELP)
    ends_at = MomentField(help_text=_("As starts_at; it must come after the start."))
    place = text(help_text=_("A room, such as “Senate hall, room 101”."))
    online_link = text()
    description = text()
    translations = TranslationsField()
    responsible = PublicIdField(queryset=Person.objects.all(), required=False, allow_null=True)
    participants = PublicIdField(queryset=Person.objects.all(), many=True, required=False)


@extend_schema_serializer(component_name="ProgrammeItemChange")
class ProgrammeItemChangeInputSerializer(VersionRequiredMixin, ProgrammeItemInputSerializer):
    """Fields left out keep their values."""

    version = required_version()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "starts_at", "ends_at"):
            self.fields[name].required = False
