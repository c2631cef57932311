"""The rows of the agreements list endpoint, built by hand from plain values.

A page of 50 summaries through ``AgreementSummarySerializer`` costs about 450 model
instances and 2,500 serializer field calls. The rows here are the same JSON (a test compares
them with the serializer's, which still documents the schema) from ``values()`` rows: the
agreements' own columns, then one query each for the parties (with institution, signatory
and signature), the parties' units and the responsible people. No model instance is built.
"""

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from unibridge.core.models import in_reader_language_of
from unibridge.core.visibility import annotate_visible, visible_ids
from unibridge.institutions.models import Person

from ..models import Agreement, AgreementParty
from ..selectors import INSTITUTION_NAMES
from ..validity import next_expiry

# The columns a row shows, read as plain values: no model instance is built for a row.
INSTITUTION_NAME = ["uuid", *INSTITUTION_NAMES]

# The fields of a summary row, in the serializer's order (``AgreementSummarySerializer``).
PLAIN_FIELDS = [
    "reference", "title", "title_en", "title_ru", "title_kk", "title_pl", "summary", "status",
]  # fmt: skip
DATES = ["effective_date", "expiry_date"]

PARTY_VALUES = [
    "id", "agreement_id", "signatory_position", "translations", "updated", "order",
    *(f"institution__{name}" for name in INSTITUTION_NAME),
    "signatory_id", "signatory__uuid", "signatory__name_native", "signatory__name_latin",
    "signatory_visible",
    "signature__id", "signature__signed_on", "signature__place", "signature__method",
    "signature__signatory_name", "signature__signatory_position",
]  # fmt: skip
AGREEMENT_VALUES = [
    "id", "uuid", *PLAIN_FIELDS, *DATES, "cooperation_areas", "renewal_years", "notice_days",
    "terminated_on", "termination_reason", "is_confidential", "notes", "created", "updated",
    "parent_visible", "predecessor_visible",
]  # fmt: skip
# The related records' public ids, read for a page by primary key: joined into the list's
# own query, they would stay in the paginator's count of every visible agreement.
RELATED_VALUES = [
    "id", "agreement_type__code", "parent__uuid", "predecessor__uuid",
    "termination_requested_by__uuid",
]  # fmt: skip

_date = serializers.DateField()
_datetime = serializers.DateTimeField()


def agreement_summaries(user) -> QuerySet:
    """Agreements the user may see, as the values a list row shows (filters and ordering
    apply to it as to the model's queryset)."""
    agreements = annotate_visible(
        Agreement.objects.visible_to(user), user, parent=Agreement, predecessor=Agreement
    )
    return agreements.values(*AGREEMENT_VALUES)


def summary_rows(agreements: list[dict[str, Any]], user) -> list[dict[str, Any]]:
    """The rows of a page of :func:`agreement_summaries`, in its order.

    Four more queries whatever the page size: the related records' public ids; the parties
    with their institution, signatory and signature; the public ids of the parties' units;
    those of the responsible people the user may see.
    """
    ids = [agreement["id"] for agreement in agreements]
    related = {
        row["id"]: row for row in Agreement.objects.filter(pk__in=ids).values(*RELATED_VALUES)
    }
    parties: dict[int, list[dict[str, Any]]] = defaultdict(list)
    party_rows = annotate_visible(
        AgreementParty.objects.filter(agreement_id__in=ids), user, signatory=Person
    )
    for party in party_rows.order_by("order", "pk").values(*PARTY_VALUES):
        parties[party["agreement_id"]].append(party)
    people = _ids_by(
        Agreement.responsible_people.through.objects.filter(
            agreement_id__in=ids, person_id__in=visible_ids(Person, user)
        ).order_by("person__name_latin", "person_id"),
        "agreement_id",
        "person__uuid",
    )
    units = _ids_by(
        AgreementParty.units.through.objects.filter(agreementparty__agreement_id__in=ids).order_by(
            "organizationalunit__path"
        ),
        "agreementparty_id",
        "organizationalunit__uuid",
    )
    return [
        summary_row(agreement | related[agreement["id"]], parties[agreement["id"]], people, units)
        for agreement in agreements
    ]


