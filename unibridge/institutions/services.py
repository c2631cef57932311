"""Writes of institutions, units, people and partnerships: validated, atomic, audited.

The pages call these after their form, the API after its input serializer: the rules both need
live here or in the models' ``clean()``. Each write takes ``values``, the fields to write by
name; a change locks the row first and writes only the fields it is given, so concurrent
changes of the others are kept. A stale ``expected_updated`` raises EditConflict.

A choice outside what the rule allows is refused with ``core.services.not_allowed`` (the API's
words for a record that cannot be chosen); the pages' forms refuse it earlier, in their own.
"""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unibridge.core import importing, translations
from unibridge.core.permissions import is_editable
from unibridge.core.services import lock_record, not_allowed, write_record

from . import validators
from .importing import (
    BATCH_SIZE,
    ImportPlan,
    ImportRejected,
    ImportResult,
    PlannedUpdate,
    Progress,
)
from .models import Institution, OrganizationalUnit, Partnership, Person

Errors = dict[str, list]


def _locked_editable(record: Model, *, user, expected_updated) -> Model:
    """The record as stored now, locked; checked again under the lock (it may have moved)."""
    current = lock_record(record, expected_updated=expected_updated)
    if not is_editable(current, user):
        raise PermissionDenied(_("You may read this record but not change it."))
    return current


def _apply(record: Model, values: Mapping[str, Any], m2m_names: Iterable[str] = ()) -> dict:
    """Set the named column values on the record; answer the named many-to-many ones."""
    m2m_names = set(m2m_names)
    for name, value in values.items():
        if name not in m2m_names:
            setattr(record, name, value)
    return {name: list(values[name]) for name in m2m_names if name in values}


# --- Institutions --------------------------------------------------------------------------------


def _url(value: str) -> str:
    # as the form's field: https:// is assumed when the address has no scheme
    return forms.URLField(assume_scheme="https", required=False).to_python(value)


def _institution_values(values: Mapping[str, Any]) -> tuple[dict, Errors]:
    """The values as stored (identifiers normalised, empty ones None) and their errors."""
    result, errors = dict(values), {}
    if "hei_id" in result:
        result["hei_id"] = (result["hei_id"] or "").strip().lower() or None
    if "erasmus_code" in result:
        result["erasmus_code"] = (result["erasmus_code"] or "").upper().strip() or None
    if "ror_id" in result:
        result["ror_id"] = validators.normalize_ror(result["ror_id"] or "") or None
    if "pic" in result:
        result["pic"] = (result["pic"] or "").strip() or None
    if "website" in result:
        try:
            result["website"] = _url(result["website"] or "")
        except ValidationError as error:
            errors["website"] = error.messages
    if "aliases" in result:
        result["aliases"] = [a.strip() for a in result["aliases"] or [] if a.strip()]
    if "email_domains" in result:
        domains = [
            item.strip().lower()
            for value in result["email_domains"] or []
            for item in re.split(r"[,\n]", value)
            if item.strip()
        ]
        result["email_domains"] = list(dict.fromkeys(domains))
        problems = []
        for domain in result["email_domains"]:
            try:
                validators.validate_domain(domain)
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            errors["email_domains"] = problems
    return result, errors


def _check_home(institution: Institution, values: Mapping[str, Any], user) -> None:
    if "is_home" in values and values["is_home"] != institution.is_home and not user.is_admin:
        raise PermissionDenied(
            _("Only an administrator may change which institution is the home one.")
        )


@transaction.atomic
def institution_create(*, user, values: Mapping[str, Any]) -> Institution:
    """A new institution of the shared directory (the international office adds them)."""
    if not user.is_office:
        raise PermissionDenied(_("You may not create this kind of record."))
    institution = Institution()
    _check_home(institution, values, user)
    values, errors = _institution_values(values)
    _apply(institution, values)
    return write_record(instance=institution, user=user, errors=errors)


@transaction.atomic
def institution_update(
    *, institution: Institution, user, values: Mapping[str, Any], expected_updated=None
) -> Institution:
    """Change the named fields of an institution; only an administrator moves ``is_home``."""
    institution = _locked_editable(institution, user=user, expected_updated=expected_updated)
    _check_home(institution, values, user)
    values, errors = _institution_values(values)
    _apply(institution, values)
    return write_record(instance=institution, user=user, errors=errors)


# --- Organisational units -----------------------------------------------------------------------


def _unit_errors(unit: OrganizationalUnit, user) -> Errors:
    """A coordinator places units only below units of their own (the model checks the tree)."""
    if user.is_office:
        return {}
    if unit.parent is None:
        return {"parent": [forms.Field.default_error_messages["required"]]}
    if unit.parent_id not in user.unit_scope_ids:
        return {"parent": [not_allowed(unit.parent)]}
    return {}


