"""Writes of the agreements app: creation, the lifecycle and renewal.

Every function is atomic, checks the user's right and the agreement's status before writing,
and saves through :func:`unibridge.core.services.save_record`, so the audit trail names the
user. The lifecycle is::

    draft → in review → approved → signing → active → expired | terminated | superseded

with a rejection in review returning the agreement to draft. An action the current status
does not allow raises :class:`TransitionError` and writes nothing.
"""

import contextlib
import datetime
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unibridge.core.permissions import is_editable
from unibridge.core.services import (
    EditConflict,
    acting_as,
    delete_record,
    lock_record,
    not_allowed,
    save_record,
    write_record,
)
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from .choices import AgreementStatus, ApprovalDecision, SignatureMethod
from .models import (
    Agreement,
    AgreementParty,
    AgreementType,
    ApprovalStep,
    CooperationCondition,
    LanguageRequirement,
    ReferenceCounter,
    Signature,
    SubjectArea,
)
from .validity import next_expiry, termination_effective_date

logger = logging.getLogger(__name__)

Status = AgreementStatus

# The actions of the lifecycle: the statuses each is allowed from, and its name in messages.
ACTIONS: dict[str, tuple[frozenset[str], Any]] = {
    "submit": (frozenset({Status.DRAFT}), _("Submission for approval")),
    "decide": (frozenset({Status.IN_REVIEW}), _("An approval decision")),
    "start_signing": (frozenset({Status.APPROVED}), _("Sending for signature")),
    "sign": (frozenset({Status.SIGNING}), _("Recording a signature")),
    "activate": (frozenset({Status.SIGNING}), _("Entry into force")),
    "terminate": (frozenset({Status.ACTIVE}), _("Termination")),
    "expire": (frozenset({Status.ACTIVE}), _("Expiry")),
    "renew": (frozenset({Status.ACTIVE, Status.EXPIRED}), _("Renewal")),
    # Changes of the terms: only a draft (a rejection in review returns it to draft).
    "change_terms": (frozenset({Status.DRAFT}), _("Changing the terms")),
    "delete": (frozenset({Status.DRAFT}), _("Deletion")),
    # Who signs for a party may still change until the signatures are collected.
    "change_signatory": (
        frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.SIGNING}),
        _("Changing a signatory"),
    ),
}

# Fields agreement_create accepts besides the type, title and parties.
CREATE_FIELDS = frozenset(
    {
        "title_en",
        "title_ru",
        "title_kk",
        "title_pl",
        "summary",
        "parent",
        "cooperation_areas",
        "effective_date",
        "expiry_date",
        "renewal_years",
        "notice_days",
        "notes",
        "is_confidential",
    }
)

# Fields a successor copies from the agreement it renews.
RENEWAL_COPIED_FIELDS = (
    "agreement_type",
    "title",
    "title_en",
    "title_ru",
    "title_kk",
    "title_pl",
    "summary",
    "parent",
    "cooperation_areas",
    "renewal_years",
    "notice_days",
    "notes",
    "is_confidential",
)


# What the office may change at any time: internal bookkeeping, not the terms the parties
# agreed on. Everything else in the edit form (see DRAFT_ONLY_FIELDS) is changed in a draft only.
ANY_TIME_FIELDS = frozenset({"notes", "responsible_people", "is_confidential"})
DRAFT_ONLY_FIELDS = frozenset({"agreement_type", "title"}) | (CREATE_FIELDS - ANY_TIME_FIELDS)


class TransitionError(ValidationError):
    """The agreement's current status does not allow the action."""

    def __init__(self, *, status: str, action: str):
        self.status = status
        self.action = action
        super().__init__(
            _("%(action)s is not possible while the agreement is “%(status)s”."),
            code="invalid_transition",
            params={"action": ACTIONS[action][1], "status": Status(status).label},
        )


