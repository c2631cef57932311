"""Serializers of the agreements API: output and input kept apart.

Output serializers describe what the API answers. Input serializers only check the JSON shape
(types, public ids of visible records, choice codes); the rules an agreement and its lifecycle
follow are the services' own (``agreements.services``), called by the views.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from unibridge.core.api.fields import VERSION_HELP, PublicIdField, code_list, text, version_field
from unibridge.core.api.serializers import (  # the references are importable here still
    InputSerializer,
    InstitutionRefSerializer,
    PersonRefSerializer,
)
from unibridge.core.api.translations import TranslationsField
from unibridge.core.visibility import shown
from unibridge.institutions.choices import CooperationArea
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from ..choices import EqfLevel, MobilityType, SignatureMethod
from ..models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementType,
    ApprovalStep,
    CooperationCondition,
    LanguageRequirement,
    Signature,
    SubjectArea,
)
from ..selectors import signed_by

# --- Types ---------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="AgreementType")
class AgreementTypeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementType
        fields = [
            "code", "name", "name_en", "name_ru", "name_kk", "name_pl", "reference_prefix",
            "has_conditions", "is_erasmus_iia", "is_active",
        ]  # fmt: skip
        read_only_fields = fields


# --- Parts of an agreement -----------------------------------------------------------------------


class SignatureOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["signed_on", "place", "method", "signatory_name", "signatory_position"]
        read_only_fields = fields


class PartyOutputSerializer(serializers.ModelSerializer):
    """One party; its id names it in parties/{party_id}/, its "updated" is its version.

    A signatory the reader may not see is null, and the signature does not name them
    (parties come from ``selectors.party_detail``, flagged ``signatory_visible``).
    """

    institution = InstitutionRefSerializer(read_only=True)
    units = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    signatory = serializers.SerializerMethodField()
    signature = serializers.SerializerMethodField()
    translations = TranslationsField(read_only=True)

    class Meta:
        model = AgreementParty
        fields = [
            "id", "institution", "units", "signatory", "signatory_position", "translations",
            "signature", "updated",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_signatory(self, party: AgreementParty) -> dict | None:
        person = shown(party, "signatory")
        return PersonRefSerializer(person).data if person else None

    @extend_schema_field(SignatureOutputSerializer(allow_null=True))
    def get_signature(self, party: AgreementParty) -> dict | None:
        # a reverse one-to-one raises when missing; the selector has loaded it either way
        signature = getattr(party, "signature", None)
        if not signature:
            return None
        data = SignatureOutputSerializer(signature).data
        data["signatory_name"] = signed_by(party)
        return data


class SubjectAreaOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubjectArea
        fields = ["isced_code", "clarification"]
        read_only_fields = fields


class LanguageRequirementOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = LanguageRequirement
        fields = ["language", "cefr_level", "isced_code", "clarification"]
        read_only_fields = fields


class ConditionOutputSerializer(serializers.ModelSerializer):
    """Mobilities in one direction (an EWP IIA v7 mobility specification).

    Its id names it in conditions/{condition_id}/ and stays the same when it is changed; its
    "updated" is the version to send back with a change.
    """

    sending_institution = serializers.UUIDField(source="sending_institution.uuid", read_only=True)
    sending_unit = serializers.UUIDField(
        source="sending_unit.uuid", read_only=True, allow_null=True
    )
    receiving_institution = serializers.UUIDField(
        source="receiving_institution.uuid", read_only=True
    )
    receiving_unit = serializers.UUIDField(
        source="receiving_unit.uuid", read_only=True, allow_null=True
    )
    eqf_levels = code_list(EqfLevel.choices, read_only=True)
    subject_areas = SubjectAreaOutputSerializer(many=True, read_only=True)
    language_requirements = LanguageRequirementOutputSerializer(many=True, read_only=True)

    class Meta:
        model = CooperationCondition
        fields = [
            "id", "mobility_type", "sending_institution", "sending_unit",
            "receiving_institution", "receiving_unit", "mobilities_per_year",
            "total_months_per_year", "total_days_per_year", "eqf_levels", "subject_areas",
            "language_requirements", "first_academic_year", "last_academic_year", "blended",
            "other_info", "updated",
        ]  # fmt: skip
        read_only_fields = fields


class ApprovalOutputSerializer(serializers.ModelSerializer):
    """One approval step; its id names it in approvals/{step}/decide/.

    Assigned to ``approver`` (a user name) or to ``duty`` (a duty's code, decided by its
    holders), never both.
    """

    approver = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    duty = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ApprovalStep
        fields = [
            "id", "round", "order", "name", "duty", "approver", "decision", "comment",
            "decided_by", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class DocumentOutputSerializer(serializers.ModelSerializer):
    """A document version's metadata; the file itself downloads through the page's link."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = AgreementDocument
        fields = [
            "id", "version", "title", "original_name", "content_type", "size", "sha256",
            "source", "is_signed_original", "uploaded_by", "created",
        ]  # fmt: skip
        read_only_fields = fields


