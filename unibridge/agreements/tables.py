"""Columns and bulk actions of the agreements list."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unibridge.core.bulk import BulkAction
from unibridge.core.tables import Column, choice_label
from unibridge.core.widgets import country_name
from unibridge.institutions.forms import home_person_field
from unibridge.institutions.models import Person

from . import lifecycle_services, services
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


# --- Bulk actions of the list (core.bulk): each record through the lifecycle or edit service ---

# The status changes that need nothing but the decision: (transition, label, result).
_TRANSITIONS = {
    "submit": (
        lifecycle_services.agreement_submit,
        _("In review (submit for approval)"),
        lambda n: ngettext(
            "%(count)d agreement submitted for approval.",
            "%(count)d agreements submitted for approval.",
            n,
        ),
    ),
    "start_signing": (
        lifecycle_services.agreement_start_signing,
        _("Signing (send for signature)"),
        lambda n: ngettext(
            "%(count)d agreement moved to Signing.", "%(count)d agreements moved to Signing.", n
        ),
    ),
}


def _status_field(user) -> forms.Field:
    return forms.ChoiceField(
        label=_("New status"),
        choices=[(key, label) for key, (_service, label, _done) in _TRANSITIONS.items()],
    )


def _change_status(agreement: Agreement, user, transition: str) -> None:
    _TRANSITIONS[transition][0](agreement=agreement, user=user)


def _status_done(count: int, transition: str) -> str:
    return _TRANSITIONS[transition][2](count) % {"count": count}


def _person_field(user) -> forms.Field:
    return home_person_field(user, _("Responsible person"))


def _assign(agreement: Agreement, user, person: Person) -> None:
    # the people the user sees stay responsible, the hidden ones are kept by the service
    people = [*Person.objects.visible_to(user).filter(agreements=agreement), person]
    services.agreement_update(agreement=agreement, user=user, values={"responsible_people": people})


def _assign_done(count: int, person: Person) -> str:
    return ngettext(
        "%(name)s is now responsible for %(count)d agreement.",
        "%(name)s is now responsible for %(count)d agreements.",
        count,
    ) % {"name": person.name_native, "count": count}


AGREEMENT_BULK_ACTIONS = [
    BulkAction("status", _("Change status"), _change_status, _status_done, _status_field),
    BulkAction("responsible", _("Assign responsible person"), _assign, _assign_done, _person_field),
]
