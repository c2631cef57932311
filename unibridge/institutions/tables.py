"""Columns of the institutions app's list pages."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unibridge.core.tables import Column


def _partner_status(institution) -> str:
    try:
        return institution.partnership.get_status_display()
    except ObjectDoesNotExist:
        return ""


INSTITUTION_COLUMNS = [
    Column("name", _("Name"), lambda o: o.display_name, ("name",), link=True),
    Column("acronym", _("Acronym"), lambda o: o.acronym, ("acronym",)),
    Column("country", _("Country"), lambda o: o.country.name, ("country",)),
    Column("city", _("City"), lambda o: o.city, ("city",)),
    Column("kind", _("Type"), lambda o: o.get_kind_display(), ("kind",)),
    Column("partnership", _("Partnership"), _partner_status, ("partnership__status",)),
]

UNIT_COLUMNS = [
    Column("name", _("Name"), lambda o: o.display_name, ("name",), link=True),
    Column("kind", _("Type"), lambda o: o.get_kind_display(), ("kind",)),
    Column(
        "parent",
        _("Part of"),
        lambda o: o.parent.display_name if o.parent else "",
        ("parent__name",),
    ),
    Column(
        "institution",
        _("Institution"),
        lambda o: o.institution.display_name,
        ("institution__name",),
    ),
]

PERSON_COLUMNS = [
    Column(
        "name",
        pgettext_lazy("person", "Name"),
        lambda o: o.name_native,
        ("name_native",),
        link=True,
    ),
    Column("latin", _("Latin"), lambda o: o.name_latin, ("name_latin",)),
    Column("position", _("Position"), lambda o: o.position, ("position",)),
    Column(
        "institution",
        _("Institution"),
        lambda o: o.institution.display_name if o.institution else "",
        ("institution__name",),
    ),
    Column("unit", _("Unit"), lambda o: o.unit.display_name if o.unit else "", ("unit__name",)),
    Column("email", _("E-mail"), lambda o: o.email, ("email",)),
]

PARTNERSHIP_COLUMNS = [
    Column(
        "partner", _("Partner"), lambda o: o.partner.display_name, ("partner__name",), link=True
    ),
    Column("country", _("Country"), lambda o: o.partner.country.name, ("partner__country",)),
    Column("status", _("Status"), lambda o: o.get_status_display(), ("status",)),
    Column("priority", _("Priority"), lambda o: o.get_priority_display(), ("priority",)),
    Column("areas", _("Cooperation areas"), lambda o: o.cooperation_area_labels),
    Column("units", _("Home units"), lambda o: [u.display_name for u in o.home_units.all()]),
    Column("since", _("Since"), lambda o: o.started_on, ("started_on",)),
]