class PartyInput(NamedTuple):
    """One party of a new agreement (a plain 4-tuple in the same order works as well)."""

    institution: Institution
    units: Iterable[OrganizationalUnit] = ()
    signatory: Person | None = None
    signatory_position: str = ""


# --- Helpers -------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _lock(agreement: Agreement | int) -> Agreement:
    """The agreement's current row, locked until the end of the transaction."""
    pk = agreement if isinstance(agreement, int) else agreement.pk
    return Agreement.objects.select_for_update().get(pk=pk)


def _check_action(agreement: Agreement, action: str) -> None:
    if agreement.status not in ACTIONS[action][0]:
        raise TransitionError(status=agreement.status, action=action)


def _copy_state(*, source: Model, target: Model) -> None:
    """Bring the caller's instance up to date with the row the service locked and saved."""
    if target is source:
        return
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _field_error(field: str, message, *, code: str, **params: Any) -> ValidationError:
    """A field's error with its parameters (a dict of plain messages would drop them)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _require_editor(agreement: Agreement, user) -> None:
    if user.is_office:
        return
    if not Agreement.objects.editable_by(user).filter(pk=agreement.pk).exists():
        raise PermissionDenied(_("You may not change this agreement."))


def _check_parties(institution_ids: Sequence[int]) -> None:
    """Two or more distinct institutions, the home institution among them."""
    if len(institution_ids) < 2:
        raise ValidationError(
            {"parties": _("An agreement needs at least two parties.")}, code="too_few_parties"
        )
    if len(set(institution_ids)) != len(institution_ids):
        raise ValidationError(
            {"parties": _("An institution is listed twice among the parties.")},
            code="duplicate_party",
        )
    home = Institution.objects.filter(is_home=True).first()
    if home is None:
        raise ValidationError(
            {"parties": _("No home institution is recorded; mark it in the directory first.")},
            code="no_home",
        )
    if home.pk not in institution_ids:
        raise _field_error(
            "parties",
            _("%(home)s (the home institution) must be one of the parties."),
            code="home_missing",
            home=home.display_name,
        )


def _set_status(agreement: Agreement, status: str, *, user) -> Agreement:
    agreement.status = status
    return save_record(instance=agreement, user=user)


def _activate(agreement: Agreement, *, user) -> bool:
    """Put a fully signed agreement in force; a renewed predecessor becomes superseded.

    Returns whether a predecessor was superseded.
    """
    _set_status(agreement, Status.ACTIVE, user=user)
    if agreement.predecessor_id is None:
        return False
    predecessor = _lock(agreement.predecessor_id)
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


@transaction.atomic
def next_reference(*, agreement_type: AgreementType, year: int) -> str:
    """The next reference number of a type and year, such as ``MoU-2026-014``.

    The counter row is locked until the caller's transaction ends, so two agreements created
    at once get different numbers; it only grows, so a number is never given twice, even after
    its agreement is deleted (a number taken by an imported agreement is skipped).
    """
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        agreement_type=agreement_type, year=year
    )
    reference = take_reference(counter, agreement_type=agreement_type, year=year)
    counter.save(update_fields=["last_number"])
    return reference


def take_reference(counter: ReferenceCounter, *, agreement_type: AgreementType, year: int) -> str:
    """The counter's next free reference; advances ``counter.last_number`` (the caller, who
    holds the counter's lock, saves it). A number another agreement has is skipped."""
    number = counter.last_number
    while True:
        number += 1
        try:
            reference = agreement_type.reference_pattern.format(
                prefix=agreement_type.reference_prefix, year=year, number=number
            )
        except (KeyError, IndexError, ValueError) as error:
            raise ValidationError(
                _("The reference pattern of “%(type)s” is broken: %(error)s"),
                code="bad_pattern",
                params={"type": agreement_type.display_name, "error": error},
            ) from error
        if not Agreement.objects.filter(reference=reference).exists():
            break
    counter.last_number = number
    return reference


