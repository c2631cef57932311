"""Filter sets of the agreements list, shared by the page, the API and exports."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unibridge.core.fields import has_choice
from unibridge.core.widgets import CachedChoicesSelect, CountrySelect, country_choices
from unibridge.institutions.choices import CooperationArea
from unibridge.institutions.filters import TextSearchFilter, UnitFilter
from unibridge.institutions.models import OrganizationalUnit

from .choices import AgreementStatus
from .models import Agreement, AgreementParty, AgreementType


class AgreementFilterSet(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Reference, title or partner"))
    agreement_type = django_filters.ModelChoiceFilter(
        label=_("Type"),
        queryset=AgreementType.objects.filter(is_active=True),
        widget=CachedChoicesSelect(cache_key="agreements.filter.type"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AgreementStatus.choices)
    partner = django_filters.UUIDFilter(
        label=_("Partner id"), method="filter_partner", widget=forms.HiddenInput
    )
    country = django_filters.ChoiceFilter(
        label=_("Partner country"),
        choices=country_choices,
        widget=CountrySelect,
        method="filter_country",
    )
    unit = UnitFilter(
        label=_("Home unit"),
        queryset=OrganizationalUnit.objects.of_home().order_by("path"),
        to_field_name="uuid",
        method="filter_unit",
        widget=CachedChoicesSelect(cache_key="agreements.filter.home-unit"),
    )
    # bounded: a date past the year 9999 is an OverflowError, not an empty list
    expiring_within = django_filters.NumberFilter(
        label=_("Expiring within (days)"), method="filter_expiring", min_value=0, max_value=36500
    )
    area = django_filters.ChoiceFilter(
        label=_("Cooperation area"), choices=CooperationArea.choices, method="filter_area"
    )

    class Meta:
        model = Agreement
        fields = ["q", "agreement_type", "status", "partner", "country", "unit", "area"]

    def _with_party(self, qs, **lookup):
        parties = AgreementParty.objects.filter(**lookup).values("agreement_id")
        return qs.filter(pk__in=parties)

    def filter_partner(self, qs, name, value):
        return self._with_party(qs, institution__uuid=value) if value else qs

    def filter_country(self, qs, name, value):
        return (
            self._with_party(qs, institution__country=value, institution__is_home=False)
            if value
            else qs
        )

    def filter_unit(self, qs, name, unit):
        if not unit:
            return qs
        subtree = OrganizationalUnit.objects.subtree_ids([unit])
        links = AgreementParty.units.through.objects.filter(organizationalunit_id__in=subtree)
        return qs.filter(pk__in=links.values("agreementparty__agreement_id"))

    def filter_expiring(self, qs, name, value):
        if value is None:
            return qs
        today = timezone.localdate()
        return qs.filter(
            status=AgreementStatus.ACTIVE,
            expiry_date__gte=today,
            expiry_date__lte=today + datetime.timedelta(days=int(value)),
        )

    def filter_area(self, qs, name, value):
        return qs.filter(has_choice("cooperation_areas", value)) if value else qs
