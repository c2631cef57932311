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
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement, AgreementParty
from unibridge.core.services import acting_as, delete_record, save_record
from unibridge.institutions.models import Institution, OrganizationalUnit, Person
from unibridge.meetings import services as meeting_services

from .choices import DelegationRole, Direction, ParticipantSide, VisitStatus
from .models import (
    ChecklistItem,
    ChecklistTemplateItem,
    NewsDraft,
    ProgrammeItem,
    Visit,
    VisitParticipant,
)
from .news import news_language_available, paragraphs, render_news
from .programme import end_before_start_message

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


def check_visit(visit: Visit, *, home_units: Iterable[OrganizationalUnit], user) -> None:
    """The rules a form cannot see alone: the host unit's institution, the user's own units."""
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
    if errors:
        raise ValidationError(errors)


# --- The visit -----------------------------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    user,
    visit: Visit,
    home_units: Iterable[OrganizationalUnit] = (),
    responsible_people: Iterable[Person] = (),
) -> Visit:
    """Save a new visit (its sides already assigned) and generate its logistics checklist."""
    if not user.can_write:
        raise PermissionDenied(_("You may not create visits."))
    if visit.pk:
        raise ValueError("visit_create takes a new visit")
    visit.status = Status.PLANNED
    home_units = list(home_units)
    check_visit(visit, home_units=home_units, user=user)
    save_record(
        instance=visit,
        user=user,
        m2m={"home_units": home_units, "responsible_people": list(responsible_people)},
    )
    checklist_generate(visit=visit)
    return visit


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


@transaction.atomic
def visit_update(
    *,
    visit: Visit,
    user,
    m2m: dict[str, Iterable] | None = None,
    expected_updated: datetime.datetime | None = None,
) -> Visit:
    """Save a changed visit (``m2m``: the sets to replace) and let its meetings follow its
    partner and confidentiality, as one change (EditConflict if saved meanwhile)."""
    save_record(instance=visit, user=user, m2m=m2m, expected_updated=expected_updated)
    meeting_services.sync_visit_meetings(visit=visit, user=user)
    return visit


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


def _check_participant(participant: VisitParticipant) -> None:
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
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def participant_add(
    *, visit: Visit, user, participant: VisitParticipant, new_person: dict | None = None
) -> VisitParticipant:
    """Add a delegation member or home participant; ``new_person`` creates the person too.

    The person and the participant are written together or not at all.
    """
    require_editor(visit, user)
    _lock(visit)  # two simultaneous "head of delegation" additions cannot both pass
    participant.visit = visit
    if new_person:
        person = Person(**new_person)
        if person.institution_id is None:
            person.institution = visit.visiting_institution
        try:
            save_record(instance=person, user=user)
        except ValidationError as error:
            raise ValidationError(
                {
                    name if name in PERSON_FIELDS or name == "institution" else "person": messages
                    for name, messages in error.message_dict.items()
                }
            ) from None
        participant.person = person
    if participant.person_id is None:
        raise ValidationError(
            {"person": _("Choose a person, or fill in the name of a new one.")},
            code="person_required",
        )
    if participant.order == 0:
        last = visit.participants.filter(side=participant.side).order_by("-order").first()
        participant.order = (last.order + 1) if last else 1
    _check_participant(participant)
    return save_record(instance=participant, user=user)


@transaction.atomic
def participant_update(
    *, participant: VisitParticipant, user, expected_updated: datetime.datetime | None = None
) -> VisitParticipant:
    require_editor(participant.visit, user)
    _lock(participant.visit)
    _check_participant(participant)
    return save_record(instance=participant, user=user, expected_updated=expected_updated)


@transaction.atomic
def participant_remove(*, participant: VisitParticipant, user) -> None:
    require_editor(participant.visit, user)
    delete_record(instance=participant, user=user)


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


# --- Programme -----------------------------------------------------------------------------------


@transaction.atomic
def programme_item_save(
    *,
    item: ProgrammeItem,
    user,
    participants: Iterable[Person] | None = None,
    expected_updated: datetime.datetime | None = None,
) -> ProgrammeItem:
    """Validate and save an item with its participants as one audited change.

    Raises ``ValidationError`` (end not after start, bad link…) and
    ``core.services.EditConflict`` (someone saved the item meanwhile); nothing is written then.
    Warnings are not errors: read them with :func:`.programme.item_warnings` afterwards.
    """
    if item.starts_at and item.ends_at and item.ends_at <= item.starts_at:
        raise ValidationError({"ends_at": end_before_start_message(item)}, code="end_before_start")
    m2m = {"participants": list(participants)} if participants is not None else None
    return save_record(instance=item, user=user, m2m=m2m, expected_updated=expected_updated)


@transaction.atomic
def programme_item_delete(*, item: ProgrammeItem, user) -> None:
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
    draft.title, draft.lead = title.strip(), lead.strip()
    draft.body = "\n\n".join(paragraphs(body))
    draft.is_edited = True
    return save_record(
        instance=draft,
        user=user,
        expected_updated=expected_updated,
        exclude_validation=() if draft.body else ("body",),
    )
