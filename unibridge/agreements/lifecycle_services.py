"""The agreements' lifecycle: review, signing, entry into force, expiry, termination, renewal.

Split from :mod:`.services` (which keeps creation, changes of a draft, its parties and its
conditions, and the helpers both use) to keep each module readable; the rules are the same:
every function is atomic, checks the user's right and the agreement's status before writing,
and saves through :func:`unibridge.core.services.save_record`. An action the current status
does not allow raises :class:`~.services.TransitionError` and writes nothing.
"""

import contextlib
import datetime
import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unibridge.core import translations as text_translations
from unibridge.core.cldr import format_date
from unibridge.core.services import acting_as, save_record
from unibridge.core.types import User
from unibridge.institutions.models import Institution

from . import approvals
from .choices import ApprovalDecision, SignatureMethod
from .models import Agreement, AgreementParty, ApprovalStep, Signature
from .services import (
    RENEWAL_COPIED_FIELDS,
    Status,
    check_action,
    check_parties,
    copy_state,
    lock_agreement,
    next_reference,
    require_editor,
)
from .validity import next_expiry, termination_effective_date

logger = logging.getLogger(__name__)


def _set_status(agreement: Agreement, status: str, *, user: User) -> Agreement:
    agreement.status = status
    return save_record(instance=agreement, user=user)


def _activate(agreement: Agreement, *, user: User) -> bool:
    """Put a fully signed agreement in force; a renewed predecessor becomes superseded.

    Returns whether a predecessor was superseded.
    """
    _set_status(agreement, Status.ACTIVE, user=user)
    if agreement.predecessor_id is None:
        return False
    predecessor = lock_agreement(agreement.predecessor_id)
    if predecessor.status != Status.ACTIVE:
        return False
    _set_status(predecessor, Status.SUPERSEDED, user=user)
    return True


def _all_signed(agreement: Agreement) -> bool:
    counts = agreement.parties.aggregate(
        parties=Count("pk"), signed=Count("signature", distinct=True)
    )
    return counts["parties"] > 0 and counts["parties"] == counts["signed"]


# --- References ----------------------------------------------------------------------------------


# --- Review --------------------------------------------------------------------------------------


@transaction.atomic
def agreement_submit(*, agreement: Agreement, user: User) -> Agreement:
    """Send a draft for approval: a new review round with the steps of the type's route.

    A type without a route needs no approval: the agreement is approved at once. A route
    with a step nobody could decide (a duty nobody holds for the agreement's units, a closed
    account) is refused with the steps named, before anything is written.
    """
    locked = lock_agreement(agreement)
    check_action(locked, "submit")
    require_editor(locked, user)
    check_parties(list(locked.parties.values_list("institution_id", flat=True)))
    locked.full_clean()
    route = list(locked.agreement_type.route.select_related("duty", "approver").order_by("order"))
    problems = approvals.unassigned_route_steps(route, approvals.home_units(locked))
    if problems:
        raise ValidationError(problems, code="unassigned")
    if not route:
        _set_status(locked, Status.APPROVED, user=user)
    else:
        last_round = locked.approvals.aggregate(last=Max("round"))["last"] or 0
        for route_step in route:
            save_record(
                instance=ApprovalStep(
                    agreement=locked,
                    round=last_round + 1,
                    order=route_step.order,
                    name=route_step.name,
                    duty=route_step.duty,
                    approver=route_step.approver,
                ),
                user=user,
            )
        _set_status(locked, Status.IN_REVIEW, user=user)
    copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def approval_decide(
    *, step: ApprovalStep, user: User, approve: bool, comment: str = ""
) -> ApprovalStep:
    """Approve or reject one step of the current review round, in the route's order.

    Only those the step is assigned to decide it (see :mod:`.approvals`: its person, or the
    holders of its duty), and one person approves at most one step of a round unless the
    type allows it; both refusals are :class:`PermissionDenied` with the reason. A rejection
    needs the reasons as a comment; it returns the agreement to draft and drops the steps
    not reached. The last approval of the round approves the agreement.
    """
    agreement = lock_agreement(step.agreement_id)
    check_action(agreement, "decide")
    locked_step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
    round_steps = agreement.approvals.filter(round=locked_step.round)
    if locked_step.decision != ApprovalDecision.PENDING:
        raise ValidationError(
            _("“%(step)s” has already been decided."),
            code="decided",
            params={"step": locked_step.name},
        )
    if agreement.approvals.filter(round__gt=locked_step.round).exists():
        raise ValidationError(_("This step belongs to an earlier review round."), code="old_round")
    reason = approvals.refusal(
        locked_step,
        user,
        found=approvals.assignment(locked_step, approvals.home_units(agreement)),
        round_steps=round_steps,
        approve=approve,
    )
    if reason:
        raise PermissionDenied(reason)
    earlier = (
        round_steps.filter(order__lt=locked_step.order)
        .exclude(decision=ApprovalDecision.APPROVED)
        .order_by("order")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            _("“%(earlier)s” must be decided before “%(step)s”."),
            code="out_of_order",
            params={"earlier": earlier.name, "step": locked_step.name},
        )
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError(
            {"comment": _("Give the reasons for the rejection.")}, code="reasons_required"
        )

    locked_step.decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REJECTED
    locked_step.comment = comment
    locked_step.decided_by = user
    locked_step.decided_at = timezone.now()
    save_record(instance=locked_step, user=user)
    if not approve:
        with acting_as(user):
            for later in round_steps.filter(decision=ApprovalDecision.PENDING):
                later.delete()
        _set_status(agreement, Status.DRAFT, user=user)
    elif not round_steps.filter(decision=ApprovalDecision.PENDING).exists():
        _set_status(agreement, Status.APPROVED, user=user)
    copy_state(source=locked_step, target=step)
    return locked_step


