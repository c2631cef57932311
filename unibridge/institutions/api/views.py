"""JSON API for institutions, units, people and partnerships (mounted at /api/v1/).

Each resource is a ``core.api.viewsets.RecordViewSet``: reads reuse the pages' selectors and
filter sets; writes go serializer → ``institutions.services``, the services the pages call too,
so a coordinator's unit scope and every other rule lives in one place.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view

from unibridge.core.api.errors import ERRORS
from unibridge.core.api.viewsets import RecordViewSet, crud_schema

from .. import filters, selectors, services
from ..duplicates import institution_duplicates
from ..models import Institution, OrganizationalUnit, Partnership, Person
from . import serializers as s


@extend_schema_view(
    create=extend_schema(
        summary="Create one of the institutions",
        description=(
            "The answer lists in 'warnings' the existing institutions the new one probably "
            "duplicates (same hei-id, Erasmus code, PIC or ROR id, e-mail or web domain, "
            "acronym in the same country, or a similar name in any script), each with its "
            "reasons. The institution is created either way (201): check the warnings, and "
            "merge or delete it if it is one of them."
        ),
        request=s.InstitutionInputSerializer,
        responses={201: s.InstitutionCreatedSerializer, **ERRORS},
    )
)
@crud_schema(
    "Institution", "institutions", s.InstitutionOutputSerializer, s.InstitutionInputSerializer
)
class InstitutionViewSet(RecordViewSet):
    """Institutions: the shared directory; the international office changes it.

    A creation answers the likely duplicates it found as ``warnings`` (see ``duplicates``).
    """

    model = Institution
    output_serializer = s.InstitutionOutputSerializer
    input_serializer = s.InstitutionInputSerializer
    filterset_class = filters.InstitutionFilterSet
    ordering_fields = [
        "name",
        "name_en",
        "acronym",
        "country",
        "city",
        "kind",
        "created",
        "updated",
    ]
    ordering = ["name"]

    def selector(self, user):
        return selectors.institution_list(user)

    def can_create(self, user) -> bool:
        return user.is_office

    def create(self, request):
        self.duplicates: list = []
        response = super().create(request)
        response.data["warnings"] = s.duplicate_warnings(self.duplicates)
        return response

    def create_record(self, values):
        institution = services.institution_create(user=self.request.user, values=values)
        self.duplicates = institution_duplicates(user=self.request.user, institution=institution)
        return institution

    def update_record(self, instance, values, version):
        return services.institution_update(
            institution=instance, user=self.request.user, values=values, expected_updated=version
        )


@crud_schema("Unit", "units", s.UnitOutputSerializer, s.UnitInputSerializer)
class UnitViewSet(RecordViewSet):
    """Organisational units: a tree per institution; coordinators change their own subtree."""

    model = OrganizationalUnit
    output_serializer = s.UnitOutputSerializer
    input_serializer = s.UnitInputSerializer
    filterset_class = filters.OrganizationalUnitFilterSet
    ordering_fields = ["name", "name_en", "acronym", "kind", "created", "updated"]
    ordering = ["institution__name", "path"]

    def selector(self, user):
        return selectors.unit_list(user)

    def create_record(self, values):
        values = dict(values)
        institution = values.pop("institution")
        return services.unit_create(user=self.request.user, institution=institution, values=values)

    def update_record(self, instance, values, version):
        return services.unit_update(
            unit=instance, user=self.request.user, values=values, expected_updated=version
        )


@crud_schema("Person", "people", s.PersonOutputSerializer, s.PersonInputSerializer)
class PersonViewSet(RecordViewSet):
    """People: staff, students and partner contacts; coordinators change their units' people."""

    model = Person
    output_serializer = s.PersonOutputSerializer
    input_serializer = s.PersonInputSerializer
    filterset_class = filters.PersonFilterSet
    ordering_fields = ["name_latin", "name_native", "position", "created", "updated"]
    ordering = ["name_latin"]

    def selector(self, user):
        return selectors.person_list(user)

    def create_record(self, values):
        return services.person_create(user=self.request.user, values=values)

    def update_record(self, instance, values, version):
        return services.person_update(
            person=instance, user=self.request.user, values=values, expected_updated=version
        )


@crud_schema(
    "Partnership", "partnerships", s.PartnershipOutputSerializer, s.PartnershipInputSerializer
)
class PartnershipViewSet(RecordViewSet):
    """Partnerships: home ↔ partner; coordinators change the ones involving their units."""

    model = Partnership
    output_serializer = s.PartnershipOutputSerializer
    input_serializer = s.PartnershipInputSerializer
    filterset_class = filters.PartnershipFilterSet
    ordering_fields = ["partner__name", "status", "priority", "started_on", "created", "updated"]
    ordering = ["partner__name"]

    def selector(self, user):
        return selectors.partnership_detail(user)

    def create_record(self, values):
        values = dict(values)
        partner = values.pop("partner")
        return services.partnership_create(user=self.request.user, partner=partner, values=values)

    def update_record(self, instance, values, version):
        return services.partnership_update(
            partnership=instance, user=self.request.user, values=values, expected_updated=version
        )