# --- Agreements ----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="AgreementSummary")
class AgreementSummarySerializer(serializers.ModelSerializer):
    """A list row: the agreement and its parties; the detail adds conditions, approvals and
    documents."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    agreement_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cooperation_areas = code_list(CooperationArea.choices, read_only=True)
    next_expiry = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The end of the current period, renewals counted; null: no end."),
    )
    parent = serializers.SerializerMethodField(
        help_text=_("Null also when it is an agreement you may not see.")
    )
    predecessor = serializers.SerializerMethodField(
        help_text=_("Null also when it is an agreement you may not see.")
    )
    termination_requested_by = serializers.UUIDField(
        source="termination_requested_by.uuid", read_only=True, allow_null=True
    )
    responsible_people = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    parties = PartyOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id", "reference", "agreement_type", "title", "title_en", "title_ru", "title_kk",
            "title_pl", "summary", "status", "parent", "predecessor", "cooperation_areas",
            "responsible_people", "effective_date", "expiry_date", "next_expiry",
            "renewal_years", "notice_days", "terminated_on", "termination_reason",
            "termination_requested_by", "is_confidential", "notes", "parties", "created",
            "updated",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_parent(self, agreement: Agreement) -> str | None:
        parent = shown(agreement, "parent")
        return str(parent.uuid) if parent else None

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_predecessor(self, agreement: Agreement) -> str | None:
        predecessor = shown(agreement, "predecessor")
        return str(predecessor.uuid) if predecessor else None


@extend_schema_serializer(component_name="Agreement")
class AgreementOutputSerializer(AgreementSummarySerializer):
    conditions = ConditionOutputSerializer(many=True, read_only=True)
    approvals = ApprovalOutputSerializer(many=True, read_only=True)
    documents = DocumentOutputSerializer(many=True, read_only=True)
    translations = TranslationsField(read_only=True)

    class Meta(AgreementSummarySerializer.Meta):
        fields = [
            *AgreementSummarySerializer.Meta.fields, "translations", "conditions", "approvals",
            "documents",
        ]  # fmt: skip
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------------


class PartyInputSerializer(InputSerializer):
    institution = PublicIdField(queryset=Institution.objects.all())
    units = PublicIdField(queryset=OrganizationalUnit.objects.all(), many=True, required=False)
    signatory = PublicIdField(queryset=Person.objects.all(), required=False, allow_null=True)
    signatory_position = text()


@extend_schema_serializer(component_name="Agreement")
class AgreementInputSerializer(InputSerializer):
    agreement_type = serializers.SlugRelatedField(
        slug_field="code", queryset=AgreementType.objects.all(), help_text=_("The type's code.")
    )
    title = serializers.CharField()
    title_en = text()
    title_ru = text()
    title_kk = text()
    title_pl = text()
    summary = text()
    translations = TranslationsField()
    parties = PartyInputSerializer(
        many=True, help_text=_("Two or more institutions, the home institution among them.")
    )
    parent = PublicIdField(queryset=Agreement.objects.all(), required=False, allow_null=True)
    cooperation_areas = code_list(CooperationArea.choices, required=False)
    responsible_people = PublicIdField(queryset=Person.objects.all(), many=True, required=False)
    effective_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Null or left out: no end.")
    )
    renewal_years = serializers.IntegerField(required=False, min_value=0)
    notice_days = serializers.IntegerField(required=False, min_value=0)
    notes = text()
    is_confidential = serializers.BooleanField(required=False)


def required_version() -> serializers.DateTimeField:
    """The record's "updated" as last read; every change of an agreement or its parts sends it."""
    return serializers.DateTimeField(write_only=True, help_text=VERSION_HELP)


class VersionRequiredMixin:
    """A change always carries the version, even a PATCH (DRF skips "required" when partial)."""

    def validate(self, attrs: dict) -> dict:
        if attrs.get("version") is None:
            raise serializers.ValidationError(
                {"version": [self.fields["version"].error_messages["required"]]}
            )
        return attrs