# --- Signing -------------------------------------------------------------------------------------


@transaction.atomic
def agreement_start_signing(
    *, agreement: Agreement, user: User, sent_on: datetime.date | None = None
) -> Agreement:
    """Send an approved agreement to the parties for signature (``sent_on``: today, or the
    day it was sent when recorded afterwards; never in the future)."""
    locked = lock_agreement(agreement)
    check_action(locked, "start_signing")
    require_editor(locked, user)
    today = timezone.localdate()
    if sent_on is not None and sent_on > today:
        raise ValidationError(
            {"signing_started_on": _("The agreement cannot be sent for signature in the future.")},
            code="future",
        )
    locked.signing_started_on = sent_on or today
    _set_status(locked, Status.SIGNING, user=user)
    copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def signature_record(
    *,
    party: AgreementParty,
    user: User,
    signed_on: datetime.date,
    place: str = "",
    method: str = SignatureMethod.INK,
    signatory_name: str = "",
    signatory_position: str = "",
    translations: dict | None = None,
) -> Signature:
    """Record one party's signature; the last one puts the agreement in force when it is due.

    A signature is dated between the day the agreement was sent for signature and today
    (the reader's time zone, else the home institution's ``TIME_ZONE``: the day it is where
    the signature is recorded). An agreement without an effective date comes into force on
    the day of its last signature. One with a later effective date stays in signing until
    :func:`activate_due` moves it on that day.
    """
    agreement = lock_agreement(party.agreement_id)
    check_action(agreement, "sign")
    require_editor(agreement, user)
    if Signature.objects.filter(party=party).exists():
        raise ValidationError(
            _("%(institution)s has already signed."),
            code="signed",
            params={"institution": party.institution.display_name},
        )
    today = timezone.localdate()
    if signed_on > today:
        raise _date_error(
            _("A signature cannot be dated in the future (today is %(today)s)."),
            code="future",
            today=format_date(today),
        )
    if agreement.signing_started_on and signed_on < agreement.signing_started_on:
        raise _date_error(
            _(
                "A signature cannot be dated before the agreement was sent for signature, "
                "on %(sent)s."
            ),
            code="before_sent",
            sent=format_date(agreement.signing_started_on),
        )
    if not signatory_name and party.signatory_id:
        signatory_name = str(party.signatory)
    signature = Signature(
        party=party,
        signed_on=signed_on,
        place=place,
        method=method,
        signatory_name=signatory_name,
        signatory_position=signatory_position or party.signatory_position,
        recorded_by=user,
    )
    if signature.signatory_position == party.signatory_position:
        # the party's position as written in the other languages goes with it
        signature.translations = {
            name: dict(texts)
            for name, texts in party.translations.items()
            if name == "signatory_position"
        }
    if translations is not None and (
        errors := text_translations.take_from(signature, {"translations": translations})
    ):
        raise ValidationError(errors)
    signature = save_record(instance=signature, user=user)
    if _all_signed(agreement):
        if agreement.effective_date is None:
            agreement.effective_date = max(
                Signature.objects.filter(party__agreement=agreement).values_list(
                    "signed_on", flat=True
                )
            )
            save_record(instance=agreement, user=user)
        if agreement.effective_date <= today:
            _activate(agreement, user=user)
    return signature