def _unit_values(values: Mapping[str, Any]) -> dict:
    result = dict(values)
    if "ewp_ounit_id" in result:
        result["ewp_ounit_id"] = (result["ewp_ounit_id"] or "").strip() or None
    return result


@transaction.atomic
def unit_create(*, user, institution: Institution, values: Mapping[str, Any]) -> OrganizationalUnit:
    """A new unit of ``institution``; coordinators add units only inside the home one."""
    if not (user.is_office or (user.is_coordinator and institution.is_home)):
        raise PermissionDenied(_("You may not add units to this institution."))
    unit = OrganizationalUnit(institution=institution)
    _apply(unit, _unit_values({k: v for k, v in values.items() if k != "institution"}))
    return write_record(instance=unit, user=user, errors=_unit_errors(unit, user))


@transaction.atomic
def unit_update(
    *, unit: OrganizationalUnit, user, values: Mapping[str, Any], expected_updated=None
) -> OrganizationalUnit:
    """Change the named fields of a unit; it never moves to another institution."""
    unit = _locked_editable(unit, user=user, expected_updated=expected_updated)
    values = _unit_values(values)
    institution = values.pop("institution", None)
    if institution is not None and institution.pk != unit.institution_id:
        raise ValidationError({"institution": [_("A unit cannot move to another institution.")]})
    top_unit = not user.is_office and unit.parent_id not in user.unit_scope_ids
    if top_unit:
        # a coordinator's own top unit stays where the office put it (as on its page)
        values.pop("parent", None)
    _apply(unit, values)
    errors = {} if top_unit else _unit_errors(unit, user)
    return write_record(instance=unit, user=user, errors=errors)


# --- People --------------------------------------------------------------------------------------


def _person_errors(person: Person, user) -> Errors:
    """A person's unit is of their institution; a coordinator's people are in their units.

    Not in Person.clean(): the page's form says it in its own words, and a model error would
    add a second message there.
    """
    unit = person.unit
    if unit is not None and person.institution_id and unit.institution_id != person.institution_id:
        return {"unit": [not_allowed(unit)]}
    if user.is_office:
        return {}
    if person.unit is None:
        return {"unit": [forms.Field.default_error_messages["required"]]}
    if person.unit_id not in user.unit_scope_ids:
        return {"unit": [not_allowed(person.unit)]}
    return {}


def _apply_person(person: Person, values: Mapping[str, Any], user) -> Errors:
    if "user" in values and values["user"] != person.user and not user.is_admin:
        raise PermissionDenied(_("Only an administrator links people to user accounts."))
    values = dict(values)
    errors = translations.take_from(person, values)
    _apply(person, values)
    if "institution" not in values and values.get("unit") is not None:
        # a unit given alone places the person in its institution
        person.institution = values["unit"].institution
    elif person.unit is not None and person.institution is None:
        person.institution = person.unit.institution
    return errors


@transaction.atomic
def person_create(*, user, values: Mapping[str, Any]) -> Person:
    """A new person; a coordinator puts them into one of their units."""
    if not user.can_write:
        raise PermissionDenied(_("You may not create this kind of record."))
    person = Person()
    errors = _apply_person(person, values, user)
    errors.update(_person_errors(person, user))
    return write_record(instance=person, user=user, errors=errors)


@transaction.atomic
def person_update(
    *, person: Person, user, values: Mapping[str, Any], expected_updated=None
) -> Person:
    """Change the named fields of a person."""
    person = _locked_editable(person, user=user, expected_updated=expected_updated)
    errors = _apply_person(person, values, user)
    errors.update(_person_errors(person, user))
    return write_record(instance=person, user=user, errors=errors)


# --- Partnerships --------------------------------------------------------------------------------

PARTNERSHIP_M2M = ("home_units", "responsible_people")


def _check_partner(partner: Institution, user) -> None:
    if partner.is_home:
        raise ValidationError({"partner": [_("The home institution cannot be its own partner.")]})
    existing = Partnership.objects.filter(partner=partner)
    if existing.visible_to(user).exists():
        raise ValidationError({"partner": [_("This institution already has a partnership.")]})
    if existing.exists():
        # one the user may not see: refused as any choice outside what they may see
        raise ValidationError({"partner": [not_allowed(partner)]})


