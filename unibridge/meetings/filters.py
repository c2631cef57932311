"""Filters of the meetings list (pages and API)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy

from .choices import MeetingKind
from .models import Meeting


class MeetingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Title"), method="filter_title")
    # a hidden id (the partner page links here), not a list of every partner: an office
    # meets hundreds of institutions, and a <select> of them costs more than the page
    partner = django_filters.UUIDFilter(
        label=gettext_lazy("Partner id"), field_name="partner__uuid", widget=forms.HiddenInput
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=MeetingKind.choices)
    date_from = django_filters.DateFilter(
        label=gettext_lazy("From"),
        field_name="starts_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = django_filters.DateFilter(
        label=gettext_lazy("Until"),
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Meeting
        fields = ["q", "partner", "kind", "date_from", "date_to"]

    def filter_title(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip()) if value.strip() else queryset
