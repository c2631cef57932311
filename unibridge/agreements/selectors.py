"""Reads shaped for the agreements pages and API: visibility applied, relations pre-loaded."""

from collections import defaultdict
from typing import Any

from django.db.models import F, Prefetch, QuerySet, Subquery

from unibridge.core.models import in_reader_language_of
from unibridge.core.permissions import is_editable
from unibridge.core.visibility import annotate_visible, hide_unseen, visible_prefetch
from unibridge.institutions.models import Institution, Person

from .choices import AgreementStatus, ApprovalDecision
from .models import Agreement, AgreementParty, ApprovalStep
from .services import ACTIONS

# An institution's names: the official one and those in the interface languages.
INSTITUTION_NAMES = ["name", "name_en", "name_ru", "name_kk", "name_pl"]

# What a list row shows of an agreement: the table's columns, the link, the badge.
LIST_ROW_COLUMNS = [
    "uuid", "reference", "title", "title_en", "title_ru", "title_kk", "title_pl", "status",
    "effective_date", "expiry_date", "is_confidential", "agreement_type__name",
    "agreement_type__name_en", "agreement_type__name_ru", "agreement_type__name_kk",
    "agreement_type__name_pl",
]  # fmt: skip


def agreement_list(user) -> QuerySet[Agreement]:
    """The agreements of the list page and its exports: what the filters and the sort apply
    to (a page's rows are then loaded by :func:`agreement_rows`)."""
    return Agreement.objects.visible_to(user)


def agreement_rows(user, ids: list[int]) -> list[Agreement]:
    """The list's rows for these ids: the columns it shows, ``partner_names`` (the partners'
    names in the reader's language and the parties' order) and ``partner_countries`` (their
    countries' codes, each once, in that order); never save them.

    The names come as plain values in one query: prefetching the parties and their
    institutions as records cost more than the rest of the page's reads together.
    """
    agreements = list(
        agreement_list(user)
        .filter(pk__in=ids)
        .select_related("agreement_type")
        .only(*LIST_ROW_COLUMNS)
    )
    names: dict[int, list[str]] = defaultdict(list)
    countries: dict[int, dict[str, None]] = defaultdict(dict)
    parties = (
        AgreementParty.objects.filter(agreement_id__in=ids, institution__is_home=False)
        .order_by("order", "pk")
        .values(
            "agreement_id",
            "institution__country",
            *(f"institution__{c}" for c in INSTITUTION_NAMES),
        )
    )
    for party in parties:
        names[party["agreement_id"]].append(in_reader_language_of(party, "institution__name"))
        countries[party["agreement_id"]][party["institution__country"]] = None
    for agreement in agreements:
        agreement.partner_names = names[agreement.pk]
        agreement.partner_countries = list(countries[agreement.pk])
    return agreements


def party_detail(user) -> QuerySet[AgreementParty]:
    """Parties flagged ``signatory_visible`` (``core.visibility``): shown only if visible."""
    parties = (
        AgreementParty.objects.select_related("institution", "signatory", "signature")
        .prefetch_related("units")
        .order_by("order", "pk")
    )
    return annotate_visible(parties, user, signatory=Person)


def agreement_detail(user) -> QuerySet[Agreement]:
    """An agreement with its parties and the responsible people the user may see.

    Flagged ``parent_visible`` and ``predecessor_visible``: an umbrella or a renewed
    agreement the user may not see is not shown (see :func:`for_display`).
    """
    agreements = annotate_visible(
        Agreement.objects.visible_to(user).select_related(
            "agreement_type", "parent", "predecessor"
        ),
        user,
        parent=Agreement,
        predecessor=Agreement,
    )
    return agreements.prefetch_related(
        Prefetch("parties", queryset=party_detail(user)),
        visible_prefetch("responsible_people", Person, user),
    )


