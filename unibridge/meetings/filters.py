"""Filters of the meetings list (pages and API)."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .choices import ActionItemStatus, MeetingKind
from .models import ActionItem, Meeting


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


class ActionItemFilterSet(django_filters.FilterSet):
    """Filters of the action items list: what, status, the user's own, overdue ones."""

    q = django_filters.CharFilter(label=gettext_lazy("What"), method="filter_description")
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=ActionItemStatus.choices
    )
    mine = django_filters.BooleanFilter(
        label=gettext_lazy("Mine only"), method="filter_mine", widget=forms.CheckboxInput
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = ActionItem
        fields = ["q", "status", "mine", "overdue"]

    def filter_description(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(description__icontains=value) if value else queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(owner__user=user) if value and user else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset
