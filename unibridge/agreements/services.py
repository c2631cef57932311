"""Writes of the agreements app: creation, changes of a draft, its parties and conditions.

Every function is atomic, checks the user's right and the agreement's status before writing,
and saves through :func:`unibridge.core.services.save_record`, so the audit trail names the
user. The lifecycle's transitions are in :mod:`.lifecycle_services`; the statuses are::

    draft → in review → approved → signing → active → expired | terminated | superseded

with a rejection in review returning the agreement to draft. An action the current status
does not allow raises :class:`TransitionError` and writes nothing.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unibridge.core import translations
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

from .choices import AgreementStatus
from .models import (
    Agreement,
    AgreementParty,
    AgreementType,
    CooperationCondition,
    LanguageRequirement,
    ReferenceCounter,
    Signature,
    SubjectArea,
)

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
        "translations",
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
    # the position in other languages: {"ru": …, "kk": …}
    position_translations: dict[str, str] | None = None


# --- Helpers -------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def lock_agreement(agreement: Agreement | int) -> Agreement:
    """The agreement's current row, locked until the end of the transaction."""
    pk = agreement if isinstance(agreement, int) else agreement.pk
    return Agreement.objects.select_for_update().get(pk=pk)


def check_action(agreement: Agreement, action: str) -> None:
    if agreement.status not in ACTIONS[action][0]:
        raise TransitionError(status=agreement.status, action=action)


def copy_state(*, source: Model, target: Model) -> None:
    """Bring the caller's instance up to date with the row the service locked and saved."""
    if target is source:
        return
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _field_error(field: str, message, *, code: str, **params: Any) -> ValidationError:
    """A field's error with its parameters (a dict of plain messages would drop them)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def require_editor(agreement: Agreement, user) -> None:
    if user.is_office:
        return
    if not Agreement.objects.editable_by(user).filter(pk=agreement.pk).exists():
        raise PermissionDenied(_("You may not change this agreement."))


def check_parties(institution_ids: Sequence[int]) -> None:
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
    check_parties([party.institution.pk for party in party_inputs])
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

    changes = fields.pop("translations", None)
    agreement = Agreement(agreement_type=agreement_type, title=title, **fields)
    if changes is not None and (
        errors := translations.take_from(agreement, {"translations": changes})
    ):
        raise ValidationError(errors)
    agreement.full_clean(exclude=["reference"])  # validate before a number is taken
    agreement.reference = next_reference(agreement_type=agreement_type, year=_today().year)
    save_record(instance=agreement, user=user, m2m={"responsible_people": list(responsible_people)})
    for order, party in enumerate(party_inputs):
        record = AgreementParty(
            agreement=agreement,
            institution=party.institution,
            signatory=party.signatory,
            signatory_position=party.signatory_position,
            order=order,
        )
        if party.position_translations:
            translations.apply_changes(record, {"signatory_position": party.position_translations})
        save_record(instance=record, user=user, m2m={"units": list(party.units)})
    return agreement


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
    translation_errors = translations.take_from(locked, values)
    for name, value in values.items():
        setattr(locked, name, value)
    errors = _agreement_errors(locked, values, user)
    errors.update(translation_errors)
    write_record(instance=locked, user=user, m2m=m2m, errors=errors)
    copy_state(source=locked, target=agreement)
    return locked


@transaction.atomic
def agreement_delete(*, agreement: Agreement, user) -> None:
    """Delete a draft (its parties and conditions go with it); a reference is never reused.

    Agreements past the draft stage are part of the record: they expire or are terminated.
    An umbrella with agreements under it is kept (``ProtectedError``).
    """
    locked = lock_agreement(agreement)
    check_action(locked, "delete")
    require_editor(locked, user)
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
    position_translations: dict[str, str] | None = None,
    expected_updated: datetime.datetime | None = None,
) -> AgreementParty:
    """Change a party's units (draft only) and signatory (until that party has signed).

    A unit coordinator keeps one of their units among the home institution's units, or they
    could no longer change the agreement. ``expected_updated`` is the party's ``updated``
    timestamp the form was built from (:class:`EditConflict` when it changed).
    """
    agreement = lock_agreement(party.agreement_id)
    require_editor(agreement, user)
    _check_version(AgreementParty, party.pk, expected_updated)
    locked = AgreementParty.objects.select_related("institution").get(pk=party.pk)
    units = list(units)
    unit_ids = {unit.pk for unit in units}
    units_changed = unit_ids != set(locked.units.values_list("pk", flat=True))
    signatory_position = signatory_position.strip()
    stored_translations = locked.translations
    if position_translations is not None:
        # only the languages named change; the others stay as they were
        translations.apply_changes(locked, {"signatory_position": position_translations})
    signatory_changed = (
        (signatory.pk if signatory else None) != locked.signatory_id
        or signatory_position != locked.signatory_position
        or locked.translations != stored_translations
    )
    if not (units_changed or signatory_changed):
        return locked
    if units_changed:
        check_action(agreement, "change_terms")
    if signatory_changed:
        check_action(agreement, "change_signatory")
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
    copy_state(source=locked, target=party)
    return locked


@transaction.atomic
def party_add(*, agreement: Agreement, user, institution: Institution) -> AgreementParty:
    """Add another institution to a draft (a multilateral agreement)."""
    locked = lock_agreement(agreement)
    check_action(locked, "change_terms")
    require_editor(locked, user)
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
    agreement = lock_agreement(party.agreement_id)
    check_action(agreement, "change_terms")
    require_editor(agreement, user)
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

    locked = lock_agreement(agreement)
    check_action(locked, "change_terms")
    require_editor(locked, user)
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
    agreement = lock_agreement(condition.agreement_id)
    check_action(agreement, "change_terms")
    require_editor(agreement, user)
    delete_record(instance=condition, user=user)
