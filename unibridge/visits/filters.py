"""Filter set of the visits list, shared by the page, the API and exports."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unibridge.core.widgets import CountrySelect, FastSelect, country_choices
from unibridge.institutions.filters import TextSearchFilter, UnitFilter
from unibridge.institutions.models import OrganizationalUnit

from .choices import Direction, VisitStatus
from .models import Visit

# an ISO value, as a date input takes it (the browser shows it in the reader's format)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def partner_q(**values) -> Q:
    """Visits whose partner (the visiting side of an incoming visit, the host of an outgoing
    one) matches ``values`` (lookups on Institution)."""
    incoming = Q(direction=Direction.INCOMING) & Q(
        **{f"visiting_institution__{k}": v for k, v in values.items()}
    )
    outgoing = Q(direction=Direction.OUTGOING) & Q(
        **{f"host_institution__{k}": v for k, v in values.items()}
    )
    return incoming | outgoing


class VisitFilterSet(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Title, partner or purpose"))
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=VisitStatus.choices)
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
        widget=FastSelect,
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="end_date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="start_date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Visit
        fields = ["q", "direction", "status", "partner", "country", "unit", "date_from", "date_to"]

    def filter_partner(self, qs, name, value):
        return qs.filter(partner_q(uuid=value)) if value else qs

    def filter_country(self, qs, name, value):
        return qs.filter(partner_q(country=value)) if value else qs

    def filter_unit(self, qs, name, unit):
        if not unit:
            return qs
        subtree = OrganizationalUnit.objects.subtree_ids([unit])
        links = Visit.home_units.through.objects.filter(organizationalunit_id__in=subtree)
        return qs.filter(pk__in=links.values("visit_id"))
