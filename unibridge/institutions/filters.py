"""Filter sets shared by the list pages, the API and exports."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from unibridge.core import search
from unibridge.core.fields import has_choice
from unibridge.core.widgets import CachedChoicesSelect, CountrySelect, country_choices

from .choices import (
    CooperationArea,
    InstitutionType,
    PartnershipPriority,
    PartnershipStatus,
    UnitType,
)
from .models import Institution, OrganizationalUnit, Partnership, Person


class TextSearchFilter(django_filters.CharFilter):
    """Words matched through the global search index: any script, diacritics, small typos.

    'ахметов', 'Akhmetov' and 'Ahmetov' find the same person, on SQLite and PostgreSQL alike
    (a plain icontains would miss Cyrillic case on SQLite and every other spelling).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Name contains"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        condition = search.matching(value or "", qs.model)
        return qs if condition is None else qs.filter(condition)


@extend_schema_field(OpenApiTypes.UUID)
class UnitFilter(django_filters.ModelChoiceFilter):
    """A unit chosen by its public id (a select on the pages, a uuid in the API)."""


class InstitutionFilterSet(django_filters.FilterSet):
    q = TextSearchFilter()
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=country_choices, widget=CountrySelect
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=InstitutionType.choices)
    is_partner = django_filters.BooleanFilter(
        label=_("Partner"), method="filter_is_partner", widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = Institution
        fields = ["q", "country", "kind", "is_partner"]

    def filter_is_partner(self, qs, name, value):
        if value is None:
            return qs
        # only partnerships the user may see count: a hidden one must not show through
        user = getattr(self.request, "user", None)
        visible = Partnership.objects.visible_to(user) if user else Partnership.objects.none()
        partners = visible.values("partner_id")
        return qs.filter(pk__in=partners) if value else qs.exclude(pk__in=partners)


class OrganizationalUnitFilterSet(django_filters.FilterSet):
    q = TextSearchFilter()
    institution = django_filters.UUIDFilter(
        field_name="institution__uuid", label=_("Institution id")
    )
    home = django_filters.BooleanFilter(
        field_name="institution__is_home",
        label=_("Home institution only"),
        widget=django_filters.widgets.BooleanWidget,
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=UnitType.choices)

    class Meta:
        model = OrganizationalUnit
        fields = ["q", "institution", "home", "kind"]


class PersonFilterSet(django_filters.FilterSet):
    q = TextSearchFilter()
    institution = django_filters.UUIDFilter(
        field_name="institution__uuid", label=_("Institution id")
    )
    unit = django_filters.UUIDFilter(
        field_name="unit__uuid", label=_("Unit id"), widget=forms.HiddenInput
    )
    country = django_filters.ChoiceFilter(
        field_name="institution__country",
        label=_("Country"),
        choices=country_choices,
        widget=CountrySelect,
    )
    home = django_filters.BooleanFilter(
        field_name="institution__is_home",
        label=_("Home staff only"),
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Person
        fields = ["q", "institution", "unit", "country", "home"]


class PartnershipFilterSet(django_filters.FilterSet):
    q = TextSearchFilter()
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PartnershipStatus.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=PartnershipPriority.choices)
    country = django_filters.ChoiceFilter(
        field_name="partner__country",
        label=_("Country"),
        choices=country_choices,
        widget=CountrySelect,
    )
    area = django_filters.ChoiceFilter(
        label=_("Cooperation area"), choices=CooperationArea.choices, method="filter_area"
    )
    unit = UnitFilter(
        label=_("Home unit"),
        queryset=OrganizationalUnit.objects.of_home().order_by("path"),
        to_field_name="uuid",
        method="filter_unit",
        widget=CachedChoicesSelect(cache_key="partnerships.filter.home-unit"),
    )

    class Meta:
        model = Partnership
        fields = ["q", "status", "priority", "country", "area", "unit"]

    def filter_area(self, qs, name, value):
        return qs.filter(has_choice("cooperation_areas", value)) if value else qs

    def filter_unit(self, qs, name, unit):
        if not unit:
            return qs
        subtree = OrganizationalUnit.objects.subtree_ids([unit])
        involved = Partnership.home_units.through.objects.filter(
            organizationalunit_id__in=subtree
        ).values("partnership_id")
        return qs.filter(pk__in=involved)
