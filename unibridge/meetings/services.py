"""Writes for meetings, their decisions and action items (pages and API call these).

A meeting of a visit takes the visit's partner and confidentiality on every save (its home
units are the visit's: ``Meeting.objects.involving`` reads them through the visit), so its
visibility never drifts from the visit's. Minutes are sanitised before they are stored.
"""

import datetime
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement, AgreementParty
from unibridge.core import translations as translation_support
from unibridge.core.permissions import is_editable
from unibridge.core.services import (
    REQUIRED,
    acting_as,
    delete_record,
    lock_record,
    normalized_url,
    not_allowed,
    save_record,
    write_record,
)
from unibridge.core.visibility import hidden_records
from unibridge.core.zones import NOT_A_TIME_ZONE, home_today, is_time_zone
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.visits.models import Visit

from .choices import ActionItemStatus
from .models import ActionItem, Decision, Meeting
from .sanitize import sanitize_minutes

OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)
Errors = dict[str, list[Any]]

END_BEFORE_START = _("The end must come after the start.")
VISIT_TAKES_IT = _("A visit's meeting takes this from the visit.")
OUTSIDE_SCOPE = _("Include at least one of your own units, or you could not change it later.")
# the fields a visit's meeting takes from its visit
VISIT_FIELDS = ("partner", "home_units", "is_confidential")


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
def decision_add(
    *, meeting: Meeting, user, text: str, translations: dict | None = None
) -> Decision:
    """A new decision at the end of the meeting's list (``translations``: its text in other
    languages, ``{"text": {"ru": …}}``)."""
    _require_editable(meeting, user)
    text = _clean_text(text)
    with transaction.atomic():
        last = meeting.decisions.aggregate(last=Max("order"))["last"]
        decision = Decision(meeting=meeting, text=text, order=0 if last is None else last + 1)
        _translate(decision, translations)
        return save_record(instance=decision, user=user)


def _translate(record, changes: dict | None) -> None:
    if changes is not None:
        errors = translation_support.take_from(record, {"translations": changes})
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def decision_update(
    *, decision: Decision, user, text: str | None = None, translations: dict | None = None
) -> Decision:
    """Change a decision's text, or only the languages named in ``translations``."""
    _require_editable(decision.meeting, user)
    if text is not None:
        decision.text = _clean_text(text)
    _translate(decision, translations)
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
    """Done sets the completion day (once, a day of the home zone: ``core.zones``); any other
    status clears it."""
    if item.status == ActionItemStatus.DONE:
        item.completed_on = item.completed_on or today
    else:
        item.completed_on = None


def _agreement_errors(item: ActionItem, user) -> Errors:
    """An agreement newly named must be one of the meeting's partner (a stored one stays)."""
    changed = item.agreement_id is not None and item.agreement_id != _stored_agreement_id(item)
    if changed and not agreements_for(item.meeting, user).filter(pk=item.agreement_id).exists():
        return {"agreement": [not_allowed(item.agreement)]}
    return {}


def owner_candidates(meeting: Meeting):
    """The people who may own an action item of ``meeting``.

    The meeting's participants, and for a visit's meeting every participant of the visit
    (a follow-up is often done by a delegation member who missed that one meeting); the home
    institution's people (the office hands a task to a colleague who was not there); and
    everybody with an account (they follow their items on "My action items").
    """
    return Person.objects.filter(
        Q(pk__in=meeting.participants.values("pk"))
        | Q(pk__in=Person.objects.filter(visit_participations__visit_id=meeting.visit_id or 0))
        | Q(institution__is_home=True)
        | Q(user__isnull=False)
    )


def _owner_errors(item: ActionItem) -> Errors:
    """An owner newly named must be one of :func:`owner_candidates` (a stored one stays)."""
    if item.owner_id is None or item.owner_id == _stored(item, "owner_id"):
        return {}
    if owner_candidates(item.meeting).filter(pk=item.owner_id).exists():
        return {}
    error = ValidationError(
        _(
            "%(person)s cannot own this action item: choose a participant of the meeting or "
            "of its visit, or someone of the home institution."
        ),
        code="not_an_owner",
        params={"person": item.owner},
    )
    return {"owner": [error]}


def _item_errors(item: ActionItem, user) -> Errors:
    return {**_agreement_errors(item, user), **_owner_errors(item)}


