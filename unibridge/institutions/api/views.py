"""JSON API for institutions, units, people and partnerships (mounted at /api/v1/).

Each resource is a ``core.api.viewsets.RecordViewSet``: reads reuse the pages' selectors and
filter sets, writes the pages' forms, so a coordinator's unit scope and every other rule lives in
one place. Here is only what differs between the four resources.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from unibridge.core.api.viewsets import RecordViewSet, crud_schema

from .. import filters, selectors
from ..forms import InstitutionForm, OrganizationalUnitForm, PartnershipForm, PersonForm
from ..models import Institution, OrganizationalUnit, Partnership, Person
from . import serializers as s


@crud_schema(
    "Institution", "institutions", s.InstitutionOutputSerializer, s.InstitutionInputSerializer
)
class InstitutionViewSet(RecordViewSet):
    """Institutions: the shared directory; the international office changes it."""

    model = Institution
    output_serializer = s.InstitutionOutputSerializer
    input_serializer = s.InstitutionInputSerializer
    form_class = InstitutionForm
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

    def prepare(self, instance, values):
        if (
            "is_home" in values
            and values["is_home"] != instance.is_home
            and not self.request.user.is_admin
        ):
            raise PermissionDenied(
                _("Only an administrator may change which institution is the home one.")
            )

    def finish(self, record, values):
        # the form reads aliases one per line and also splits them at commas; JSON needs neither
        if "aliases" in values:
            record.aliases = [alias.strip() for alias in values["aliases"] if alias.strip()]


@crud_schema("Unit", "units", s.UnitOutputSerializer, s.UnitInputSerializer)
class UnitViewSet(RecordViewSet):
    """Organisational units: a tree per institution; coordinators change their own subtree."""

    model = OrganizationalUnit
    output_serializer = s.UnitOutputSerializer
    input_serializer = s.UnitInputSerializer
    form_class = OrganizationalUnitForm
    filterset_class = filters.OrganizationalUnitFilterSet
    ordering_fields = ["name", "name_en", "acronym", "kind", "created", "updated"]
    ordering = ["institution__name", "path"]

    def selector(self, user):
        return selectors.unit_list(user)

    def prepare(self, instance, values):
        institution = values.get("institution")
        if instance.pk is None:
            user = self.request.user
            # as on the pages: coordinators add units only inside the home institution
            if not (user.is_office or (user.is_coordinator and institution.is_home)):
                raise PermissionDenied(_("You may not add units to this institution."))
            instance.institution = institution
        elif institution is not None and institution.pk != instance.institution_id:
            raise ValidationError(
                {"institution": [_("A unit cannot move to another institution.")]}
            )


@crud_schema("Person", "people", s.PersonOutputSerializer, s.PersonInputSerializer)
class PersonViewSet(RecordViewSet):
    """People: staff, students and partner contacts; coordinators change their units' people."""

    model = Person
    output_serializer = s.PersonOutputSerializer
    input_serializer = s.PersonInputSerializer
    form_class = PersonForm
    filterset_class = filters.PersonFilterSet
    ordering_fields = ["name_latin", "name_native", "position", "created", "updated"]
    ordering = ["name_latin"]

    def selector(self, user):
        return selectors.person_list(user)

    def prepare(self, instance, values):
        # the form offers the units of the person's institution: settle the institution first
        if "institution" in values:
            instance.institution = values["institution"]
        elif values.get("unit") is not None:
            instance.institution = values["unit"].institution


@crud_schema(
    "Partnership", "partnerships", s.PartnershipOutputSerializer, s.PartnershipInputSerializer
)
class PartnershipViewSet(RecordViewSet):
    """Partnerships: home ↔ partner; coordinators change the ones involving their units."""

    model = Partnership
    output_serializer = s.PartnershipOutputSerializer
    input_serializer = s.PartnershipInputSerializer
    form_class = PartnershipForm
    m2m_fields = ("home_units", "responsible_people")
    filterset_class = filters.PartnershipFilterSet
    ordering_fields = ["partner__name", "status", "priority", "started_on", "created", "updated"]
    ordering = ["partner__name"]

    def selector(self, user):
        return selectors.partnership_detail(user)

    def prepare(self, instance, values):
        partner = values.get("partner")
        if instance.pk is None:
            instance.partner = partner
        elif partner is not None and partner.pk != instance.partner_id:
            raise ValidationError({"partner": [_("The partner of a partnership cannot change.")]})

    def current(self, instance, name):
        if name == "responsible_people" and instance.pk:
            return list(self._responsible_people(instance, visible=True))
        return super().current(instance, name)

    def m2m_values(self, form, instance):
        m2m = super().m2m_values(form, instance)
        if instance.pk:
            # confidential people the user cannot see stay responsible: never drop them unseen
            m2m["responsible_people"] = [
                *m2m["responsible_people"],
                *self._responsible_people(instance, visible=False),
            ]
        return m2m

    def _responsible_people(self, instance, *, visible: bool) -> QuerySet:
        """The partnership's responsible people the user can see (or cannot see)."""
        visible_ids = Person.objects.visible_to(self.request.user).values("pk")
        people = instance.responsible_people.all()
        return people.filter(pk__in=visible_ids) if visible else people.exclude(pk__in=visible_ids)