def signed_by(party: AgreementParty) -> str:
    """The name a party's signature records, unless its signatory is hidden from the reader.

    The signature copies the signatory's name: a confidential signatory's name stays hidden.
    """
    signature = getattr(party, "signature", None)  # a missing reverse one-to-one raises
    if signature is None:
        return ""
    if party.signatory_id is not None and not getattr(party, "signatory_visible", False):
        return ""
    return signature.signatory_name


def for_display(agreement: Agreement) -> Agreement:
    """The agreement of :func:`agreement_detail` as its page shows it (never save it).

    Its umbrella, predecessor and parties' signatories the user may not see read as None.
    """
    hide_unseen([agreement], "parent", "predecessor")
    for party in hide_unseen(agreement.parties.all(), "signatory"):
        party.signed_by = signed_by(party)
    return agreement


def current_approval_step(agreement: Agreement) -> ApprovalStep | None:
    """The step of the latest review round waiting for a decision (steps go in order)."""
    if agreement.status != AgreementStatus.IN_REVIEW:
        return None
    latest = agreement.approvals.order_by("-round").values("round")[:1]
    return (
        agreement.approvals.filter(round=Subquery(latest), decision=ApprovalDecision.PENDING)
        .select_related("approver")
        .order_by("order")
        .first()
    )


def agreement_actions(agreement: Agreement, user) -> dict[str, Any]:
    """What this user may do with the agreement now: the buttons its page shows.

    The services decide again when the button is pressed; this only avoids offering what
    would be refused. A constant number of queries, whatever the agreement holds.
    """
    can_edit = is_editable(agreement, user)
    status = agreement.status
    step = current_approval_step(agreement)
    may_decide = step is not None and (
        user.is_office or (user.is_active and user.pk == step.approver_id)
    )
    in_draft = status in ACTIONS["change_terms"][0]
    renewable = (
        can_edit
        and status in ACTIONS["renew"][0]
        and not Agreement.objects.filter(predecessor=agreement).exists()
    )
    return {
        "can_edit": can_edit,
        "change_terms": can_edit and in_draft,
        "change_parties": can_edit and status in ACTIONS["change_signatory"][0],
        "change_conditions": can_edit and in_draft and agreement.agreement_type.has_conditions,
        "delete": can_edit and status in ACTIONS["delete"][0],
        "submit": can_edit and status in ACTIONS["submit"][0],
        "step": step,
        "decide": may_decide,
        "start_signing": can_edit and status in ACTIONS["start_signing"][0],
        "sign": can_edit and status in ACTIONS["sign"][0],
        "terminate": can_edit
        and status in ACTIONS["terminate"][0]
        and agreement.terminated_on is None,
        "renew": renewable,
        "add_child": user.can_write,
    }


def institution_agreement_tree(user, institution: Institution) -> list[tuple[Agreement, int]]:
    """The agreements an institution is party to, umbrellas first with theirs under them.

    Pairs of (agreement, depth) in reading order, in one query whatever their number. An
    agreement whose umbrella is not listed (another partner's, or hidden) starts a tree.
    """
    agreements = list(
        Agreement.objects.visible_to(user)
        .filter(pk__in=AgreementParty.objects.filter(institution=institution).values("agreement"))
        .select_related("agreement_type")
        .order_by(F("effective_date").desc(nulls_first=True), "reference")
    )
    listed = {agreement.pk: agreement for agreement in agreements}
    children: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in agreements:
        if agreement.parent_id in listed:
            agreement.parent = listed[agreement.parent_id]  # the page names it, no query
            children[agreement.parent_id].append(agreement)
    tree: list[tuple[Agreement, int]] = []
    stack = [(a, 0) for a in reversed(agreements) if a.parent_id not in listed]
    seen: set[int] = set()
    while stack:
        agreement, depth = stack.pop()
        if agreement.pk in seen:
            continue
        seen.add(agreement.pk)
        tree.append((agreement, depth))
        stack.extend((child, depth + 1) for child in reversed(children[agreement.pk]))
    return tree
