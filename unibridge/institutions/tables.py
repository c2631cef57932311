"""Columns of the institutions app's list pages."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unibridge.core.tables import Column, by_country_name, choice_label
from unibridge.core.widgets import country_name

from .models import Institution, OrganizationalUnit, Partnership

_status_label = choice_label(Partnership, "status")


def _partner_status(institution) -> str:
    # a partnership the user may not see is not named (selectors.institution_list flags it)
    if not getattr(institution, "partnership_visible", False):
        return ""
    try:
        return _status_label(institution.partnership)
    except ObjectDoesNotExist:
        return ""


INSTITUTION_COLUMNS = [
    Column("name", _("Name"), lambda o: o.display_name, ("name",), link=True),
    Column("acronym", _("Acronym"), lambda o: o.acronym, ("acronym",)),
    Column(
        "country", _("Country"), lambda o: country_name(o.country), (by_country_name("country"),)
    ),
    Column("city", _("City"), lambda o: o.city, ("city",)),
    Column("kind", _("Type"), choice_label(Institution, "kind"), ("kind",)),
    Column("partnership", _("Partnership"), _partner_status, ("partnership__status",)),
]

UNIT_COLUMNS = [
    Column("name", _("Name"), lambda o: o.display_name, ("name",), link=True),
    Column("kind", _("Type"), choice_label(OrganizationalUnit, "kind"), ("kind",)),
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
    Column(
        "country",
        _("Country"),
        lambda o: country_name(o.partner.country),
        (by_country_name("partner__country"),),
    ),
    Column("status", _("Status"), choice_label(Partnership, "status"), ("status",)),
    Column("priority", _("Priority"), choice_label(Partnership, "priority"), ("priority",)),
    Column("areas", _("Cooperation areas"), lambda o: o.cooperation_area_labels),
    Column("units", _("Home units"), lambda o: [u.display_name for u in o.home_units.all()]),
    Column("since", _("Since"), lambda o: o.started_on, ("started_on",)),
]
