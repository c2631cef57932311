"""Serializers of the institutions API: output and input kept apart.

Both of a resource's serializers share one schema name: the output is "Institution", the input
"InstitutionRequest" (and "PatchedInstitutionRequest"), so their choice lists share one enum.

Output serializers describe what the API answers. Input serializers only check the JSON shape
(types, public ids of visible records, country codes, choice codes); the rules a record must
follow are those of ``institutions.services`` and the models, which the pages share.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from unibridge.core.api.fields import (
    CountryCodeField,
    FlatListField,
    PublicIdField,
    code_list,
    identifier,
    text,
    version_field,
)
from unibridge.core.api.serializers import InputSerializer

from ..choices import (
    CooperationArea,
    InstitutionType,
    LanguageCode,
    PartnershipPriority,
    PartnershipStatus,
    UnitType,
)
from ..duplicates import REASONS, Duplicate
from ..models import Institution, OrganizationalUnit, Partnership, Person

# --- Institutions --------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Institution")
class InstitutionOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    email_domains = serializers.ListField(child=serializers.CharField(), read_only=True)
    country = CountryCodeField(read_only=True)
    country_name = serializers.CharField(
        source="country.name",
        read_only=True,
        help_text=_("The country's name in the language of the request (Accept-Language)."),
    )

    class Meta:
        model = Institution
        fields = [
            "id", "name", "name_en", "name_ru", "name_kk", "name_pl", "aliases", "acronym",
            "kind", "country", "country_name", "city", "address", "website", "email_domains",
            "hei_id", "erasmus_code", "pic", "ror_id", "is_home", "notes", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


class DuplicateReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=list(REASONS), help_text=_("What the two institutions share.")
    )
    value = serializers.CharField(help_text=_("The shared identifier, domain or name."))
    message = serializers.CharField(help_text=_("The reason in the reader's language."))


class DuplicateWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["possible_duplicate"])
    institution = serializers.UUIDField(help_text=_("The id of the existing institution."))
    name = serializers.CharField()
    reasons = DuplicateReasonSerializer(many=True)


def duplicate_warnings(duplicates: list[Duplicate]) -> list[dict]:
    return [
        {
            "code": "possible_duplicate",
            "institution": str(d.institution.uuid),
            "name": d.institution.display_name,
            "reasons": [{"code": r.code, "value": r.value, "message": str(r)} for r in d.reasons],
        }
        for d in duplicates
    ]


@extend_schema_serializer(component_name="InstitutionCreated")
class InstitutionCreatedSerializer(InstitutionOutputSerializer):
    """The new institution and the existing ones it probably duplicates."""

    warnings = DuplicateWarningSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "Existing institutions this one probably duplicates (same identifier, domain, "
            "acronym or a similar name); empty when there are none. The institution is "
            "created either way: merge it into the existing one, or delete it."
        ),
    )

    class Meta(InstitutionOutputSerializer.Meta):
        fields = [*InstitutionOutputSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


@extend_schema_serializer(component_name="Institution")
class InstitutionInputSerializer(InputSerializer):
    name = serializers.CharField(help_text=_("Official name, in the institution's own language."))
    name_en = text()
    name_ru = text()
    name_kk = text()
    name_pl = text()
    aliases = FlatListField(child=serializers.CharField(), required=False)
    acronym = text()
    kind = serializers.ChoiceField(choices=InstitutionType.choices, required=False)
    country = CountryCodeField()
    city = text()
    address = text()
    website = text(help_text=_("A web address; https:// is assumed when missing."))
    email_domains = FlatListField(
        child=serializers.CharField(), required=False, help_text=_("Domains such as agh.edu.pl.")
    )
    hei_id = identifier(_("SCHAC / EWP hei-id: a lower-case domain such as agh.edu.pl."))
    erasmus_code = identifier(_("Erasmus code such as “PL KRAKOW02”."))
    pic = identifier(_("Participant Identification Code: 9 digits."))
    ror_id = identifier(_("ROR id such as 00bas1c41 or https://ror.org/00bas1c41."))
    is_home = serializers.BooleanField(
        required=False, help_text=_("Only an administrator may change it.")
    )
    notes = text()
    version = version_field()


# --- Organisational units -----------------------------------------------------------------------


@extend_schema_serializer(component_name="Unit")
class UnitOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    institution = serializers.UUIDField(source="institution.uuid", read_only=True)
    parent = serializers.UUIDField(source="parent.uuid", read_only=True, allow_null=True)

    class Meta:
        model = OrganizationalUnit
        fields = [
            "id", "institution", "parent", "name", "name_en", "name_ru", "name_kk", "name_pl",
            "acronym", "kind", "ewp_ounit_id", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="Unit")
class UnitInputSerializer(InputSerializer):
    institution = PublicIdField(
        queryset=Institution.objects.all(),
        help_text=_("Set when the unit is created; a unit never moves to another institution."),
    )
    parent = PublicIdField(
        queryset=OrganizationalUnit.objects.all(), required=False, allow_null=True
    )
    name = serializers.CharField()
    name_en = text()
    name_ru = text()
    name_kk = text()
    name_pl = text()
    acronym = text()
    kind = serializers.ChoiceField(choices=UnitType.choices, required=False)
    ewp_ounit_id = identifier(_("The identifier partners see in Erasmus Without Paper."))
    version = version_field()


# --- People --------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Person")
class PersonOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    institution = serializers.UUIDField(source="institution.uuid", read_only=True, allow_null=True)
    unit = serializers.UUIDField(source="unit.uuid", read_only=True, allow_null=True)
    languages = code_list(LanguageCode.choices, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id", "name_native", "name_latin", "title", "position", "institution", "unit",
            "email", "phone", "languages", "research_keywords", "is_confidential", "notes",
            "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="Person")
class PersonInputSerializer(InputSerializer):
    name_native = serializers.CharField(help_text=_("As the person writes it, in any script."))
    name_latin = text(help_text=_("Transliterated from the name when left empty."))
    title = text()
    position = text()
    institution = PublicIdField(
        queryset=Institution.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Defaults to the unit's institution."),
    )
    unit = PublicIdField(queryset=OrganizationalUnit.objects.all(), required=False, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = text()
    languages = code_list(LanguageCode.choices, required=False)
    research_keywords = text(help_text=_("Comma-separated fields of expertise."))
    is_confidential = serializers.BooleanField(required=False)
    notes = text()
    version = version_field()


# --- Partnerships --------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Partnership")
class PartnershipOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    partner = serializers.UUIDField(source="partner.uuid", read_only=True)
    home_units = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    responsible_people = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    cooperation_areas = code_list(CooperationArea.choices, read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id", "partner", "status", "priority", "home_units", "responsible_people",
            "cooperation_areas", "started_on", "is_confidential", "notes", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="Partnership")
class PartnershipInputSerializer(InputSerializer):
    partner = PublicIdField(
        queryset=Institution.objects.all(),
        help_text=_("Set when the partnership is created; it never changes afterwards."),
    )
    status = serializers.ChoiceField(choices=PartnershipStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=PartnershipPriority.choices, required=False)
    home_units = PublicIdField(
        queryset=OrganizationalUnit.objects.all(),
        many=True,
        required=False,
        help_text=_("Units of the home institution; a coordinator must keep one of theirs."),
    )
    responsible_people = PublicIdField(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text=_("People of the home or the partner institution."),
    )
    cooperation_areas = code_list(CooperationArea.choices, required=False)
    started_on = serializers.DateField(required=False, allow_null=True)
    is_confidential = serializers.BooleanField(required=False)
    notes = text()
    version = version_field()
