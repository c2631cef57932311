"""Reads shaped for the agreements pages and API: visibility applied, relations pre-loaded."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unibridge.core.cldr import format_date
from unibridge.core.models import in_reader_language_of
from unibridge.core.permissions import is_editable
from unibridge.core.visibility import annotate_visible, hide_unseen, visible_prefetch
from unibridge.institutions.models import Institution, Person

from . import approvals
from .choices import AgreementStatus, ApprovalDecision
from .models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    ApprovalStep,
    CooperationCondition,
)
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
        .select_related("approver", "duty", "agreement__agreement_type")
        .order_by("order")
        .first()
    )


def approval_rows(agreement: Agreement) -> list[ApprovalStep]:
    """The approvals tab's steps, each with ``assignment`` (who decides it: see
    :mod:`.approvals`), in a constant number of queries."""
    steps = list(agreement.approvals.select_related("approver", "duty", "decided_by"))
    units = approvals.home_units(agreement)
    for step, found in zip(steps, approvals.assignments(steps, units), strict=True):
        step.assignment = found  # type: ignore[attr-defined]
        step.decided_by_name = approvals.person_name(step.decided_by)  # type: ignore[attr-defined]
    return steps


def agreement_actions(agreement: Agreement, user) -> dict[str, Any]:
    """What this user may do with the agreement now: the buttons its page shows.

    The services decide again when the button is pressed; this only avoids offering what
    would be refused (the same rule, :func:`.approvals.refusal`, decides who may decide the
    current step). A constant number of queries, whatever the agreement holds.
    """
    can_edit = is_editable(agreement, user)
    status = agreement.status
    step = current_approval_step(agreement)
    found = approvals.assignment(step, approvals.home_units(agreement)) if step else None
    refusal = (
        approvals.refusal(
            step, user, found=found, round_steps=agreement.approvals.filter(round=step.round)
        )
        if step is not None and found is not None
        else ""
    )
    may_decide = step is not None and not refusal
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
        "assignment": found,
        "refusal": refusal,
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


# --- What happens next ---------------------------------------------------------------------------

# How long before the end of its period an agreement offers its renewal when its type names
# no reminder thresholds (the default's first one).
RENEWAL_WINDOW_DAYS = 180


@dataclass
class NextStep:
    """What happens next with an agreement, as its page's "next step" box says it.

    ``state`` names the case (for the template and the tests), ``text`` says it in the
    reader's language, ``action`` is the button the box offers this user (a key of
    :func:`agreement_actions`, or "") and ``note`` adds why the user may not act, if so.
    """

    state: str
    text: str
    action: str = ""
    note: str = ""


def _in_days(day: datetime.date, today: datetime.date) -> str:
    days = (day - today).days
    if days == 0:
        return _("today")
    if days < 0:
        return ngettext("%(days)d day ago", "%(days)d days ago", -days) % {"days": -days}
    return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}


def _renewal_window(agreement: Agreement) -> int:
    thresholds = [d for d in agreement.agreement_type.reminder_days or [] if isinstance(d, int)]
    return max(thresholds, default=RENEWAL_WINDOW_DAYS)


def _names(parties: list[AgreementParty]) -> str:
    return ", ".join(party.institution.display_name for party in parties)


def next_step(
    agreement: Agreement,
    user,
    *,
    actions: dict[str, Any] | None = None,
    today: datetime.date | None = None,
) -> NextStep:
    """What happens next, for every status (the agreement as :func:`agreement_detail` reads
    it; ``actions`` as :func:`agreement_actions` gives them, read again when left out).

    Dates are spelled out in the reader's language; "today" is the reader's day (their time
    zone, else the installation's).
    """
    actions = actions if actions is not None else agreement_actions(agreement, user)
    today = today or timezone.localdate()
    Status = AgreementStatus
    status = agreement.status

    def offer(action: str) -> str:
        return action if actions.get(action) else ""

    if status == Status.DRAFT:
        if actions["submit"]:
            return NextStep("draft", _("Send for approval."), "submit")
        return NextStep(
            "draft", _("The draft is to be sent for approval by the international office.")
        )
    if status == Status.IN_REVIEW:
        step, found = actions["step"], actions["assignment"]
        if step is None or found is None:  # a round without pending steps is approved
            return NextStep("in_review", _("Waiting for the review to be completed."))
        params = {"who": found.label, "number": step.order, "step": step.name}
        if actions["decide"]:
            return NextStep(
                "in_review",
                _("Your decision: step %(number)s, “%(step)s”.") % params,
                "decide",
            )
        note = actions["refusal"] if user.pk in found.user_ids else ""
        return NextStep(
            "in_review",
            _("Waiting for %(who)s to decide step %(number)s, “%(step)s”.") % params,
            note=note,
        )
    if status == Status.APPROVED:
        if actions["start_signing"]:
            return NextStep("approved", _("Send for signature."), "start_signing")
        return NextStep(
            "approved", _("Approved: to be sent to the parties for signature by the office.")
        )
    if status == Status.SIGNING:
        parties = list(agreement.parties.all())
        signed = [p for p in parties if getattr(p, "signature", None) is not None]
        waiting = [p for p in parties if p not in signed]
        if waiting and signed:
            text = _("Signed by %(signed)s; waiting for the signature of %(waiting)s.") % {
                "signed": _names(signed),
                "waiting": _names(waiting),
            }
            return NextStep("signed_by_some", text, offer("sign"))
        if waiting:
            text = _("Waiting for the signatures of %(waiting)s.") % {"waiting": _names(waiting)}
            return NextStep("signing", text, offer("sign"))
        start = agreement.effective_date or today
        return NextStep(
            "signed",
            _("Comes into force on %(date)s.") % {"date": format_date(start)},
        )
    if status == Status.ACTIVE:
        return _active_next_step(agreement, actions, today)
    if status == Status.EXPIRED:
        successor = _successor(agreement, user)
        ended = format_date(agreement.expiry_date)
        if successor is not None:
            return NextStep(
                "expired",
                _("Expired on %(date)s; renewed by %(successor)s.")
                % {"date": ended, "successor": successor.reference},
            )
        if actions["renew"]:
            return NextStep(
                "expired",
                _("Expired on %(date)s. Renew it to continue.") % {"date": ended},
                "renew",
            )
        return NextStep("expired", _("Expired on %(date)s.") % {"date": ended})
    if status == Status.TERMINATED:
        return NextStep(
            "terminated",
            _("Terminated on %(date)s; nothing more happens.")
            % {"date": format_date(agreement.terminated_on)},
        )
    successor = _successor(agreement, user)
    return NextStep(
        "superseded",
        _("Replaced by %(successor)s; nothing more happens.")
        % {"successor": successor.reference if successor else _("its successor")},
    )


def _successor(agreement: Agreement, user) -> Agreement | None:
    return Agreement.objects.visible_to(user).filter(predecessor=agreement).first()


def _active_next_step(
    agreement: Agreement, actions: dict[str, Any], today: datetime.date
) -> NextStep:
    if agreement.terminated_on is not None:
        return NextStep(
            "terminating",
            _("Ends on %(date)s (%(when)s): notice of termination was given.")
            % {
                "date": format_date(agreement.terminated_on),
                "when": _in_days(agreement.terminated_on, today),
            },
        )
    end = agreement.next_expiry
    if end is None:
        return NextStep("active", _("In force without an end date."))
    params = {"date": format_date(end), "when": _in_days(end, today)}
    if agreement.renewal_years:
        text = ngettext(
            "The current period ends on %(date)s (%(when)s); the agreement then renews itself "
            "for %(years)d year unless a party gives notice.",
            "The current period ends on %(date)s (%(when)s); the agreement then renews itself "
            "for %(years)d years unless a party gives notice.",
            agreement.renewal_years,
        ) % {**params, "years": agreement.renewal_years}
        return NextStep("active", text)
    near = (end - today).days <= _renewal_window(agreement)
    if near and actions["renew"]:
        return NextStep(
            "expiring",
            _("Expires on %(date)s (%(when)s). Renew it in time.") % params,
            "renew",
        )
    return NextStep("expiring" if near else "active", _("Expires on %(date)s (%(when)s).") % params)


def tab_counts(agreement: Agreement, user) -> dict[str, int]:
    """How many rows each tab of the agreement's page lists, in one query."""

    def count(model, **lookups) -> Coalesce:
        rows = (
            model.objects.filter(agreement=OuterRef("pk"), **lookups)
            .order_by()
            .values("agreement")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    counts = (
        Agreement.objects.filter(pk=agreement.pk)
        .annotate(
            documents_count=count(AgreementDocument),
            conditions_count=count(CooperationCondition),
            approvals_count=count(ApprovalStep),
        )
        .values("documents_count", "conditions_count", "approvals_count")
        .get()
    )
    return {
        "parties": len(agreement.parties.all()),  # prefetched by agreement_detail
        "documents": counts["documents_count"],
        "conditions": counts["conditions_count"],
        "approvals": counts["approvals_count"],
    }
