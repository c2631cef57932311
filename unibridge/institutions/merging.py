"""Merging an institution recorded twice into the one to keep: everything moves, nothing is lost.

``institution_merge(kept=…, merged=…, user=…)`` moves every record that points at ``merged``
to ``kept``, makes ``merged``'s names aliases of ``kept`` (and fills ``kept``'s empty fields
from it), moves ``merged``'s history to ``kept`` with an entry saying so, and deletes
``merged``: one transaction, audited, administrators only.

Every relation to Institution has its handler in ``HANDLERS``, keyed by the related model and
field (``Institution._meta.related_objects``), so a new relation cannot be forgotten: the
merge refuses to run while one has no handler, and a test lists them. The handlers know the
fields of the other apps' records they move (agreement parties, visits, meetings) but import
none of those apps: the models come from the relation itself. Where a record may exist only
once, the two are merged rather than moved into a clash: two partnerships become one, two
parties of one agreement become one party.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from unibridge.core import fields as core_fields
from unibridge.core import search
from unibridge.core.importing import Change, bulk_write
from unibridge.core.names import fold
from unibridge.core.services import acting_as, delete_record, lock_record, save_record, write_record

from .models import Institution, Partnership

# (relation, kept record, merged record, user) → the records it wrote
Handler = Callable[..., list]


@dataclass(frozen=True)
class MovedCount:
    """How many records of one relation move (the confirmation page lists these)."""

    key: str
    label: str
    count: int


def relation_key(relation: models.ForeignObjectRel) -> str:
    return f"{relation.related_model._meta.label_lower}.{relation.field.name}"


def _relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    return list(model._meta.related_objects)


# --- Handlers: each moves (or merges) one relation's records and answers the records it wrote ---


def _move(relation, kept, merged, user) -> list:
    """Point the relation's records at ``kept``: bulk, audited, no clash possible."""
    name = relation.field.name
    model = relation.related_model
    changes = []
    for record in model._default_manager.filter(**{name: merged}):
        before = copy.copy(record)
        setattr(record, name, kept)
        changes.append(Change(before, record, (name,)))
    bulk_write(model, update=changes)
    return [change.after for change in changes]


def _move_units(relation, kept, merged, user) -> list:
    """Units move with their tree; an EWP ounit id the kept institution has already is cleared.

    (The unit stays, found by its name; two units with one EWP id would break the network.)
    """
    taken = set(kept.units.exclude(ewp_ounit_id=None).values_list("ewp_ounit_id", flat=True))
    changes = []
    for unit in merged.units.all():
        before = copy.copy(unit)
        unit.institution = kept
        names = ["institution"]
        if unit.ewp_ounit_id in taken:
            unit.ewp_ounit_id = None
            names.append("ewp_ounit_id")
        changes.append(Change(before, unit, tuple(names)))
    bulk_write(relation.related_model, update=changes)
    return [change.after for change in changes]


_PRIORITY = {"high": 0, "medium": 1, "low": 2}


def _merge_partnership(relation, kept, merged, user) -> list:
    """The partnership moves; when both have one, merged's joins kept's and is deleted.

    The joined partnership keeps kept's status, takes the higher priority, the earlier start,
    both sets of units, people and areas, both notes; it is confidential when either was, so
    nobody gains sight of what they could not see. Records of the merged partnership (action
    items) move to the kept one, through ``PARTNERSHIP_HANDLERS``.
    """
    theirs = Partnership.objects.filter(partner=merged).first()
    if theirs is None:
        return []
    ours = Partnership.objects.filter(partner=kept).first()
    if ours is None:
        return _move(relation, kept, merged, user)
    ours = lock_record(ours)
    for inner in _relations(Partnership):
        handler = PARTNERSHIP_HANDLERS.get(relation_key(inner))
        if handler is None:
            raise ImproperlyConfigured(f"No merge handler for {relation_key(inner)}")
        handler(inner, ours, theirs, user)
    if _PRIORITY.get(theirs.priority, 9) < _PRIORITY.get(ours.priority, 9):
        ours.priority = theirs.priority
    starts = [day for day in (ours.started_on, theirs.started_on) if day]
    ours.started_on = min(starts) if starts else None
    ours.cooperation_areas = list(
        dict.fromkeys([*ours.cooperation_areas, *theirs.cooperation_areas])
    )
    ours.is_confidential = ours.is_confidential or theirs.is_confidential
    ours.notes = _joined(ours.notes, theirs.notes, core_fields.NOTES)
    m2m: dict[str, set] = {
        "home_units": {*ours.home_units.all(), *theirs.home_units.all()},
        "responsible_people": {*ours.responsible_people.all(), *theirs.responsible_people.all()},
    }
    delete_record(instance=theirs, user=user)
    save_record(instance=ours, user=user, m2m=m2m)
    return [ours]


def _merge_parties(relation, kept, merged, user) -> list:
    """Parties move; where kept is a party to the same agreement, the two parties become one.

    The party keeps kept's signatory (or takes merged's when it has none), gains merged's
    units, and its signature when it has none of its own.
    """
    model = relation.related_model
    theirs = list(model._default_manager.filter(institution=merged).select_related("agreement"))
    ours = {
        party.agreement_id: party
        for party in model._default_manager.filter(
            institution=kept, agreement_id__in=[p.agreement_id for p in theirs]
        )
    }
    written = []
    for party in theirs:
        twin = ours.get(party.agreement_id)
        if twin is None:
            continue
        units = {*twin.units.all(), *party.units.all()}
        if twin.signatory_id is None and party.signatory_id is not None:
            twin.signatory_id = party.signatory_id
            twin.signatory_position = twin.signatory_position or party.signatory_position
        signature = getattr(party, "signature", None)
        if signature is not None and not hasattr(twin, "signature"):
            type(signature).objects.filter(pk=signature.pk).update(party=twin)
            party.refresh_from_db()
        delete_record(instance=party, user=user)
        written.append(save_record(instance=twin, user=user, m2m={"units": units}))
    return written + _move(relation, kept, merged, user)


