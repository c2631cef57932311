"""Columns of the agreements list."""

from django.utils.translation import gettext_lazy as _

from unibridge.core.tables import Column, choice_label
from unibridge.core.widgets import country_name

from .models import Agreement


def _partners(agreement: Agreement) -> list[str]:
    return agreement.partner_names  # set by selectors.agreement_rows


def _countries(agreement: Agreement) -> list[str]:
    return [country_name(code) for code in agreement.partner_countries]


AGREEMENT_COLUMNS = [
    Column("reference", _("Reference"), lambda a: a.reference, ("reference",), link=True),
    Column("title", _("Title"), lambda a: a.display_title, ("title",)),
    Column("type", _("Type"), lambda a: a.agreement_type.display_name, ("agreement_type__name",)),
    Column("partners", _("Partners"), _partners),
    Column("countries", _("Countries"), _countries),
    Column("status", _("Status"), choice_label(Agreement, "status"), ("status",)),
    Column("effective", _("Effective from"), lambda a: a.effective_date, ("effective_date",)),
    Column("expires", _("Expires on"), lambda a: a.expiry_date or _("no end"), ("expiry_date",)),
]