# --- Creation ------------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    user,
    agreement_type: AgreementType,
    title: str,
    parties: Sequence[PartyInput | tuple],
    responsible_people: Iterable[Person] = (),
    **fields: Any,
) -> Agreement:
    """Create a draft agreement with its parties and a new reference number.

    ``parties`` lists (institution, units, signatory, signatory_position); the home
    institution must be among them. Other fields: see :data:`CREATE_FIELDS`.
    """
    unknown = set(fields) - CREATE_FIELDS
    if unknown:
        raise TypeError(f"agreement_create() got unexpected fields: {', '.join(sorted(unknown))}")
    if not user.can_write:
        raise PermissionDenied(_("You may not create agreements."))
    if not agreement_type.is_active:
        raise ValidationError(
            {"agreement_type": _("This agreement type is no longer in use.")}, code="inactive"
        )
    party_inputs = []
    for party in parties:
        party_input = PartyInput(*party)
        party_inputs.append(party_input._replace(units=list(party_input.units)))
    _check_parties([party.institution.pk for party in party_inputs])
    for party in party_inputs:
        if any(unit.institution_id != party.institution.pk for unit in party.units):
            raise _field_error(
                "parties",
                _("A unit listed for %(institution)s belongs to another institution."),
                code="foreign_unit",
                institution=party.institution.display_name,
            )
        signatory = party.signatory
        if signatory and signatory.institution_id not in (None, party.institution.pk):
            raise _field_error(
                "parties",
                _("The signatory for %(institution)s works elsewhere."),
                code="foreign_signatory",
                institution=party.institution.display_name,
            )
    if not user.is_office:
        home_units = [
            unit.pk for party in party_inputs if party.institution.is_home for unit in party.units
        ]
        if not set(home_units) & user.unit_scope_ids:
            raise PermissionDenied(
                _("Name one of the units you coordinate among the home institution's units.")
            )

    agreement = Agreement(agreement_type=agreement_type, title=title, **fields)
    agreement.full_clean(exclude=["reference"])  # validate before a number is taken
    agreement.reference = next_reference(agreement_type=agreement_type, year=_today().year)
    save_record(instance=agreement, user=user, m2m={"responsible_people": list(responsible_people)})
    for order, party in enumerate(party_inputs):
        save_record(
            instance=AgreementParty(
                agreement=agreement,
                institution=party.institution,
                signatory=party.signatory,
                signatory_position=party.signatory_position,
                order=order,
            ),
            user=user,
            m2m={"units": list(party.units)},
        )
    return agreement


# --- Review --------------------------------------------------------------------------------------


@transaction.atomic
def agreement_submit(*, agreement: Agreement, user) -> Agreement:
    """Send a draft for approval: a new review round with the steps of the type's route.

    A type without a route needs no approval: the agreement is approved at once.
    """
    locked = _lock(agreement)
    _check_action(locked, "submit")
    _require_editor(locked, user)
    _check_parties(list(locked.parties.values_list("institution_id", flat=True)))
    locked.full_clean()
    route = list(locked.agreement_type.route.order_by("order"))
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
                    approver=route_step.approver,
                ),
                user=user,
            )
        _set_status(locked, Status.IN_REVIEW, user=user)
    _copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def approval_decide(*, step: ApprovalStep, user, approve: bool, comment: str = "") -> ApprovalStep:
    """Approve or reject one step of the current review round, in the route's order.

    Only the step's approver or the international office decides. A rejection needs the
    reasons as a comment; it returns the agreement to draft and drops the steps not reached.
    The last approval of the round approves the agreement.
    """
    agreement = _lock(step.agreement_id)
    _check_action(agreement, "decide")
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
    if not (user.is_office or (user.is_active and user.pk == locked_step.approver_id)):
        raise PermissionDenied(_("Only the step's approver or the international office decides."))
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
    _copy_state(source=locked_step, target=step)
    return locked_step


