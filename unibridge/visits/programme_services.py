"""Writes of a visit's programme: items with their people, validated, atomic and audited.

The page (a day and two clock times in the host's zone) and the API (instants, or wall-clock
times of the visit's zone) call these. Warnings are not errors: read them with
:func:`.programme.item_warnings` after saving.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from unibridge.core import translations
from unibridge.core.services import (
    delete_record,
    lock_record,
    normalized_url,
    write_record,
)
from unibridge.core.visibility import hidden_records

from .models import ProgrammeItem, Visit
from .programme import (
    NonexistentLocalTime,
    end_before_start_message,
    skipped_time_message,
    to_utc,
)
from .services import Errors, require_editor


def _write_programme_item(item: ProgrammeItem, user, values: Mapping[str, Any]) -> ProgrammeItem:
    """Apply the named values (instants with an offset, or wall-clock times of the visit's
    zone) and save the item; a change keeps the participants the user may not see."""
    values = dict(values)
    named_people = values.pop("participants", None)
    moments = {name: values.pop(name) for name in ("starts_at", "ends_at") if name in values}
    errors: Errors = translations.take_from(item, values)
    for name, value in values.items():
        setattr(item, name, value)
    if "online_link" in values:
        try:
            item.online_link = normalized_url(item.online_link)
        except ValidationError as error:
            errors["online_link"] = error.messages
    tz = item.visit.tz
    for name, value in moments.items():
        try:
            setattr(item, name, to_utc(value, tz))
        except NonexistentLocalTime:
            errors[name] = [skipped_time_message(value.date(), value.time(), item.visit)]
    times_read = not errors.keys() & {"starts_at", "ends_at"}
    if times_read and item.starts_at and item.ends_at and item.ends_at <= item.starts_at:
        errors["ends_at"] = [end_before_start_message(item)]
    m2m: dict[str, list] = {}
    if item.pk is None or named_people is not None:
        people = list(named_people or [])
        if item.pk is not None:
            people += hidden_records(item.participants.all(), user)
        m2m["participants"] = people
    write_record(instance=item, user=user, m2m=m2m, errors=errors)
    return item


@transaction.atomic
def programme_item_create(*, visit: Visit, user, values: Mapping[str, Any]) -> ProgrammeItem:
    """A new programme item from named values (the API's); warnings are read afterwards."""
    require_editor(visit, user)
    return _write_programme_item(ProgrammeItem(visit=visit), user, values)


@transaction.atomic
def programme_item_change(
    *,
    item: ProgrammeItem,
    user,
    values: Mapping[str, Any],
    expected_updated: datetime.datetime | None = None,
) -> ProgrammeItem:
    """Change the named fields of a programme item, under a lock on its row."""
    require_editor(item.visit, user)
    current = lock_record(item, expected_updated=expected_updated)
    assert isinstance(current, ProgrammeItem)
    current.visit = item.visit  # the loaded visit, with its zone
    return _write_programme_item(current, user, values)


@transaction.atomic
def programme_item_delete(*, item: ProgrammeItem, user) -> None:
    delete_record(instance=item, user=user)