def _stored(item: ActionItem, column: str) -> Any:
    """A column of an existing item as stored now (None for a new one)."""
    if item.pk is None:
        return None
    return ActionItem.objects.filter(pk=item.pk).values_list(column, flat=True).first()


def _stored_agreement_id(item: ActionItem) -> int | None:
    """The agreement an existing item names now (kept even if the partner changed since)."""
    return _stored(item, "agreement_id")


@transaction.atomic
def action_item_set_status(*, item: ActionItem, user, status: str) -> ActionItem:
    """Change only the status: the meeting's editors, or the item's owner themselves."""
    if not ActionItem.objects.editable_by(user).filter(pk=item.pk).exists():
        raise PermissionDenied
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")}, code="invalid_choice")
    item.status = status
    _apply_status(item, home_today())
    return save_record(instance=item, user=user)


@transaction.atomic
def action_item_delete(*, item: ActionItem, user) -> None:
    _require_editable(item.meeting, user)
    delete_record(instance=item, user=user)


def visible_default_partnership(meeting: Meeting, user) -> Partnership | None:
    """As the page offers it: the partnership with the meeting's partner, if the user sees it."""
    partnership = default_partnership(meeting)
    if partnership is None:
        return None
    if not Partnership.objects.visible_to(user).filter(pk=partnership.pk).exists():
        return None
    return partnership


@transaction.atomic
def action_item_create(*, meeting: Meeting, user, values: Mapping[str, Any]) -> ActionItem:
    """A new action item of ``meeting`` from named values (the API's; the partnership with
    the meeting's partner when none is named)."""
    if not is_editable(meeting, user):
        raise PermissionDenied(_("You may not add action items to this meeting."))
    item = ActionItem(meeting=meeting)
    values = dict(values)
    if "partnership" not in values:
        values["partnership"] = visible_default_partnership(meeting, user)
    errors = translation_support.take_from(item, values)
    for name, value in values.items():
        setattr(item, name, value)
    _apply_status(item, home_today())
    errors.update(_item_errors(item, user))
    return write_record(instance=item, user=user, errors=errors)


@transaction.atomic
def action_item_update(
    *,
    item: ActionItem,
    user,
    values: Mapping[str, Any],
    expected_updated: datetime.datetime | None = None,
) -> ActionItem:
    """Change the named fields of an action item, under a lock on its row.

    The meeting's editors change any field; its owner alone, only the status.
    """
    current = lock_record(item, expected_updated=expected_updated)
    assert isinstance(current, ActionItem)
    if not is_editable(current.meeting, user):
        if set(values) - {"status"}:
            raise PermissionDenied(
                _("As its owner you may change only the status; ask the meeting's editors.")
            )
        return action_item_set_status(
            item=current, user=user, status=values.get("status", current.status)
        )
    values = dict(values)
    errors = translation_support.take_from(current, values)
    for name, value in values.items():
        setattr(current, name, value)
    _apply_status(current, home_today())
    errors.update(_item_errors(current, user))
    return write_record(instance=current, user=user, errors=errors)


# --- Meetings from named values (the API) ---------------------------------------------------------


