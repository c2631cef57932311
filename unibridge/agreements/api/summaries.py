"""The rows of the agreements list endpoint, built by hand from lean querysets.

A page of 50 summaries through ``AgreementSummarySerializer`` costs about 450 model
instances and 2,500 serializer field calls. The rows here are the same JSON (a test compares
them with the serializer's, which still documents the schema) from instances that load
only the columns a row shows.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers

from unibridge.core.visibility import annotate_visible, shown, visible_ids
from unibridge.institutions.models import Institution, Person

from ..models import Agreement, AgreementParty
from ..selectors import signed_by

# The columns a reference to an institution or a person needs (its id and its name).
INSTITUTION_NAME = ["uuid", "name", "name_en", "name_ru", "name_kk", "name_pl"]
PERSON_NAME = ["uuid", "name_native", "name_latin"]

# The fields of a summary row, in the serializer's order (``AgreementSummarySerializer``).
PLAIN_FIELDS = [
    "reference", "title", "title_en", "title_ru", "title_kk", "title_pl", "summary", "status",
]  # fmt: skip
DATES = ["effective_date", "expiry_date"]

PARTY_COLUMNS = [
    "id", "agreement_id", "signatory_position", "updated", "order",
    *(f"institution__{name}" for name in INSTITUTION_NAME),
    *(f"signatory__{name}" for name in PERSON_NAME),
    "signature__id", "signature__party_id", "signature__signed_on", "signature__place",
    "signature__method", "signature__signatory_name", "signature__signatory_position",
]  # fmt: skip
AGREEMENT_COLUMNS = [
    "id", "uuid", *PLAIN_FIELDS, *DATES, "cooperation_areas", "renewal_years", "notice_days",
    "terminated_on", "termination_reason", "is_confidential", "notes", "created", "updated",
    "agreement_type__code", "parent__uuid", "predecessor__uuid",
    "termination_requested_by__uuid",
]  # fmt: skip

_date = serializers.DateField()
_datetime = serializers.DateTimeField()


def agreement_summaries(user) -> QuerySet[Agreement]:
    """Agreements the user may see, with just what a list row shows of their relations."""
    parties = (
        AgreementParty.objects.select_related("institution", "signatory", "signature")
        .only(*PARTY_COLUMNS)
        .order_by("order", "pk")
    )
    agreements = annotate_visible(
        Agreement.objects.visible_to(user).select_related(
            "agreement_type", "parent", "predecessor", "termination_requested_by"
        ),
        user,
        parent=Agreement,
        predecessor=Agreement,
    ).only(*AGREEMENT_COLUMNS)
    return agreements.prefetch_related(
        Prefetch("parties", queryset=annotate_visible(parties, user, signatory=Person))
    )


def summary_rows(agreements: list[Agreement], user) -> list[dict[str, Any]]:
    """The rows of a page of :func:`agreement_summaries`, in its order.

    The public ids of the parties' units and of the responsible people (those the user may
    see) come as pairs from the link tables, without loading a unit or a person.
    """
    people = _ids_by(
        Agreement.responsible_people.through.objects.filter(
            agreement_id__in=[a.pk for a in agreements],
            person_id__in=visible_ids(Person, user),
        ).order_by("person__name_latin", "person_id"),
        "agreement_id",
        "person__uuid",
    )
    units = _ids_by(
        AgreementParty.units.through.objects.filter(
            agreementparty_id__in=[p.pk for a in agreements for p in a.parties.all()]
        ).order_by("organizationalunit__path"),
        "agreementparty_id",
        "organizationalunit__uuid",
    )
    return [summary_row(agreement, people, units) for agreement in agreements]


def _ids_by(links: QuerySet, owner: str, public_id: str) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for owner_id, uuid in links.values_list(owner, public_id):
        grouped[owner_id].append(str(uuid))
    return grouped


def summary_row(
    agreement: Agreement, people: dict[int, list[str]], units: dict[int, list[str]]
) -> dict[str, Any]:
    parent = shown(agreement, "parent")
    predecessor = shown(agreement, "predecessor")
    requested_by = agreement.termination_requested_by
    row: dict[str, Any] = {
        "id": str(agreement.uuid),
        "reference": agreement.reference,
        "agreement_type": agreement.agreement_type.code if agreement.agreement_type else None,
    }
    for name in PLAIN_FIELDS[1:]:
        row[name] = getattr(agreement, name)
    row |= {
        "parent": str(parent.uuid) if parent else None,
        "predecessor": str(predecessor.uuid) if predecessor else None,
        "cooperation_areas": list(agreement.cooperation_areas),
        "responsible_people": people.get(agreement.pk, []),
        "effective_date": _day(agreement.effective_date),
        "expiry_date": _day(agreement.expiry_date),
        "next_expiry": _day(agreement.next_expiry),
        "renewal_years": agreement.renewal_years,
        "notice_days": agreement.notice_days,
        "terminated_on": _day(agreement.terminated_on),
        "termination_reason": agreement.termination_reason,
        "termination_requested_by": str(requested_by.uuid) if requested_by else None,
        "is_confidential": agreement.is_confidential,
        "notes": agreement.notes,
        "parties": [party_row(party, units) for party in agreement.parties.all()],
        "created": _datetime.to_representation(agreement.created),
        "updated": _datetime.to_representation(agreement.updated),
    }
    return row


def party_row(party: AgreementParty, units: dict[int, list[str]]) -> dict[str, Any]:
    institution: Institution = party.institution
    signatory = shown(party, "signatory")
    signature = getattr(party, "signature", None)  # a missing reverse one-to-one raises
    return {
        "id": party.pk,
        "institution": {"id": str(institution.uuid), "name": institution.display_name},
        "units": units.get(party.pk, []),
        "signatory": {"id": str(signatory.uuid), "name": str(signatory)} if signatory else None,
        "signatory_position": party.signatory_position,
        "signature": None
        if signature is None
        else {
            "signed_on": _day(signature.signed_on),
            "place": signature.place,
            "method": signature.method,
            "signatory_name": signed_by(party),
            "signatory_position": signature.signatory_position,
        },
        "updated": _datetime.to_representation(party.updated),
    }


def _day(value) -> str | None:
    return None if value is None else _date.to_representation(value)
