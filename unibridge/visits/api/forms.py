"""The pages' forms, adapted to JSON input: same fields, same rules, errors named for the API.

The visit form reads its partner as a browser sends it (integer keys) to offer the partner's
units as host units; here the partner comes as a public id. The programme item form reads a
day and two clock times; here the start and end are whole instants, with an offset or as
wall-clock times of the visit's zone.
"""

import datetime
import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unibridge.institutions.models import Institution, OrganizationalUnit

from ..forms import VisitForm
from ..programme import NonexistentLocalTime, end_before_start_message, local_to_utc
from ..programme_forms import ProgrammeItemForm


def _public_ids(values) -> list[uuid.UUID]:
    values = values if isinstance(values, list | tuple) else [values]
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(str(value)))
        except ValueError:
            continue  # the field itself reports the bad id
    return result


class VisitApiForm(VisitForm):
    """The visit form with the partner given by its public id."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            return
        # as the page does with the partner typed in: its units may host the visit too
        partners = _public_ids(self.data.get("partner") or [])[:1]
        home = Institution.objects.filter(is_home=True).values("pk")
        self.fields["host_unit"].queryset = OrganizationalUnit.objects.filter(
            Q(institution__in=home) | Q(institution__uuid__in=partners)
        ).select_related("institution")


def to_utc(value: datetime.datetime, tz) -> datetime.datetime:
    """An instant from the API: aware as given, naive read as a wall-clock time of ``tz``."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(datetime.UTC)
    return local_to_utc(value.date(), value.time(), tz)


class ProgrammeItemApiForm(ProgrammeItemForm):
    """The page's programme item form with instants instead of a day and two clock times."""

    starts_at = forms.Field(label=gettext_lazy("Starts at"))
    ends_at = forms.Field(label=gettext_lazy("Ends at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("day", "start_time", "end_time"):
            del self.fields[name]

    def clean(self) -> dict[str, Any]:
        # the page's checks of the day and times find none here and leave the times to this
        cleaned = super().clean()
        tz = self.visit.tz
        moments = {}
        for name in ("starts_at", "ends_at"):
            value = cleaned.get(name)
            if value is None:
                continue
            try:
                moments[name] = to_utc(value, tz)
            except NonexistentLocalTime:
                self.add_error(
                    name,
                    _(
                        "%(time)s does not exist on %(day)s in %(zone)s: the clocks move "
                        "forward that night. Choose another time."
                    )
                    % {
                        "time": value.strftime("%H:%M"),
                        "day": date_format(value.date()),
                        "zone": self.visit.time_zone,
                    },
                )
        if len(moments) < 2:
            return cleaned
        item = self.instance
        item.starts_at, item.ends_at = moments["starts_at"], moments["ends_at"]
        if item.ends_at <= item.starts_at:
            self.add_error("ends_at", end_before_start_message(item))
        return cleaned
