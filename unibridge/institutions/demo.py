"""The demo story of DESIGN.md: Karaganda Industrial University, AGH and the other partners.

Loaded only by ``manage.py load_demo``, never by migrations. Every record is looked up by its
natural key (hei-id, unit name, person name, partner) and created only when it is missing, so
running the command again reuses what is there, edits made in the UI included.

The records themselves are data in :mod:`.demo_data`.
"""

from typing import Any, TypeVar

from django.core.management.base import CommandError
from django.db import models

from unibridge.core.services import save_record

from .demo_data import (
    AGH_UNITS,
    DEMO_HOME_NOTE,
    DEMO_PARTNER_NOTE,
    DEMO_PERSON_NOTE,
    HOME,
    HOME_UNITS,
    PARTNERS,
    PARTNERSHIPS,
    PEOPLE,
    PEOPLE_TRANSLATIONS,
)
from .models import Institution, OrganizationalUnit, Partnership, Person

M = TypeVar("M", bound=models.Model)


def ensure_record(
    model: type[M],
    *,
    actor,
    lookup: dict[str, Any],
    defaults: dict[str, Any] | None = None,
    m2m: dict[str, list[Any]] | None = None,
) -> M:
    """The record matching ``lookup``, created through the audited service when missing.

    An existing record is returned as it is: the demo never overwrites what users changed.
    """
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **(defaults or {}))
        save_record(instance=instance, user=actor, m2m=m2m)
    return instance


def _institution(actor, spec: dict[str, Any], notes: str) -> Institution:
    """Find an institution by hei-id, else by its names in the same country (a directory import
    may have recorded it without one), else create it."""
    hei_id = spec["hei_id"]
    found = Institution.objects.filter(hei_id=hei_id).first()
    if found is None:
        names = [spec["name"], spec["name_en"]]
        found = (
            Institution.objects.filter(country=spec["country"])
            .filter(models.Q(name__in=names) | models.Q(name_en__in=names))
            .first()
        )
    if found is not None:
        return found
    other_home = Institution.objects.filter(is_home=True).first() if spec.get("is_home") else None
    if other_home is not None:
        raise CommandError(
            "This installation already has a home institution that is not the demo's "
            f"({other_home}); the demo data belongs in a fresh database."
        )
    defaults = {key: value for key, value in spec.items() if key != "hei_id"}
    return ensure_record(
        Institution, actor=actor, lookup={"hei_id": hei_id}, defaults={**defaults, "notes": notes}
    )


def _units(actor, institution: Institution, specs: dict) -> dict[str, OrganizationalUnit]:
    units: dict[str, OrganizationalUnit] = {}
    official_language = "ru" if institution.is_home else "pl"
    for key, (parent_key, kind, names) in specs.items():
        names = {f"name_{official_language}": names["name"], **names}
        units[key] = ensure_record(
            OrganizationalUnit,
            actor=actor,
            lookup={"institution": institution, "name": names.pop("name")},
            defaults={"parent": units.get(parent_key), "kind": kind, **names},
        )
    return units


def load(*, actor, **_earlier) -> dict[str, Any]:
    """Create (or find) the institutions, units, people and partnerships of the demo story."""
    home = _institution(actor, HOME, DEMO_HOME_NOTE)
    institutions: dict[str, Institution] = {"home": home}
    for key, spec in PARTNERS.items():
        institutions[key] = _institution(actor, spec, DEMO_PARTNER_NOTE)

    units = _units(actor, home, HOME_UNITS) | _units(actor, institutions["agh"], AGH_UNITS)

    people: dict[str, Person] = {}
    for key, (institution_key, unit_key, fields) in PEOPLE.items():
        fields = dict(fields)
        institution = institutions[institution_key]
        people[key] = ensure_record(
            Person,
            actor=actor,
            lookup={"institution": institution, "name_native": fields.pop("name_native")},
            defaults={
                "unit": units[unit_key] if unit_key else None,
                "notes": DEMO_PERSON_NOTE,
                "translations": PEOPLE_TRANSLATIONS.get(key, {}),
                **fields,
            },
        )

    partnerships: dict[str, Partnership] = {}
    for key, spec in PARTNERSHIPS.items():
        fields = dict(spec)
        home_units = [units[unit_key] for unit_key in fields.pop("home_units")]
        responsible = [people[person_key] for person_key in fields.pop("responsible_people")]
        partnerships[key] = ensure_record(
            Partnership,
            actor=actor,
            lookup={"partner": institutions[key]},
            defaults=fields,
            m2m={"home_units": home_units, "responsible_people": responsible},
        )

    return {
        "home": home,
        "institutions": institutions,
        "units": units,
        "people": people,
        "partnerships": partnerships,
    }
