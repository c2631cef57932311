"""The partnership's own entries on the partner timeline: its start and its recorded changes."""

from collections.abc import Iterable
from typing import Any, cast

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.translation import gettext as _

from unibridge.core.timeline import TimelineEntry, as_datetime

from .models import Partnership

KEY = "partnership"


def partnership_entries(partnership: Partnership, user) -> Iterable[TimelineEntry]:
    kind = _("Partnership")
    if partnership.started_on:
        yield TimelineEntry(
            when=as_datetime(partnership.started_on),
            recorded=partnership.created,
            kind=kind,
            title=_("Cooperation started"),
            key=KEY,
        )
    # the log's own moments: a change of the record happens when it is typed in
    history = LogEntry.objects.get_for_object(partnership).select_related("actor")[:50]
    for entry in history:
        changes = entry.changes_dict
        if entry.action == LogEntry.Action.CREATE:
            title = _("Partnership recorded")
        elif "status" in changes:
            title = _("Status changed to %(status)s") % {
                "status": Partnership(status=changes["status"][1]).get_status_display()
            }
        else:
            title = _("Partnership details updated")
        yield TimelineEntry(
            when=entry.timestamp,
            kind=kind,
            title=title,
            detail=_field_labels(changes) if entry.action != LogEntry.Action.CREATE else "",
            actor=str(entry.actor or ""),
            key=KEY,
        )


def _field_labels(changes: dict) -> str:
    labels = []
    for name in sorted(changes):
        try:
            # the log records changes of the model's own fields, never of a reverse relation
            field = cast("Field[Any, Any]", Partnership._meta.get_field(name))
            labels.append(str(field.verbose_name))
        except FieldDoesNotExist:  # a field that no longer exists keeps its stored name
            labels.append(name)
    return ", ".join(labels)
