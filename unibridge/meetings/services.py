"""Writes for meetings, their decisions and action items (pages and API call these).

A meeting of a visit takes the visit's partner and confidentiality on every save (its home
units are the visit's: ``Meeting.objects.involving`` reads them through the visit), so its
visibility never drifts from the visit's. Minutes are sanitised before they are stored.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement, AgreementParty
from unibridge.core.permissions import is_editable
from unibridge.core.services import acting_as, delete_record, save_record
from unibridge.institutions.models import Institution, Partnership
from unibridge.visits.models import Visit

from .choices import ActionItemStatus
from .models import ActionItem, Decision, Meeting
from .sanitize import sanitize_minutes

OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


# --- Meetings -------------------------------------------------------------------------------------


def default_time_zone(visit: Visit | None) -> str:
    """The zone a new meeting's times are typed in: the visit's (the host's), else the site's."""
    return visit.time_zone if visit is not None else settings.TIME_ZONE


def meeting_partner(meeting: Meeting) -> Institution | None:
    """The partner institution of a meeting (its visit's, for a meeting of a visit)."""
    if meeting.visit_id is not None:
        return meeting.visit.partner
    return meeting.partner


def apply_visit_fields(meeting: Meeting) -> None:
    """Give a visit's meeting the visit's partner and confidentiality (no save)."""
    if meeting.visit_id is None:
        return
    meeting.partner = meeting.visit.partner
    meeting.is_confidential = meeting.visit.is_confidential


def prepare_meeting(meeting: Meeting) -> None:
    """What every save of a meeting does first: clean the minutes, follow the visit."""
    meeting.minutes = sanitize_minutes(meeting.minutes)
    apply_visit_fields(meeting)


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    user,
    participants=None,
    home_units=None,
    expected_updated: datetime.datetime | None = None,
) -> Meeting:
    """Create or change a meeting (``EditConflict`` when someone saved it meanwhile)."""
    if meeting.pk is None:
        allowed = (
            is_editable(meeting.visit, user) if meeting.visit_id is not None else user.can_write
        )
    else:
        allowed = is_editable(meeting, user)
    if not allowed:
        raise PermissionDenied
    prepare_meeting(meeting)
    m2m = {}
    if participants is not None:
        m2m["participants"] = participants
    if home_units is not None and meeting.visit_id is None:
        m2m["home_units"] = home_units
    return save_record(instance=meeting, user=user, m2m=m2m, expected_updated=expected_updated)


@transaction.atomic
def sync_visit_meetings(*, visit: Visit, user) -> int:
    """After a visit's partner or confidentiality changed: its meetings follow (audited).

    Returns how many meetings changed. The visit's edit service should call this.
    """
    changed = 0
    with acting_as(user):
        # no select_related: PostgreSQL refuses FOR UPDATE on the nullable side of a join
        for meeting in visit.meetings.select_for_update():
            meeting.visit = visit
            before = (meeting.partner_id, meeting.is_confidential)
            apply_visit_fields(meeting)
            if (meeting.partner_id, meeting.is_confidential) != before:
                meeting.save(update_fields=["partner", "is_confidential", "updated"])
                changed += 1
    return changed


@transaction.atomic
def meeting_delete(*, meeting: Meeting, user) -> None:
    if not is_editable(meeting, user):
        raise PermissionDenied
    delete_record(instance=meeting, user=user)


# --- Decisions ------------------------------------------------------------------------------------


def _require_editable(meeting: Meeting, user) -> None:
    if not is_editable(meeting, user):
        raise PermissionDenied


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the decision.")}, code="required")
    return text


@transaction.atomic
def decision_add(*, meeting: Meeting, user, text: str) -> Decision:
    """A new decision at the end of the meeting's list."""
    _require_editable(meeting, user)
    text = _clean_text(text)
    with transaction.atomic():
        last = meeting.decisions.aggregate(last=Max("order"))["last"]
        decision = Decision(meeting=meeting, text=text, order=0 if last is None else last + 1)
        return save_record(instance=decision, user=user)


@transaction.atomic
def decision_update(*, decision: Decision, user, text: str) -> Decision:
    _require_editable(decision.meeting, user)
    decision.text = _clean_text(text)
    return save_record(instance=decision, user=user)


@transaction.atomic
def decision_delete(*, decision: Decision, user) -> None:
    _require_editable(decision.meeting, user)
    delete_record(instance=decision, user=user)


@transaction.atomic
def decision_move(*, decision: Decision, user, offset: int) -> None:
    """Move a decision one place up (-1) or down (+1); at either end nothing changes.

    Orders are renumbered 0, 1, 2… on the way, so gaps and ties from earlier edits vanish.
    """
    _require_editable(decision.meeting, user)
    if offset not in (-1, 1):
        raise ValidationError(_("A decision moves one place up or down."), code="invalid")
    decisions = list(
        Decision.objects.select_for_update().filter(meeting_id=decision.meeting_id)
        .order_by("order", "pk")
    )  # fmt: skip
    index = next(i for i, d in enumerate(decisions) if d.pk == decision.pk)
    target = index + offset
    if not 0 <= target < len(decisions):
        return
    decisions[index], decisions[target] = decisions[target], decisions[index]
    with acting_as(user):
        for order, item in enumerate(decisions):
            if item.order != order:
                item.order = order
                item.save(update_fields=["order", "updated"])


# --- Action items ---------------------------------------------------------------------------------


def default_partnership(meeting: Meeting) -> Partnership | None:
    """The partnership with the meeting's partner, if there is one."""
    partner = meeting_partner(meeting)
    if partner is None:
        return None
    return Partnership.objects.filter(partner=partner).first()


def agreements_for(meeting: Meeting, user):
    """Agreements an action item of this meeting may name: the partner's, visible to the user."""
    partner = meeting_partner(meeting)
    if partner is None:
        return Agreement.objects.none()
    parties = AgreementParty.objects.filter(institution=partner).values("agreement_id")
    return Agreement.objects.visible_to(user).filter(pk__in=parties)


def _apply_status(item: ActionItem, today: datetime.date) -> None:
    """Done sets the completion day (once); any other status clears it."""
    if item.status == ActionItemStatus.DONE:
        item.completed_on = item.completed_on or today
    else:
        item.completed_on = None


def _stored_agreement_id(item: ActionItem) -> int | None:
    """The agreement an existing item names now (kept even if the partner changed since)."""
    if item.pk is None:
        return None
    return ActionItem.objects.filter(pk=item.pk).values_list("agreement_id", flat=True).first()


@transaction.atomic
def action_item_save(
    *, item: ActionItem, user, expected_updated: datetime.datetime | None = None
) -> ActionItem:
    """Create or change an action item; needs the right to change its meeting."""
    _require_editable(item.meeting, user)
    changed = item.agreement_id is not None and item.agreement_id != _stored_agreement_id(item)
    if changed and not agreements_for(item.meeting, user).filter(pk=item.agreement_id).exists():
        raise ValidationError(
            {"agreement": _("Choose an agreement the meeting's partner is a party to.")},
            code="invalid_agreement",
        )
    _apply_status(item, timezone.localdate())
    return save_record(instance=item, user=user, expected_updated=expected_updated)


@transaction.atomic
def action_item_set_status(*, item: ActionItem, user, status: str) -> ActionItem:
    """Change only the status: the meeting's editors, or the item's owner themselves."""
    if not ActionItem.objects.editable_by(user).filter(pk=item.pk).exists():
        raise PermissionDenied
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")}, code="invalid_choice")
    item.status = status
    _apply_status(item, timezone.localdate())
    return save_record(instance=item, user=user)


@transaction.atomic
def action_item_delete(*, item: ActionItem, user) -> None:
    _require_editable(item.meeting, user)
    delete_record(instance=item, user=user)