def wall_clock(value: datetime.datetime, zone: str) -> datetime.datetime:
    """A stored (aware) time as the naive wall-clock time of ``zone``."""
    return value.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def zone_aware(value: datetime.datetime, zone: str) -> datetime.datetime:
    """A wall-clock time of ``zone`` as an aware time; one skipped by a clock change is refused.

    In an hour repeated when the clocks go back, the first occurrence is taken.
    """
    tz = zoneinfo.ZoneInfo(zone)
    result = value.replace(tzinfo=tz)
    if result.astimezone(datetime.UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks are put forward then."),
            code="nonexistent_time",
            params={"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone},
        )
    return result


def time_zone_errors(zone: str) -> list:
    """The zone must be one of the IANA names, as the page's list of zones offers."""
    if not zone:
        return [REQUIRED]
    if not is_time_zone(zone):
        return [ValidationError(NOT_A_TIME_ZONE, code="invalid_choice", params={"value": zone})]
    return []


def _meeting_times(meeting: Meeting, values: Mapping[str, Any], stored_zone: str) -> Errors:
    """Set the meeting's start and end from the values, in its (new) zone.

    An instant with an offset is kept exactly; one without is a wall-clock time of the
    meeting's zone. A new zone alone keeps the wall-clock times, as the page does.
    """
    errors: Errors = {}
    zone = meeting.time_zone
    for name in ("starts_at", "ends_at"):
        if name in values:
            value = values[name]
        elif "time_zone" in values and getattr(meeting, name) is not None:
            value = wall_clock(getattr(meeting, name), stored_zone)
        else:
            continue
        if value is not None and value.utcoffset() is None:
            try:
                value = zone_aware(value, zone)
            except ValidationError as error:
                errors[name] = [error]
                continue
        setattr(meeting, name, value)
    if errors:
        return errors
    if meeting.ends_at is not None and meeting.starts_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = [END_BEFORE_START]
    return errors


def _home_unit_errors(units: list[OrganizationalUnit] | None, user) -> Errors:
    """A standalone meeting's units are the home institution's; a coordinator keeps one."""
    units = units or []
    home = OrganizationalUnit.objects.of_home().filter(pk__in=[u.pk for u in units])
    outside = [u for u in units if u.pk not in set(home.values_list("pk", flat=True))]
    if outside:
        return {"home_units": [not_allowed(outside[0])]}
    if user.is_office:
        return {}
    if not units:
        return {"home_units": [REQUIRED]}
    if not any(u.pk in user.unit_scope_ids for u in units):
        return {"home_units": [OUTSIDE_SCOPE]}
    return {}


def _write_meeting(
    meeting: Meeting, user, values: Mapping[str, Any], *, stored_zone: str
) -> Meeting:
    """Apply the named values to the meeting, check them with the model's rules and save."""
    if meeting.visit_id is not None:
        refused = [name for name in VISIT_FIELDS if name in values]
        if refused:
            raise ValidationError({name: [VISIT_TAKES_IT] for name in refused})
    unchecked: tuple[str, ...] = ()
    plain = {
        k: v
        for k, v in values.items()
        if k not in ("starts_at", "ends_at", "participants", "home_units")
    }
    errors: Errors = translation_support.take_from(meeting, plain)
    for name, value in plain.items():
        setattr(meeting, name, value)
    if "online_link" in values:
        try:
            meeting.online_link = normalized_url(meeting.online_link)
        except ValidationError as error:
            errors["online_link"] = error.messages
    if "time_zone" in values and (problems := time_zone_errors(meeting.time_zone)):
        errors["time_zone"] = problems
        unchecked = ("starts_at", "ends_at")  # their zone is unknown: they are not applied
    else:
        errors.update(_meeting_times(meeting, values, stored_zone))
    m2m: dict[str, list] = {}
    if meeting.visit_id is None and (meeting.pk is None or "home_units" in values):
        units = list(values.get("home_units") or [])
        errors.update(_home_unit_errors(units, user))
        m2m["home_units"] = units
    if meeting.pk is None or "participants" in values:
        people: list[Person] = list(values.get("participants") or [])
        if meeting.pk is not None:
            people += hidden_records(meeting.participants.all(), user)
        m2m["participants"] = list(dict.fromkeys(people))
    prepare_meeting(meeting)
    return write_record(instance=meeting, user=user, m2m=m2m, errors=errors, exclude=unchecked)


@transaction.atomic
def meeting_create(*, user, visit: Visit | None, values: Mapping[str, Any]) -> Meeting:
    """A new meeting of ``visit`` (with its partner and secrecy) or a standalone one."""
    if visit is not None and not is_editable(visit, user):
        raise PermissionDenied(_("You may not add meetings to this visit."))
    if visit is None and not user.can_write:
        raise PermissionDenied(_("You may not create this kind of record."))
    meeting = Meeting(visit=visit, time_zone=default_time_zone(visit))
    return _write_meeting(meeting, user, values, stored_zone=meeting.time_zone)


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    user,
    values: Mapping[str, Any],
    expected_updated: datetime.datetime | None = None,
) -> Meeting:
    """Change the named fields of a meeting, under a lock on its row."""
    current = lock_record(meeting, expected_updated=expected_updated)
    assert isinstance(current, Meeting)
    if not is_editable(current, user):
        raise PermissionDenied(_("You may read this record but not change it."))
    return _write_meeting(current, user, values, stored_zone=current.time_zone)