# --- Signing -------------------------------------------------------------------------------------


@transaction.atomic
def agreement_start_signing(*, agreement: Agreement, user) -> Agreement:
    """Send an approved agreement to the parties for signature."""
    locked = _lock(agreement)
    _check_action(locked, "start_signing")
    _require_editor(locked, user)
    locked.signing_started_on = _today()
    _set_status(locked, Status.SIGNING, user=user)
    _copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def signature_record(
    *,
    party: AgreementParty,
    user,
    signed_on: datetime.date,
    place: str = "",
    method: str = SignatureMethod.INK,
    signatory_name: str = "",
    signatory_position: str = "",
) -> Signature:
    """Record one party's signature; the last one puts the agreement in force when it is due.

    An agreement without an effective date comes into force on the day of its last
    signature. One with a later effective date stays in signing until :func:`activate_due`
    moves it on that day.
    """
    agreement = _lock(party.agreement_id)
    _check_action(agreement, "sign")
    _require_editor(agreement, user)
    if Signature.objects.filter(party=party).exists():
        raise ValidationError(
            _("%(institution)s has already signed."),
            code="signed",
            params={"institution": party.institution.display_name},
        )
    today = _today()
    if signed_on > today:
        raise ValidationError(
            {"signed_on": _("A signature cannot be dated in the future.")}, code="future"
        )
    if not signatory_name and party.signatory_id:
        signatory_name = str(party.signatory)
    signature = save_record(
        instance=Signature(
            party=party,
            signed_on=signed_on,
            place=place,
            method=method,
            signatory_name=signatory_name,
            signatory_position=signatory_position or party.signatory_position,
            recorded_by=user,
        ),
        user=user,
    )
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


# --- The daily job -------------------------------------------------------------------------------


@transaction.atomic
def activate_due(*, today: datetime.date | None = None, user=None) -> dict[str, int]:
    """The daily job: put due agreements in force and end the ones whose time has come.

    - signing, every party signed, effective date reached → active (a renewed predecessor
      still active becomes superseded);
    - active with a termination date reached → terminated;
    - active without automatic renewal, past its expiry date → expired.

    Running it twice changes nothing the second time. ``user`` is None for the scheduled
    job (the audit entries then name no one). An agreement that fails validation is logged
    and left as it is, so it cannot hold up the others.
    """
    today = today or _today()
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
            yield _lock(pk)
    except ValidationError as error:
        logger.warning("Agreement %s left unchanged by the daily job: %s", pk, error)
        counts["failed"] += 1