def _date_error(message: Any, *, code: str, **params: str) -> ValidationError:
    """An error of the signature's date, at its field, with its parameters filled in."""
    return ValidationError({"signed_on": ValidationError(message, code=code, params=params)})


# --- The daily job -------------------------------------------------------------------------------


@transaction.atomic
def activate_due(*, today: datetime.date | None = None, user: User | None = None) -> dict[str, int]:
    """The daily job: put due agreements in force and end the ones whose time has come.

    - signing, every party signed, effective date reached → active (a renewed predecessor
      still active becomes superseded);
    - active with a termination date reached → terminated;
    - active without automatic renewal, past its expiry date → expired.

    Running it twice changes nothing the second time. ``user`` is None for the scheduled
    job (the audit entries then name no one). An agreement that fails validation is logged
    and left as it is, so it cannot hold up the others.
    """
    today = today or timezone.localdate()
    counts = {"activated": 0, "superseded": 0, "terminated": 0, "expired": 0, "failed": 0}

    signed = (
        Agreement.objects.filter(status=Status.SIGNING, effective_date__lte=today)
        .annotate(
            party_count=Count("parties", distinct=True),
            signed_count=Count("parties__signature", distinct=True),
        )
        .filter(party_count__gt=0, party_count=F("signed_count"))
    )
    for pk in list(signed.values_list("pk", flat=True)):
        with _one_agreement(pk, counts) as agreement:
            if agreement.status == Status.SIGNING:
                counts["superseded"] += _activate(agreement, user=user)
                counts["activated"] += 1

    ending = Agreement.objects.filter(status=Status.ACTIVE, terminated_on__lte=today)
    for pk in list(ending.values_list("pk", flat=True)):
        with _one_agreement(pk, counts) as agreement:
            if agreement.status == Status.ACTIVE:
                _set_status(agreement, Status.TERMINATED, user=user)
                counts["terminated"] += 1

    expiring = Agreement.objects.filter(
        status=Status.ACTIVE, renewal_years=0, expiry_date__lt=today, terminated_on__isnull=True
    )
    for pk in list(expiring.values_list("pk", flat=True)):
        with _one_agreement(pk, counts) as agreement:
            if agreement.status == Status.ACTIVE:
                _set_status(agreement, Status.EXPIRED, user=user)
                counts["expired"] += 1
    return counts


@contextlib.contextmanager
def _one_agreement(pk: int, counts: dict[str, int]) -> Iterator[Agreement]:
    """Lock one agreement in a savepoint; a validation error is logged, counted and skipped."""
    try:
        with transaction.atomic():
            yield lock_agreement(pk)
    except ValidationError as error:
        logger.warning("Agreement %s left unchanged by the daily job: %s", pk, error)
        counts["failed"] += 1


@transaction.atomic
def agreement_expire(
    *, agreement: Agreement, user: User, today: datetime.date | None = None
) -> Agreement:
    """Mark an active agreement without automatic renewal expired once its expiry has passed."""
    today = today or timezone.localdate()
    locked = lock_agreement(agreement)
    check_action(locked, "expire")
    require_editor(locked, user)
    if locked.expiry_date is None or locked.renewal_years or locked.expiry_date >= today:
        raise ValidationError(
            _("This agreement has not reached its end: it is in force until %(end)s."),
            code="not_due",
            params={"end": _end_label(locked, today)},
        )
    _set_status(locked, Status.EXPIRED, user=user)
    copy_state(source=locked, target=agreement)
    return locked


def _end_label(agreement: Agreement, today: datetime.date) -> str:
    end = next_expiry(
        effective_date=agreement.effective_date,
        expiry_date=agreement.expiry_date,
        renewal_years=agreement.renewal_years,
        terminated_on=agreement.terminated_on,
        today=today,
    )
    return end.isoformat() if end else str(_("further notice"))