def _partnership_m2m(partnership: Partnership, m2m: dict, user) -> tuple[dict, Errors]:
    """The named units and people checked; responsible people the user cannot see are kept."""
    errors: Errors = {}
    home_ids = set(OrganizationalUnit.objects.of_home().values_list("pk", flat=True))
    units = m2m.get("home_units")
    if units is None:
        units = list(partnership.home_units.all()) if partnership.pk else []
    elif outside := [u for u in units if u.pk not in home_ids]:
        errors["home_units"] = [not_allowed(outside[0])]
    scope = user.unit_scope_ids
    if "home_units" not in errors and not user.is_office and not any(u.pk in scope for u in units):
        errors["home_units"] = [
            ValidationError(
                _("Include at least one of your own units, or you could no longer edit it."),
                code="outside_scope",
            )
        ]
    if "responsible_people" in m2m:
        people = m2m["responsible_people"]
        allowed = set(
            Person.objects.visible_to(user)
            .filter(pk__in=[p.pk for p in people])
            .filter(Q(institution__is_home=True) | Q(institution=partnership.partner_id))
            .values_list("pk", flat=True)
        )
        if outside := [p for p in people if p.pk not in allowed]:
            errors["responsible_people"] = [not_allowed(outside[0])]
        elif partnership.pk:
            hidden = partnership.responsible_people.exclude(
                pk__in=Person.objects.visible_to(user).values("pk")
            )
            m2m["responsible_people"] = [*people, *hidden]
    return m2m, errors


@transaction.atomic
def partnership_create(*, user, partner: Institution, values: Mapping[str, Any]) -> Partnership:
    """A new partnership with ``partner``; a coordinator includes one of their units."""
    if not user.can_write:
        raise PermissionDenied(_("You may not create this kind of record."))
    _check_partner(partner, user)
    partnership = Partnership(partner=partner)
    values = {k: v for k, v in values.items() if k != "partner"}
    m2m, errors = _partnership_m2m(partnership, _apply(partnership, values, PARTNERSHIP_M2M), user)
    return write_record(instance=partnership, user=user, m2m=m2m, errors=errors)


@transaction.atomic
def partnership_update(
    *, partnership: Partnership, user, values: Mapping[str, Any], expected_updated=None
) -> Partnership:
    """Change the named fields of a partnership; its partner never changes."""
    partnership = _locked_editable(partnership, user=user, expected_updated=expected_updated)
    values = dict(values)
    partner = values.pop("partner", None)
    if partner is not None and partner.pk != partnership.partner_id:
        raise ValidationError({"partner": [_("The partner of a partnership cannot change.")]})
    m2m, errors = _partnership_m2m(partnership, _apply(partnership, values, PARTNERSHIP_M2M), user)
    return write_record(instance=partnership, user=user, m2m=m2m, errors=errors)


# --- Import of a checked file ---------------------------------------------------------------------


@transaction.atomic
def institutions_import(
    *, plan: ImportPlan, user, progress: Progress | None = None
) -> ImportResult:
    """Write a clean import plan (``importing.build_plan``) in one transaction, audited.

    Bulk writes, for files of thousands of rows; the audit entries name ``user`` as
    auditlog's signals would have, had each row been saved alone.

    Raises :class:`ImportRejected` (and writes nothing) when the plan has bad rows, or when an
    institution it updates was changed by someone else since the plan was made.
    """
    created = [item.institution for item in plan.to_create]
    updated = [item.institution for item in plan.to_update]

    def write(actor: Any) -> None:
        _check_not_changed(plan.to_update)
        changes = [
            importing.Change(item.original, item.institution, tuple(item.changes))
            for item in plan.to_update
        ]
        importing.bulk_write(Institution, create=created, update=changes, progress=progress)
        _after_import([i.pk for i in created], [i.pk for i in updated])

    importing.apply_plan(
        plan,
        user,
        write,
        refused=str(
            _(
                "The database refused the import (%(error)s); nothing was imported. "
                "Check the file again."
            )
        ),
    )
    return ImportResult(
        created=len(created),
        updated=len(updated),
        unchanged=plan.unchanged,
        created_ids=[i.pk for i in created],
        updated_ids=[i.pk for i in updated],
    )


def _chunks(items: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_not_changed(updates: Sequence[PlannedUpdate]) -> None:
    """Refuse to overwrite institutions someone saved after the plan was made."""
    expected = {item.original.pk: item.original.updated for item in updates}
    stale = 0
    for pks in _chunks(list(expected)):
        current = dict(
            Institution.objects.select_for_update().filter(pk__in=pks).values_list("pk", "updated")
        )
        stale += sum(1 for pk in pks if current.get(pk) != expected[pk])
    if stale:
        raise ImportRejected(
            ngettext(
                "%(count)d institution was changed by someone else since the file was checked; "
                "nothing was imported. Check the file again.",
                "%(count)d institutions were changed by someone else since the file was checked; "
                "nothing was imported. Check the file again.",
                stale,
            )
            % {"count": stale}
        )


def _after_import(created_ids: Sequence[int], updated_ids: Sequence[int]) -> None:
    """Let the search index catch up: bulk writes send no signals for it to follow."""
    try:
        from unibridge.core import search
    except ImportError:
        return
    reindex = getattr(search, "reindex", None)
    ids = [*created_ids, *updated_ids]
    if reindex is not None and ids:
        reindex(Institution, ids)