@transaction.atomic
def agreement_expire(
    *, agreement: Agreement, user, today: datetime.date | None = None
) -> Agreement:
    """Mark an active agreement without automatic renewal expired once its expiry has passed."""
    today = today or _today()
    locked = _lock(agreement)
    _check_action(locked, "expire")
    _require_editor(locked, user)
    if locked.expiry_date is None or locked.renewal_years or locked.expiry_date >= today:
        raise ValidationError(
            _("This agreement has not reached its end: it is in force until %(end)s."),
            code="not_due",
            params={"end": _end_label(locked, today)},
        )
    _set_status(locked, Status.EXPIRED, user=user)
    _copy_state(source=locked, target=agreement)
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
    user,
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
    locked = _lock(agreement)
    _check_action(locked, "terminate")
    _require_editor(locked, user)
    if locked.terminated_on is not None:
        raise ValidationError(
            _("A termination is already recorded: it takes effect on %(date)s."),
            code="already_terminated",
            params={"date": locked.terminated_on.isoformat()},
        )
    today = _today()
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
    _copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def agreement_renew(
    *,
    agreement: Agreement,
    user,
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
    locked = _lock(agreement)
    _check_action(locked, "renew")
    _require_editor(locked, user)
    if Agreement.objects.filter(predecessor=locked).exists():
        raise ValidationError(_("This agreement has already been renewed."), code="already_renewed")
    successor = Agreement(
        **{name: getattr(locked, name) for name in RENEWAL_COPIED_FIELDS},
        predecessor=locked,
        effective_date=effective_date,
        expiry_date=expiry_date,
    )
    successor.full_clean(exclude=["reference"])
    successor.reference = next_reference(agreement_type=locked.agreement_type, year=_today().year)
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


# --- Changes of a draft, its parties and its conditions ----------------------------------------


def agreement_changeable_fields(agreement: Agreement) -> frozenset[str]:
    """The fields of the edit page the agreement's status lets anyone change."""
    if agreement.status in ACTIONS["change_terms"][0]:
        return DRAFT_ONLY_FIELDS | ANY_TIME_FIELDS
    return ANY_TIME_FIELDS


def _differs(stored, value) -> bool:
    """Whether a value changes the stored one (lists in any order)."""
    if isinstance(value, list | tuple):
        return sorted(map(str, value)) != sorted(map(str, stored or []))
    return value != stored


def _agreement_errors(agreement: Agreement, values: dict, user) -> dict[str, list]:
    """The edit page's rules: an active type, a visible umbrella without cycles, date order."""
    errors: dict[str, list] = {}
    kind = values.get("agreement_type")
    if kind is not None and not kind.is_active and kind.pk != agreement.agreement_type_id:
        errors["agreement_type"] = [not_allowed(kind)]
    parent = values.get("parent")
    if parent is not None:
        if (
            parent.pk == agreement.pk
            or not Agreement.objects.visible_to(user).filter(pk=parent.pk).exists()
        ):
            errors["parent"] = [not_allowed(parent)]
        else:
            ancestor, seen = parent, set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == agreement.pk:
                    errors["parent"] = [
                        ValidationError(
                            _(
                                "An agreement cannot be under itself or under one of its own "
                                "agreements."
                            ),
                            code="cycle",
                        )
                    ]
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
    effective, expiry = agreement.effective_date, agreement.expiry_date
    if effective and expiry and expiry <= effective:
        # at the field rather than as the model constraint's message about the whole record
        errors["expiry_date"] = [_("The expiry date must come after the effective date.")]
    return errors


@transaction.atomic
def agreement_update(
    *, agreement: Agreement, user, values: dict[str, Any], expected_updated=None
) -> Agreement:
    """Change the named fields of an agreement, as its edit page does, under a row lock.

    After the draft only the internal fields change: a term sent with another value than the
    stored one is refused at its field (its stored value is accepted, so a client may send
    back what it read). Responsible people the user cannot see stay responsible.
    """
    locked = lock_record(agreement, expected_updated=expected_updated)
    if not is_editable(locked, user):
        raise PermissionDenied(_("You may read this record but not change it."))
    changeable = agreement_changeable_fields(locked)
    values = dict(values)
    refused = [
        name
        for name, value in values.items()
        if name not in changeable and _differs(getattr(locked, name), value)
    ]
    if refused:
        error = TransitionError(status=locked.status, action="change_terms")
        raise ValidationError({name: [error.messages[0]] for name in refused})
    values = {name: value for name, value in values.items() if name in changeable}
    m2m = {}
    if "responsible_people" in values:
        hidden = locked.responsible_people.exclude(
            pk__in=Person.objects.visible_to(user).values("pk")
        )
        m2m["responsible_people"] = [*values.pop("responsible_people"), *hidden]
    for name, value in values.items():
        setattr(locked, name, value)
    errors = _agreement_errors(locked, values, user)
    write_record(instance=locked, user=user, m2m=m2m, errors=errors)
    _copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def agreement_delete(*, agreement: Agreement, user) -> None:
    """Delete a draft (its parties and conditions go with it); a reference is never reused.

    Agreements past the draft stage are part of the record: they expire or are terminated.
    An umbrella with agreements under it is kept (``ProtectedError``).
    """
    locked = _lock(agreement)
    _check_action(locked, "delete")
    _require_editor(locked, user)
    delete_record(instance=locked, user=user)


def _check_version(model: type[Model], pk: int, expected: datetime.datetime | None) -> None:
    """Raise EditConflict when the row changed since the user's form was built."""
    if expected is None:
        return
    current = model._base_manager.select_for_update().get(pk=pk)
    if current.updated != expected:
        raise EditConflict(current)


@transaction.atomic
def party_update(
    *,
    party: AgreementParty,
    user,
    units: Iterable[OrganizationalUnit],
    signatory: Person | None,
    signatory_position: str = "",
    expected_updated: datetime.datetime | None = None,
) -> AgreementParty:
    """Change a party's units (draft only) and signatory (until that party has signed).

    A unit coordinator keeps one of their units among the home institution's units, or they
    could no longer change the agreement. ``expected_updated`` is the party's ``updated``
    timestamp the form was built from (:class:`EditConflict` when it changed).
    """
    agreement = _lock(party.agreement_id)
    _require_editor(agreement, user)
    _check_version(AgreementParty, party.pk, expected_updated)
    locked = AgreementParty.objects.select_related("institution").get(pk=party.pk)
    units = list(units)
    unit_ids = {unit.pk for unit in units}
    units_changed = unit_ids != set(locked.units.values_list("pk", flat=True))
    signatory_position = signatory_position.strip()
    signatory_changed = (signatory.pk if signatory else None) != locked.signatory_id or (
        signatory_position != locked.signatory_position
    )
    if not (units_changed or signatory_changed):
        return locked
    if units_changed:
        _check_action(agreement, "change_terms")
    if signatory_changed:
        _check_action(agreement, "change_signatory")
        if Signature.objects.filter(party=locked).exists():
            raise _field_error(
                "signatory",
                _("%(institution)s has already signed; the signatory cannot change."),
                code="signed",
                institution=locked.institution.display_name,
            )
    errors: dict[str, Any] = {}
    # the words of the API for a choice outside the party (the page's form refuses it first)
    if outside := [unit for unit in units if unit.institution_id != locked.institution_id]:
        errors["units"] = not_allowed(outside[0])
    if (
        signatory
        and signatory.pk != locked.signatory_id
        and signatory.institution_id != locked.institution_id
    ):
        errors["signatory"] = not_allowed(signatory)
    if (
        units_changed
        and not user.is_office
        and locked.institution.is_home
        and not unit_ids & user.unit_scope_ids
    ):
        errors["units"] = _(
            "Keep at least one of your own units, or you could no longer change this agreement."
        )
    if errors:
        raise ValidationError(errors)
    locked.signatory = signatory
    locked.signatory_position = signatory_position
    save_record(instance=locked, user=user, m2m={"units": units} if units_changed else None)
    _copy_state(source=locked, target=party)
    return locked


@transaction.atomic
def party_add(*, agreement: Agreement, user, institution: Institution) -> AgreementParty:
    """Add another institution to a draft (a multilateral agreement)."""
    locked = _lock(agreement)
    _check_action(locked, "change_terms")
    _require_editor(locked, user)
    if locked.parties.filter(institution=institution).exists():
        raise _field_error(
            "institution",
            _("%(institution)s is already a party to the agreement."),
            code="duplicate_party",
            institution=institution.display_name,
        )
    last = locked.parties.aggregate(last=Max("order"))["last"]
    return save_record(
        instance=AgreementParty(
            agreement=locked, institution=institution, order=0 if last is None else last + 1
        ),
        user=user,
    )


@transaction.atomic
def party_remove(*, party: AgreementParty, user) -> None:
    """Take a partner off a draft; the home institution and two parties always remain."""
    agreement = _lock(party.agreement_id)
    _check_action(agreement, "change_terms")
    _require_editor(agreement, user)
    institution = party.institution
    if institution.is_home:
        raise ValidationError(_("The home institution is always a party."), code="home_required")
    if agreement.parties.count() <= 2:
        raise ValidationError(_("An agreement needs at least two parties."), code="too_few_parties")
    named = agreement.conditions.filter(
        Q(sending_institution=institution) | Q(receiving_institution=institution)
    )
    if named.exists():
        raise ValidationError(
            _("Cooperation conditions name %(institution)s: change or delete them first."),
            code="in_conditions",
            params={"institution": institution.display_name},
        )
    delete_record(instance=party, user=user)


def check_conditions_allowed(agreement: Agreement) -> None:
    if not agreement.agreement_type.has_conditions:
        raise ValidationError(
            _("Agreements of the type “%(type)s” have no mobility conditions."),
            code="no_conditions",
            params={"type": agreement.agreement_type.display_name},
        )


def _validate_condition_choices(condition: CooperationCondition, agreement: Agreement) -> None:
    """Institutions and units of the condition are the parties' (and its fields valid).

    The page's form offers only these; here a choice outside them is refused in the API's
    words, with the fields' own errors, before the EWP rules (which assume sound fields).
    """
    party_ids = set(agreement.parties.values_list("institution_id", flat=True))
    errors: dict[str, list] = {}
    for name in ("sending_institution", "receiving_institution"):
        institution = getattr(condition, name) if getattr(condition, f"{name}_id") else None
        if institution is not None and institution.pk not in party_ids:
            errors[name] = [not_allowed(institution)]
    for name in ("sending_unit", "receiving_unit"):
        unit = getattr(condition, name) if getattr(condition, f"{name}_id") else None
        if unit is not None and unit.institution_id not in party_ids:
            errors[name] = [not_allowed(unit)]
    try:
        condition.clean_fields(exclude=[*errors, "agreement"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def condition_save(
    *,
    agreement: Agreement,
    user,
    condition: CooperationCondition,
    subject_areas: Sequence[SubjectArea] = (),
    language_requirements: Sequence[LanguageRequirement] = (),
    expected_updated: datetime.datetime | None = None,
) -> CooperationCondition:
    """Create or change a draft's cooperation condition with its subject areas and languages.

    Validated as a whole by :func:`unibridge.agreements.conditions.validate_condition` (errors
    of rows are named ``subject_areas-0-isced_code`` and so on, by position in the lists
    given). The rows replace the condition's current ones, in the order given.
    """
    from .conditions import validate_condition  # conditions imports the models module

    locked = _lock(agreement)
    _check_action(locked, "change_terms")
    _require_editor(locked, user)
    check_conditions_allowed(locked)
    if condition.pk is not None:
        if condition.agreement_id != locked.pk:
            raise ValueError("The condition belongs to another agreement.")
        _check_version(CooperationCondition, condition.pk, expected_updated)
    else:
        last = locked.conditions.aggregate(last=Max("order"))["last"]
        condition.order = 0 if last is None else last + 1
    condition.agreement = locked
    subject_areas, language_requirements = list(subject_areas), list(language_requirements)
    _validate_condition_choices(condition, locked)
    validate_condition(condition, subject_areas, language_requirements)
    save_record(instance=condition, user=user)
    with acting_as(user):
        condition.subject_areas.all().delete()
        condition.language_requirements.all().delete()
        rows = [*enumerate(subject_areas), *enumerate(language_requirements)]
        for order, row in rows:
            row.pk = None
            row._state.adding = True
            row.condition = condition
            row.order = order
            row.full_clean()
            row.save()
    return condition


@transaction.atomic
def condition_delete(*, condition: CooperationCondition, user) -> None:
    """Delete a draft's cooperation condition."""
    agreement = _lock(condition.agreement_id)
    _check_action(agreement, "change_terms")
    _require_editor(agreement, user)
    delete_record(instance=condition, user=user)