# --- Termination and renewal -------------------------------------------------------------------


@transaction.atomic
def agreement_terminate(
    *,
    agreement: Agreement,
    user: User,
    requested_by: Institution,
    reason: str,
    requested_on: datetime.date,
) -> Agreement:
    """Record a party's notice of termination and the date it takes effect.

    The date follows the notice period (see
    :func:`unibridge.agreements.validity.termination_effective_date`). When it has come, the
    agreement is terminated at once; otherwise it stays active with ``terminated_on`` set
    and :func:`activate_due` terminates it on that day.
    """
    locked = lock_agreement(agreement)
    check_action(locked, "terminate")
    require_editor(locked, user)
    if locked.terminated_on is not None:
        raise ValidationError(
            _("A termination is already recorded: it takes effect on %(date)s."),
            code="already_terminated",
            params={"date": locked.terminated_on.isoformat()},
        )
    today = timezone.localdate()
    errors: dict[str, Any] = {}
    if not locked.parties.filter(institution=requested_by).exists():
        errors["termination_requested_by"] = _("Only a party to the agreement can terminate it.")
    if not reason.strip():
        errors["termination_reason"] = _("Give the reason for the termination.")
    if requested_on > today:
        errors["terminated_on"] = _("The notice cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    period_end = next_expiry(
        effective_date=locked.effective_date,
        expiry_date=locked.expiry_date,
        renewal_years=locked.renewal_years,
        terminated_on=None,
        today=requested_on,
    )
    locked.terminated_on = termination_effective_date(
        requested_on=requested_on,
        notice_days=locked.notice_days,
        period_end=period_end,
        renewal_years=locked.renewal_years,
    )
    locked.termination_reason = reason.strip()
    locked.termination_requested_by = requested_by
    locked.termination_requested_on = requested_on
    if locked.terminated_on <= today:
        locked.status = Status.TERMINATED
    save_record(instance=locked, user=user)
    copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def agreement_renew(
    *,
    agreement: Agreement,
    user: User,
    effective_date: datetime.date | None,
    expiry_date: datetime.date | None,
) -> Agreement:
    """Start the successor of an agreement: a draft copy with new dates and reference.

    The copy has the same parties (units and signatories), cooperation conditions (subject
    areas and language requirements), responsible people and areas. The successor goes
    through review and signing like any agreement; when it comes into force, the old one
    becomes superseded. Academic years of the copied conditions are kept as they were; the
    office updates them in the draft.
    """
    locked = lock_agreement(agreement)
    check_action(locked, "renew")
    require_editor(locked, user)
    if Agreement.objects.filter(predecessor=locked).exists():
        raise ValidationError(_("This agreement has already been renewed."), code="already_renewed")
    successor = Agreement(
        **{name: getattr(locked, name) for name in RENEWAL_COPIED_FIELDS},
        predecessor=locked,
        effective_date=effective_date,
        expiry_date=expiry_date,
    )
    successor.full_clean(exclude=["reference"])
    successor.reference = next_reference(
        agreement_type=locked.agreement_type, year=timezone.localdate().year
    )
    save_record(
        instance=successor,
        user=user,
        m2m={"responsible_people": list(locked.responsible_people.all())},
    )
    for party in locked.parties.prefetch_related("units"):
        save_record(
            instance=AgreementParty(
                agreement=successor,
                institution_id=party.institution_id,
                signatory_id=party.signatory_id,
                signatory_position=party.signatory_position,
                order=party.order,
            ),
            user=user,
            m2m={"units": list(party.units.all())},
        )
    conditions = locked.conditions.prefetch_related("subject_areas", "language_requirements")
    for condition in conditions:
        subject_areas = list(condition.subject_areas.all())
        language_requirements = list(condition.language_requirements.all())
        condition.pk = None
        condition._state.adding = True
        condition.agreement = successor
        save_record(instance=condition, user=user)
        with acting_as(user):
            for area in subject_areas:
                area.pk = None
                area._state.adding = True
                area.condition = condition
                area.full_clean()
                area.save()
            for requirement in language_requirements:
                requirement.pk = None
                requirement._state.adding = True
                requirement.condition = condition
                requirement.full_clean()
                requirement.save()
    return successor
