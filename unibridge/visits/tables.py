"""Columns of the visits list (the page and its XLSX/CSV exports)."""

from django.utils.translation import gettext_lazy as _

from unibridge.core.tables import Column, choice_label
from unibridge.core.widgets import country_name

from .models import Visit


def _home_units(visit: Visit) -> list[str]:
    return [unit.display_name for unit in visit.home_units.all()]


VISIT_COLUMNS = [
    Column("title", _("Title"), lambda v: v.title, ("title",), link=True),
    Column("direction", _("Direction"), choice_label(Visit, "direction"), ("direction",)),
    Column("partner", _("Partner"), lambda v: v.partner.display_name),
    Column("country", _("Country"), lambda v: country_name(v.partner.country)),
    Column("start", _("First day"), lambda v: v.start_date, ("start_date",)),
    Column("end", _("Last day"), lambda v: v.end_date, ("end_date",)),
    Column("status", _("Status"), choice_label(Visit, "status"), ("status",)),
    Column("units", _("Home units"), _home_units),
]