@extend_schema_serializer(component_name="AgreementChange")
class AgreementChangeInputSerializer(InputSerializer):
    """The edit page's fields. Fields left out keep their values.

    After the draft only responsible_people, notes and is_confidential change; a term sent
    with another value than the stored one is refused at its field (400).
    """

    agreement_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=AgreementType.objects.all(),
        required=False,
        help_text=_("The type's code."),
    )
    title = serializers.CharField(required=False)
    title_en = text()
    title_ru = text()
    title_kk = text()
    title_pl = text()
    summary = text()
    translations = TranslationsField()
    parent = PublicIdField(queryset=Agreement.objects.all(), required=False, allow_null=True)
    cooperation_areas = code_list(CooperationArea.choices, required=False)
    responsible_people = PublicIdField(queryset=Person.objects.all(), many=True, required=False)
    effective_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Null: no end.")
    )
    renewal_years = serializers.IntegerField(required=False, min_value=0)
    notice_days = serializers.IntegerField(required=False, min_value=0)
    notes = text()
    is_confidential = serializers.BooleanField(required=False)
    version = version_field()


class SubjectAreaInputSerializer(InputSerializer):
    isced_code = serializers.CharField(
        allow_blank=True, help_text=_("A four-digit ISCED-F 2013 code such as 0713.")
    )
    clarification = text()


class LanguageRequirementInputSerializer(InputSerializer):
    language = serializers.CharField(allow_blank=True, help_text=_("Such as en or pl."))
    cefr_level = text(help_text=_("A1 to C2; optional."))
    isced_code = text(help_text=_("One of the condition's subject areas; optional."))
    clarification = text()


@extend_schema_serializer(component_name="Condition")
class ConditionInputSerializer(VersionRequiredMixin, InputSerializer):
    """A cooperation condition; the EWP IIA v7 rules answer at their fields.

    Errors of one subject area or language requirement are named by its position in the
    list, such as "subject_areas[1].isced_code". When changing, fields left out keep their
    values; subject_areas and language_requirements, when given, replace the whole list.
    """

    mobility_type = serializers.ChoiceField(choices=MobilityType.choices)
    sending_institution = PublicIdField(queryset=Institution.objects.all())
    sending_unit = PublicIdField(
        queryset=OrganizationalUnit.objects.all(), required=False, allow_null=True
    )
    receiving_institution = PublicIdField(queryset=Institution.objects.all())
    receiving_unit = PublicIdField(
        queryset=OrganizationalUnit.objects.all(), required=False, allow_null=True
    )
    mobilities_per_year = serializers.IntegerField()
    total_months_per_year = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text=_("Student mobility."),
    )
    total_days_per_year = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text=_("Staff mobility."),
    )
    eqf_levels = code_list(EqfLevel.choices, required=False)
    subject_areas = SubjectAreaInputSerializer(many=True, required=False)
    language_requirements = LanguageRequirementInputSerializer(many=True, required=False)
    first_academic_year = serializers.CharField(help_text=_("Such as 2026/2027."))
    last_academic_year = serializers.CharField(help_text=_("Such as 2028/2029."))
    blended = serializers.BooleanField(required=False)
    other_info = text()
    version = serializers.DateTimeField(
        required=False,
        write_only=True,
        help_text=_("Required when changing a condition; left out when creating one."),
    )

    def validate(self, attrs: dict) -> dict:
        # a change (PATCH) needs the version; a new condition has none yet
        return super().validate(attrs) if self.partial else attrs


@extend_schema_serializer(component_name="PartyChange")
class PartyChangeInputSerializer(VersionRequiredMixin, InputSerializer):
    """A party's units (in a draft) and signatory (until the party has signed)."""

    units = PublicIdField(
        queryset=OrganizationalUnit.objects.all(),
        many=True,
        required=False,
        help_text=_("Units of the party's institution."),
    )
    signatory = PublicIdField(queryset=Person.objects.all(), required=False, allow_null=True)
    signatory_position = text()
    version = required_version()


class SignatureInputSerializer(InputSerializer):
    party = PublicIdField(
        queryset=Institution.objects.all(), help_text=_("The signing party's institution.")
    )
    signed_on = serializers.DateField()
    place = text()
    method = serializers.ChoiceField(choices=SignatureMethod.choices, required=False)
    signatory_name = text(help_text=_("Defaults to the party's signatory."))
    signatory_position = text(help_text=_("Defaults to the party's signatory's position."))


class TerminationInputSerializer(InputSerializer):
    requested_by = PublicIdField(
        queryset=Institution.objects.all(), help_text=_("The party that gave notice.")
    )
    reason = serializers.CharField()
    requested_on = serializers.DateField(
        required=False, help_text=_("The date of the notice; today when left out.")
    )


class RenewalInputSerializer(InputSerializer):
    effective_date = serializers.DateField(allow_null=True)
    expiry_date = serializers.DateField(allow_null=True, help_text=_("Null: no end."))


class DecisionInputSerializer(InputSerializer):
    approve = serializers.BooleanField()
    comment = text(help_text=_("Required when rejecting: the reasons."))
