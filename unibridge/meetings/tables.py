"""Columns of the meetings list."""

from django.utils.translation import gettext_lazy

from unibridge.core.tables import Column, choice_label

from .models import Meeting
from .selectors import local_time

MEETING_COLUMNS = [
    Column("title", gettext_lazy("Title"), lambda m: m.title, ("title",), link=True),
    Column("kind", gettext_lazy("Type"), choice_label(Meeting, "kind"), ("kind",)),
    Column(
        "starts",
        gettext_lazy("Starts"),
        lambda m: local_time(m.starts_at, m.time_zone),
        ("starts_at",),
    ),
    Column(
        "partner",
        gettext_lazy("Partner"),
        lambda m: m.partner.display_name if m.partner else "",
        ("partner__name",),
    ),
    Column("visit", gettext_lazy("Visit"), lambda m: m.visit.title if m.visit else ""),
]