def _ids_by(links: QuerySet, owner: str, public_id: str) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for owner_id, uuid in links.values_list(owner, public_id):
        grouped[owner_id].append(str(uuid))
    return grouped


def summary_row(
    agreement: dict[str, Any],
    parties: list[dict[str, Any]],
    people: dict[int, list[str]],
    units: dict[int, list[str]],
) -> dict[str, Any]:
    requested_by = agreement["termination_requested_by__uuid"]
    row: dict[str, Any] = {
        "id": str(agreement["uuid"]),
        "reference": agreement["reference"],
        "agreement_type": agreement["agreement_type__code"],
    }
    for name in PLAIN_FIELDS[1:]:
        row[name] = agreement[name]
    row |= {
        "parent": _shown_id(agreement, "parent"),
        "predecessor": _shown_id(agreement, "predecessor"),
        "cooperation_areas": list(agreement["cooperation_areas"]),
        "responsible_people": people.get(agreement["id"], []),
        "effective_date": _day(agreement["effective_date"]),
        "expiry_date": _day(agreement["expiry_date"]),
        "next_expiry": _day(
            next_expiry(
                effective_date=agreement["effective_date"],
                expiry_date=agreement["expiry_date"],
                renewal_years=agreement["renewal_years"],
                terminated_on=agreement["terminated_on"],
                today=timezone.localdate(),
            )
        ),
        "renewal_years": agreement["renewal_years"],
        "notice_days": agreement["notice_days"],
        "terminated_on": _day(agreement["terminated_on"]),
        "termination_reason": agreement["termination_reason"],
        "termination_requested_by": str(requested_by) if requested_by else None,
        "is_confidential": agreement["is_confidential"],
        "notes": agreement["notes"],
        "parties": [party_row(party, units) for party in parties],
        "created": _datetime.to_representation(agreement["created"]),
        "updated": _datetime.to_representation(agreement["updated"]),
    }
    return row


def party_row(party: dict[str, Any], units: dict[int, list[str]]) -> dict[str, Any]:
    # A hidden signatory is left out, and so is the name their signature copied.
    signatory_shown = party["signatory_id"] is not None and party["signatory_visible"]
    hidden_signatory = party["signatory_id"] is not None and not party["signatory_visible"]
    return {
        "id": party["id"],
        "institution": {
            "id": str(party["institution__uuid"]),
            "name": in_reader_language_of(party, "institution__name"),
        },
        "units": units.get(party["id"], []),
        "signatory": {"id": str(party["signatory__uuid"]), "name": _person_name(party)}
        if signatory_shown
        else None,
        "signatory_position": party["signatory_position"],
        # as TranslationsField answers it: a party's translations are all in its JSON
        "translations": {
            name: texts for name, texts in (party["translations"] or {}).items() if texts
        },
        "signature": None
        if party["signature__id"] is None
        else {
            "signed_on": _day(party["signature__signed_on"]),
            "place": party["signature__place"],
            "method": party["signature__method"],
            "signatory_name": "" if hidden_signatory else party["signature__signatory_name"],
            "signatory_position": party["signature__signatory_position"],
        },
        "updated": _datetime.to_representation(party["updated"]),
    }


def _shown_id(agreement: dict[str, Any], name: str) -> str | None:
    uuid = agreement[f"{name}__uuid"]
    return str(uuid) if uuid is not None and agreement[f"{name}_visible"] else None


def _person_name(party: dict[str, Any]) -> str:
    """``str(Person)`` from the row's columns."""
    native, latin = party["signatory__name_native"], party["signatory__name_latin"]
    return f"{native} ({latin})" if latin and latin != native else native


def _day(value) -> str | None:
    return None if value is None else _date.to_representation(value)
