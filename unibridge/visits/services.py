"""Writes of the visits' core pages: the visit, its status, participants, checklist, agreements.

Every function is atomic, checks the user's right and the visit's state before writing, and
saves through :func:`unibridge.core.services.save_record` (or inside ``acting_as``), so the
audit trail names the user. The status goes::

    planned → confirmed → ongoing → completed
    planned | confirmed | ongoing → cancelled (with a reason)

An action the current status does not allow raises :class:`TransitionError` (a 409 page) and
writes nothing.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement, AgreementParty
from unibridge.core import translations
from unibridge.core.permissions import is_editable
from unibridge.core.services import (
    REQUIRED,
    acting_as,
    delete_record,
    lock_record,
    not_allowed,
    save_record,
    validate_record,
    write_record,
)
from unibridge.core.visibility import hidden_records
from unibridge.core.widgets import country_choices
from unibridge.institutions.models import Institution, OrganizationalUnit, Person
from unibridge.meetings import services as meeting_services

from .choices import DelegationRole, Direction, ParticipantSide, VisitStatus
from .models import (
    ChecklistItem,
    ChecklistTemplateItem,
    NewsDraft,
    Visit,
    VisitParticipant,
)
from .news import news_language_available, paragraphs, render_news
from .publication_services import before_text_change

Status = VisitStatus

# action: (the statuses it is allowed from, the status it leads to, its name in messages)
TRANSITIONS: dict[str, tuple[frozenset[str], str, Any]] = {
    "confirm": (frozenset({Status.PLANNED}), Status.CONFIRMED, _("Confirming the visit")),
    "start": (frozenset({Status.CONFIRMED}), Status.ONGOING, _("Starting the visit")),
    "complete": (frozenset({Status.ONGOING}), Status.COMPLETED, _("Completing the visit")),
    "cancel": (
        frozenset({Status.PLANNED, Status.CONFIRMED, Status.ONGOING}),
        Status.CANCELLED,
        _("Cancelling the visit"),
    ),
}
# a visit that took place (or is under way) is part of the record: it is cancelled, not deleted
DELETABLE = frozenset({Status.PLANNED, Status.CANCELLED})
LAST_DAY_BEFORE_FIRST = _("The last day cannot come before the first day.")
READ_ONLY = _("You may read this record but not change it.")
Errors = dict[str, list[Any]]


def _merge(errors: Errors, error: ValidationError) -> None:
    """Add a rule's ValidationError to the errors found so far, field by field."""
    found = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: [error]}
    for name, messages in found.items():
        errors.setdefault(name, []).extend(messages)


def _locked_editable(record: Any, user, expected_updated) -> Any:
    """The record as stored now, locked; checked again under the lock (it may have moved)."""
    current = lock_record(record, expected_updated=expected_updated)
    if not is_editable(current, user):
        raise PermissionDenied(READ_ONLY)
    return current


class TransitionError(ValidationError):
    """The visit's current status does not allow the action."""

    def __init__(self, *, status: str, action: str):
        self.status = status
        self.action = action
        label = TRANSITIONS[action][2] if action in TRANSITIONS else _("Deleting the visit")
        super().__init__(
            _("%(action)s is not possible while the visit is “%(status)s”."),
            code="invalid_transition",
            params={"action": label, "status": Status(status).label},
        )


# --- Helpers -------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def home_institution() -> Institution:
    """The home university; a clear error when nobody has marked it yet."""
    home = Institution.objects.filter(is_home=True).first()
    if home is None:
        raise ValidationError(
            _("No home institution is recorded; mark it in the directory first."), code="no_home"
        )
    return home


def require_editor(visit: Visit, user) -> None:
    """PermissionDenied unless the user may change the visit (office, its units' coordinators)."""
    if not Visit.objects.editable_by(user).filter(pk=visit.pk).exists():
        raise PermissionDenied(_("You may not change this visit."))