HANDLERS: dict[str, Handler] = {
    "institutions.organizationalunit.institution": _move_units,
    "institutions.person.institution": _move,
    "institutions.partnership.partner": _merge_partnership,
    "agreements.agreementparty.institution": _merge_parties,
    "visits.visit.visiting_institution": _move,
    "visits.visit.host_institution": _move,
    "meetings.meeting.partner": _move,
}
# The records of a merged partnership move to the kept one.
PARTNERSHIP_HANDLERS: dict[str, Handler] = {
    "meetings.actionitem.partnership": _move,
}


# --- The service ----------------------------------------------------------------------------------


def _joined(first: str, second: str, limit: int) -> str:
    if not second or second == first:
        return first
    if not first:
        return second
    return f"{first}\n\n{second}"[:limit]


def _check(kept: Institution, merged: Institution, user) -> None:
    if not (user.is_authenticated and user.is_admin):
        raise PermissionDenied(_("Only an administrator may merge institutions."))
    if kept.pk == merged.pk:
        raise ValidationError(
            {"kept": [_("Choose another institution: it cannot be merged into itself.")]}
        )
    if merged.is_home:
        raise ValidationError(
            {
                "kept": [
                    _(
                        "The home institution cannot be merged into another; "
                        "merge the other one into it."
                    )
                ]
            }
        )
    missing = [relation_key(r) for r in _relations(Institution) if relation_key(r) not in HANDLERS]
    if missing:
        raise ImproperlyConfigured(f"No merge handler for {', '.join(missing)}")


def merge_preview(*, kept: Institution, merged: Institution) -> list[MovedCount]:
    """What merging would move: each relation's label and number of records (a query each)."""
    counts = []
    for relation in _relations(Institution):
        model = relation.related_model
        count = model._default_manager.filter(**{relation.field.name: merged}).count()
        label = capfirst(model._meta.verbose_name_plural)
        if sum(1 for r in _relations(Institution) if r.related_model is model) > 1:
            label = f"{label} ({relation.field.verbose_name})"
        counts.append(MovedCount(relation_key(relation), str(label), count))
    return counts


def _absorb(kept: Institution, merged: Institution) -> None:
    """Merged's names become kept's aliases; kept's empty fields take merged's values."""
    known = {fold(n) for n in [*kept.all_names(), *(kept.aliases or []), kept.acronym] if n}
    aliases = list(kept.aliases or [])
    for field in ("name_en", "name_ru", "name_kk", "name_pl"):
        value = getattr(merged, field)
        if value and not getattr(kept, field) and fold(value) not in known:
            setattr(kept, field, value)
            known.add(fold(value))
    for name in [*merged.all_names(), *(merged.aliases or []), merged.acronym]:
        if name and fold(name) not in known:
            aliases.append(name)
            known.add(fold(name))
    kept.aliases = aliases
    for field in (
        "acronym",
        "city",
        "address",
        "website",
        "hei_id",
        "erasmus_code",
        "pic",
        "ror_id",
    ):
        if not getattr(kept, field) and getattr(merged, field):
            setattr(kept, field, getattr(merged, field))
    kept.email_domains = list(
        dict.fromkeys([*(kept.email_domains or []), *(merged.email_domains or [])])
    )
    kept.notes = _joined(kept.notes, merged.notes, core_fields.NOTES)


def _move_history(kept: Institution, merged: Institution, user) -> None:
    """Merged's audit entries join kept's History tab, and an entry says what was merged."""
    content_type = ContentType.objects.get_for_model(Institution)
    LogEntry.objects.filter(content_type=content_type).filter(
        Q(object_pk=str(merged.pk)) | Q(object_id=merged.pk)
    ).update(object_pk=str(kept.pk), object_id=kept.pk)
    with acting_as(user):
        LogEntry.objects.log_create(
            kept,
            action=LogEntry.Action.UPDATE,
            changes={"merged": [str(merged), str(kept)]},
            actor=user if user.is_authenticated else None,
            force_log=True,
        )


@transaction.atomic
def institution_merge(*, kept: Institution, merged: Institution, user) -> list[MovedCount]:
    """Merge ``merged`` into ``kept`` (see the module's docstring); answers what moved."""
    _check(kept, merged, user)
    kept, merged = lock_record(kept), lock_record(merged)
    moved = merge_preview(kept=kept, merged=merged)
    written: dict[type[models.Model], list] = {}
    with acting_as(user):
        for relation in _relations(Institution):
            records = HANDLERS[relation_key(relation)](relation, kept, merged, user)
            written.setdefault(relation.related_model, []).extend(records)
    _move_history(kept, merged, user)
    # identifiers are unique: merged lets go of them before kept may take them
    identifiers = {"hei_id": None, "erasmus_code": None, "pic": None, "ror_id": None}
    Institution.objects.filter(pk=merged.pk).update(**identifiers)
    _absorb(kept, merged)
    write_record(instance=kept, user=user)
    # its deletion's audit entry keeps what it was, identifiers included (read before the lock)
    delete_record(instance=merged, user=user)
    # bulk moves send no save signals: the search follows here (units, people, visits and the
    # agreements of moved parties are found by their institution's names)
    for model, records in written.items():
        search.reindex(model, [record.pk for record in records if record.pk])
    return moved