def _lock(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().get(pk=visit.pk)


def assign_sides(visit: Visit, *, direction: str, partner: Institution, home: Institution) -> None:
    """Incoming: the partner visits the home institution; outgoing: the reverse."""
    if partner.pk == home.pk:
        raise ValidationError(
            {"partner": _("The partner cannot be the home institution itself.")},
            code="partner_is_home",
        )
    visit.direction = direction
    if direction == Direction.INCOMING:
        visit.visiting_institution, visit.host_institution = partner, home
    else:
        visit.visiting_institution, visit.host_institution = home, partner


def visit_rule_errors(
    visit: Visit, *, home_units: Iterable[OrganizationalUnit], user
) -> dict[str, Any]:
    """What the visit's writes refuse beyond the edit page's choices, by field: the host
    unit's institution, units of the home institution, one of the user's own units."""
    errors: dict[str, Any] = {}
    unit = visit.host_unit
    if unit is not None and unit.institution_id != visit.host_institution_id:
        errors["host_unit"] = ValidationError(
            _("The host unit must belong to the host institution (%(host)s)."),
            code="host_unit_elsewhere",
            params={"host": visit.host_institution.display_name},
        )
    units = list(home_units)
    home_id = (
        visit.host_institution_id
        if visit.direction == Direction.INCOMING
        else (visit.visiting_institution_id)
    )
    if any(u.institution_id != home_id for u in units):
        errors["home_units"] = ValidationError(
            _("Home units must be units of the home institution."), code="not_home_unit"
        )
    if not user.is_office and not any(u.pk in user.unit_scope_ids for u in units):
        errors["home_units"] = ValidationError(
            _("Include at least one of your own units, or you could not change the visit later."),
            code="outside_scope",
        )
    return errors


# --- The visit -----------------------------------------------------------------------------------


def checklist_generate(*, visit: Visit, language: str | None = None) -> list[ChecklistItem]:
    """The visit's checklist from the active template items of its direction.

    A checklist item keeps one name: it is written in the language of the person creating
    the visit (``name_<language>``, else the template's ``name``).
    """
    language = (language or get_language() or "en")[:2]
    items = []
    templates = ChecklistTemplateItem.objects.filter(direction=visit.direction, is_active=True)
    for template in templates.order_by("order", "pk"):
        name = getattr(template, f"name_{language}", "") or template.name
        items.append(
            ChecklistItem(
                visit=visit,
                name=name,
                order=template.order,
                owner_id=template.default_owner_id,
                due_on=visit.start_date - datetime.timedelta(days=template.days_before_start),
            )
        )
    return ChecklistItem.objects.bulk_create(items)


def _unit_choice_errors(
    visit: Visit, partner: Institution | None, units: list[OrganizationalUnit], user
) -> Errors:
    """The choices the edit page offers: host units of either side, home units of home."""
    errors: Errors = {}
    unit = visit.host_unit
    partner_id = partner.pk if partner is not None else None
    if unit is not None and not (unit.institution.is_home or unit.institution_id == partner_id):
        errors["host_unit"] = [not_allowed(unit)]
    home = set(OrganizationalUnit.objects.of_home().values_list("pk", flat=True))
    outside = [u for u in units if u.pk not in home]
    if outside:
        errors["home_units"] = [not_allowed(outside[0])]
    elif not units and not user.is_office:
        errors["home_units"] = [REQUIRED]
    return errors


def _write_visit(visit: Visit, user, values: Mapping[str, Any]) -> Visit:
    """Apply the named values, check every rule of the edit page and save with the sets named.

    Raises one ValidationError of all the refused fields (the model's rules included).
    """
    values = dict(values)
    is_new = visit.pk is None
    partner = values.pop("partner", None) or (None if is_new else visit.partner)
    direction = values.pop("direction", visit.direction)
    named_units = values.pop("home_units", None)
    named_people = values.pop("responsible_people", None)
    translation_errors = translations.take_from(visit, values)
    for name, value in values.items():
        setattr(visit, name, value)
    units = list(named_units) if named_units is not None else []
    if named_units is None and not is_new:
        units = list(visit.home_units.all())
    errors = _unit_choice_errors(visit, partner, units, user)
    errors.update(translation_errors)
    if "time_zone" in values and not visit.time_zone:
        errors["time_zone"] = [REQUIRED]
    if visit.start_date and visit.end_date and visit.end_date < visit.start_date:
        errors["end_date"] = [LAST_DAY_BEFORE_FIRST]
    unchecked: tuple[str, ...] = ()
    try:
        if partner is not None:
            assign_sides(visit, direction=direction, partner=partner, home=home_institution())
        if "host_unit" in errors:
            visit.host_unit = None  # refused: not checked again
        checked_units = [] if "home_units" in errors else units
        rules = visit_rule_errors(visit, home_units=checked_units, user=user)
        _merge(errors, ValidationError(rules))
    except ValidationError as error:
        _merge(errors, error)
        unchecked = ("visiting_institution", "host_institution")
    m2m: dict[str, list] = {}
    if is_new or named_units is not None:
        m2m["home_units"] = units
    if is_new or named_people is not None:
        people = list(named_people or [])
        if not is_new:
            people += hidden_records(visit.responsible_people.all(), user)
        m2m["responsible_people"] = people
    errors = {name: messages for name, messages in errors.items() if messages}
    write_record(instance=visit, user=user, m2m=m2m, errors=errors, exclude=unchecked)
    return visit


@transaction.atomic
def visit_plan(*, user, values: Mapping[str, Any]) -> Visit:
    """A new planned visit from named values (the API's), with its logistics checklist.

    The direction and the partner decide who visits and who hosts; the rules are the edit
    page's, checked all at once.
    """
    if not user.can_write:
        raise PermissionDenied(_("You may not create visits."))
    visit = _write_visit(Visit(status=Status.PLANNED), user, values)
    checklist_generate(visit=visit)
    return visit


@transaction.atomic
def visit_change(
    *,
    visit: Visit,
    user,
    values: Mapping[str, Any],
    expected_updated: datetime.datetime | None = None,
) -> Visit:
    """Change the named fields of a visit under a lock on its row; its meetings follow."""
    current = _locked_editable(visit, user, expected_updated)
    current = _write_visit(current, user, values)
    meeting_services.sync_visit_meetings(visit=current, user=user)
    return current


@transaction.atomic
def visit_delete(*, visit: Visit, user) -> None:
    """Delete a planned or cancelled visit that has no meetings; anything else stays on record."""
    require_editor(visit, user)
    visit = _lock(visit)
    if visit.status not in DELETABLE:
        raise TransitionError(status=visit.status, action="delete")
    if visit.meetings.exists():
        raise ValidationError(
            _("This visit has meetings with minutes; delete them first, or cancel the visit."),
            code="has_meetings",
        )
    delete_record(instance=visit, user=user)


@transaction.atomic
def visit_transition(*, visit: Visit, user, action: str, reason: str = "") -> Visit:
    """Move the visit along its status; cancelling needs a reason."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown visit action {action!r}")
    require_editor(visit, user)
    current = _lock(visit)
    allowed, target, _label = TRANSITIONS[action]
    if current.status not in allowed:
        raise TransitionError(status=current.status, action=action)
    if action == "cancel":
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(
                {"reason": _("Say why the visit is cancelled.")}, code="reason_required"
            )
        current.cancellation_reason = reason
    current.status = target
    save_record(instance=current, user=user)
    visit.status, visit.cancellation_reason = current.status, current.cancellation_reason
    visit.updated = current.updated
    return visit


def linkable_agreements(visit: Visit, user):
    """Agreements the user sees whose parties include the visit's partner."""
    return (
        Agreement.objects.visible_to(user)
        .filter(
            pk__in=AgreementParty.objects.filter(institution_id=visit.partner.pk).values(
                "agreement_id"
            )
        )
        .order_by("reference")
    )


@transaction.atomic
def visit_link_agreement(*, visit: Visit, user, agreement: Agreement) -> None:
    """Record that the agreement was signed during the visit."""
    require_editor(visit, user)
    if not linkable_agreements(visit, user).filter(pk=agreement.pk).exists():
        raise ValidationError(
            {"agreement": _("Only an agreement with the visit's partner among its parties.")},
            code="not_partner_agreement",
        )
    with acting_as(user):
        visit.agreements.add(agreement)


@transaction.atomic
def visit_unlink_agreement(*, visit: Visit, user, agreement: Agreement) -> None:
    require_editor(visit, user)
    with acting_as(user):
        visit.agreements.remove(agreement)


# --- Participants --------------------------------------------------------------------------------

PERSON_FIELDS = ("name_native", "name_latin", "position", "email")
VISA_FIELDS = ("nationality", "passport_number")
VISA_DETAILS_MESSAGE = _(
    "A visa invitation letter needs the member's nationality and passport number."
)
PERSON_OR_NEW = _("Choose a person, or fill in the name of a new one.")
PERSON_AND_NEW = _("Either choose a person or type a new one, not both.")
DELEGATION_ONLY = ("role", "needs_visa_invitation", "nationality", "passport_number",
                   "date_of_birth")  # fmt: skip


def nationality_code(value: str) -> str:
    """A nationality as stored: an upper-case country code of the list (or empty)."""
    value = (value or "").upper()
    if value and value not in dict(country_choices()):
        raise ValidationError(_("Choose a country from the list."), code="invalid_country")
    return value


def _participant_errors(participant: VisitParticipant) -> dict[str, Any]:
    """What a participant's writes refuse, by field (it settles a home participant)."""
    errors: dict[str, Any] = {}
    if participant.side == ParticipantSide.DELEGATION and participant.needs_visa_invitation:
        for name in VISA_FIELDS:
            if not getattr(participant, name):
                errors[name] = ValidationError(
                    VISA_DETAILS_MESSAGE,
                    code="visa_details_missing",
                )
    if participant.side == ParticipantSide.DELEGATION and participant.role == DelegationRole.HEAD:
        heads = VisitParticipant.objects.filter(
            visit_id=participant.visit_id,
            side=ParticipantSide.DELEGATION,
            role=DelegationRole.HEAD,
        ).exclude(pk=participant.pk or 0)
        head = heads.select_related("person").first()
        if head is not None:
            errors["role"] = ValidationError(
                _("%(person)s already heads the delegation; a delegation has one head."),
                code="second_head",
                params={"person": head.person},
            )
    if participant.side == ParticipantSide.HOME:
        # these belong to delegation members only
        participant.role = DelegationRole.MEMBER
        participant.needs_visa_invitation = False
    return errors


@transaction.atomic
def participant_remove(*, participant: VisitParticipant, user) -> None:
    require_editor(participant.visit, user)
    delete_record(instance=participant, user=user)


def _offered(person: Person | None, source: int | None, stored: int | None) -> bool:
    """The participant form's choice: people of the side's institution, or the one chosen."""
    return person is None or person.institution_id == source or person.pk == stored


def _apply_participant(participant: VisitParticipant, values: Mapping[str, Any]) -> Errors:
    """Set the named values, as the participant form takes them; answer what it refuses."""
    if participant.side == ParticipantSide.HOME:
        # the page does not offer these for home participants; here they are refused
        refused = [name for name in DELEGATION_ONLY if name in values]
        if refused:
            message = _("Only delegation members have this.")
            raise ValidationError({name: [message] for name in refused})
    visit = participant.visit
    source = (
        visit.visiting_institution_id
        if participant.side == ParticipantSide.DELEGATION
        else visit.host_institution_id
    )
    values = dict(values)
    errors: Errors = translations.take_from(participant, values)
    stored_person = participant.person_id
    for name, value in values.items():
        if name == "person" and not _offered(value, source, stored_person):
            errors["person"] = [not_allowed(value)]
            participant.person = None
            continue
        if name == "nationality":
            try:
                value = nationality_code(value)
            except ValidationError as error:
                errors["nationality"] = error.messages
                continue
        setattr(participant, name, value)
    return errors


def _new_person(visit: Visit, values: Mapping[str, Any]) -> tuple[Person | None, Errors]:
    """The person to create with a participant, and what is wrong with them (``new_person.``)."""
    name = (values.get("name_native") or "").strip()
    institution = values.get("institution") or visit.visiting_institution
    person = Person(
        name_native=name,
        name_latin=(values.get("name_latin") or "").strip(),
        institution=institution,
        position=values.get("position") or "",
        email=values.get("email") or "",
    )
    errors: Errors = {}
    if institution.pk not in (visit.visiting_institution_id, visit.host_institution_id):
        errors["new_person.institution"] = [not_allowed(institution)]
    exclude = [*(["institution"] if errors else []), *([] if name else ["name_native"])]
    try:
        person.full_clean(exclude=exclude or None)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            known = field in PERSON_FIELDS or field == "institution"
            errors.setdefault(f"new_person.{field}" if known else "person", []).extend(messages)
    return (person if name else None), errors


@transaction.atomic
def participant_create(
    *,
    visit: Visit,
    user,
    side: str,
    values: Mapping[str, Any],
    new_person: Mapping[str, Any] | None = None,
) -> VisitParticipant:
    """Add a participant from named values (the API's): a person of the directory (of the
    visiting institution for the delegation, of the host for home participants), or a new
    person (``new_person``, whose errors are named ``new_person.<field>``), not both."""
    require_editor(visit, user)
    _lock(visit)  # two simultaneous "head of delegation" additions cannot both pass
    participant = VisitParticipant(visit=visit, side=side)
    errors = _apply_participant(participant, values)
    person, person_errors = _new_person(visit, new_person or {})
    if "new_person.name_native" in person_errors:
        person = None  # as a name the form refused: no new person typed in
    errors.update(person_errors)
    if participant.person_id is not None and person is not None:
        errors.setdefault("new_person.name_native", []).append(PERSON_AND_NEW)
    elif participant.person_id is None and person is None:
        errors.setdefault("person", []).append(PERSON_OR_NEW)
    _merge(errors, ValidationError(_participant_errors(participant)))
    errors = {name: messages for name, messages in errors.items() if messages}
    if person is not None:
        # the participant's own rules are reported with the new person's, before either is saved
        validate_record(participant, errors=errors, exclude=("person",))
        save_record(instance=person, user=user)
        participant.person = person
    last = visit.participants.filter(side=side).order_by("-order").first()
    participant.order = (last.order + 1) if last else 1
    return write_record(instance=participant, user=user, errors=errors)


@transaction.atomic
def participant_change(
    *,
    participant: VisitParticipant,
    user,
    values: Mapping[str, Any],
    expected_updated: datetime.datetime | None = None,
) -> VisitParticipant:
    """Change the named fields of a participant, under a lock on the visit and on its row."""
    require_editor(participant.visit, user)
    visit = _lock(participant.visit)
    current = lock_record(participant, expected_updated=expected_updated)
    assert isinstance(current, VisitParticipant)
    current.visit = visit
    errors = _apply_participant(current, values)
    _merge(errors, ValidationError(_participant_errors(current)))
    errors = {name: messages for name, messages in errors.items() if messages}
    return write_record(instance=current, user=user, errors=errors)


# --- The logistics checklist ---------------------------------------------------------------------


def can_tick(item: ChecklistItem, user) -> bool:
    """Editors of the visit, and the item's owner (who does the task), may mark it done."""
    if item.owner_id is not None and item.owner_id == user.pk and user.is_active:
        return True
    return Visit.objects.editable_by(user).filter(pk=item.visit_id).exists()


@transaction.atomic
def checklist_item_save(
    *, item: ChecklistItem, user, expected_updated: datetime.datetime | None = None
) -> ChecklistItem:
    require_editor(item.visit, user)
    if item.pk is None and item.order == 0:
        last = item.visit.checklist.order_by("-order").first()
        item.order = (last.order + 1) if last else 1
    _stamp_done(item)
    return save_record(instance=item, user=user, expected_updated=expected_updated)


def _stamp_done(item: ChecklistItem) -> None:
    if item.done and item.done_at is None:
        item.done_at = timezone.now()
    elif not item.done:
        item.done_at = None


@transaction.atomic
def checklist_item_toggle(*, item: ChecklistItem, user, done: bool) -> ChecklistItem:
    """Mark the task done (recording when) or not done again."""
    if not can_tick(item, user):
        raise PermissionDenied(_("You may not change this task."))
    current = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if current.done == done:
        return current  # a second click of the same button changes nothing
    current.done = done
    _stamp_done(current)
    save_record(instance=current, user=user)
    return current


@transaction.atomic
def checklist_item_delete(*, item: ChecklistItem, user) -> None:
    require_editor(item.visit, user)
    delete_record(instance=item, user=user)


# --- News draft ----------------------------------------------------------------------------------


class EditedDraftExists(Exception):
    """Generating would replace a draft someone edited by hand; ask before doing so."""

    def __init__(self, draft: NewsDraft):
        super().__init__(f"The {draft.language} news draft was edited by hand.")
        self.draft = draft


def require_completed(visit: Visit) -> None:
    if visit.status != VisitStatus.COMPLETED:
        raise ValidationError(
            _(
                "A news draft is generated from a completed visit; this visit is %(status)s. "
                "Mark it completed first."
            ),
            code="visit_not_completed",
            params={"status": visit.get_status_display().lower()},
        )


@transaction.atomic
def news_generate(*, visit: Visit, user, language: str, replace_edited: bool = False) -> NewsDraft:
    """Write (or rewrite) the visit's news draft in ``language`` from its record.

    Raises ValidationError for a visit that is not completed or a language without a
    template, and :class:`EditedDraftExists` when the draft was edited by hand and
    ``replace_edited`` is false (nothing is written then).
    """
    require_completed(visit)
    if not news_language_available(language):
        raise ValidationError(
            _("There is no news template in %(language)s."),
            code="no_news_template",
            params={"language": language},
        )
    draft = (
        NewsDraft.objects.select_for_update().filter(visit=visit, language=language).first()
    ) or NewsDraft(visit=visit, language=language)
    before_text_change(draft)  # a published text stays; an approved one needs approving again
    if draft.pk and draft.is_edited and not replace_edited:
        raise EditedDraftExists(draft)
    text = render_news(visit, language)
    draft.title, draft.lead, draft.body = text.title, text.lead, text.body
    draft.is_edited = False
    # A visit with nothing but its dates has a lead and no body; that is a valid draft.
    save_record(instance=draft, user=user, exclude_validation=() if draft.body else ("body",))
    return draft


@transaction.atomic
def news_update(
    *,
    draft: NewsDraft,
    user,
    title: str,
    lead: str,
    body: str,
    expected_updated: datetime.datetime | None = None,
) -> NewsDraft:
    """Save a hand-edited draft; it is then marked edited (EditConflict if saved meanwhile)."""
    before_text_change(draft)
    draft.title, draft.lead = title.strip(), lead.strip()
    draft.body = "\n\n".join(paragraphs(body))
    draft.is_edited = True
    return save_record(
        instance=draft,
        user=user,
        expected_updated=expected_updated,
        exclude_validation=() if draft.body else ("body",),
    )
