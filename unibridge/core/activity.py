"""Recent activity: the audit entries of the records a reader may see, told in sentences.

“Anna Kowalska changed the status of agreement “KA171 with AGH” from Draft to In review.”
Only the records of models with a ``visible_to`` rule and a page of their own are told, and
only those the reader may see by that rule: a child record (a signature, a decision) is on
its parent's History tab, and a deleted record can no longer be checked, so it is not told.

A page costs the same queries for ten entries or fifty: the count and the page of entries,
one query per kind of record on the page (their names and addresses, in the reader's
language) and one per kind of related record its changes name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .history import Change, EntryView, EntryWriter
from .text import ellipsis
from .types import User

NAME_LIMIT = 90


def told_models() -> list[type[Model]]:
    """The audited models whose entries the page tells: a rule and a page of their own."""
    return [
        model
        for model in auditlog.get_models()
        if callable(getattr(model._default_manager, "visible_to", None))
        and hasattr(model, "get_absolute_url")
    ]


def activity_entries(user: User) -> QuerySet[LogEntry]:
    """The audit entries of the records the user may see, newest first."""
    models = told_models()
    types = ContentType.objects.get_for_models(*models)  # cached after the first page
    seen = Q(pk__in=[])
    for model in models:
        visible = model._default_manager.visible_to(user).values("pk")  # type: ignore[attr-defined]
        seen |= Q(content_type=types[model], object_id__in=visible)
    return (
        LogEntry.objects.filter(seen)
        .exclude(action=LogEntry.Action.DELETE)
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )


@dataclass
class Sentence:
    """One entry told: the sentence (HTML, every part escaped), its moment and its record."""

    entry: LogEntry
    text: SafeString
    url: str


def sentences(entries: list[LogEntry], user: User) -> list[Sentence]:
    """The page's entries in words, in the reader's language."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.object_id is not None:
            by_type[entry.content_type_id].add(entry.object_id)
    records: dict[tuple[int, int], Model] = {}
    models: dict[int, type[Model]] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        models[type_id] = model
        # read again through the rule: the page's entries were chosen by it a moment ago
        visible = model._default_manager.visible_to(user)  # type: ignore[attr-defined]
        for record in visible.filter(pk__in=ids).select_related():
            records[type_id, record.pk] = record
    writer = EntryWriter(user)
    views: list[tuple[EntryView, Model]] = []
    for entry in entries:
        record = records.get((entry.content_type_id, entry.object_id or 0))
        if record is None:  # gone or hidden since the page was counted
            continue
        views.append((writer.gather(entry, models[entry.content_type_id]), record))
    writer.write([view for view, _record in views])
    return [
        Sentence(entry=view.entry, text=_sentence(view, record), url=_url(record))
        for view, record in views
    ]


def _url(record: Model) -> str:
    # every told model has a page of its own (see told_models)
    return str(record.get_absolute_url())  # type: ignore[attr-defined]


def _sentence(view: EntryView, record: Model) -> SafeString:
    entry = view.entry
    params: dict[str, Any] = {
        "actor": view.actor,
        "kind": str(type(record)._meta.verbose_name),
        "record": format_html('“<a href="{}">{}</a>”', _url(record), ellipsis(record, NAME_LIMIT)),
    }
    if entry.action == LogEntry.Action.CREATE:
        return _told(_("%(actor)s created %(kind)s %(record)s"), params)
    changes = view.changes
    if not changes:
        return _told(_("%(actor)s changed %(kind)s %(record)s"), params)
    if len(changes) > 1:
        params["fields"] = ", ".join(change.label for change in changes)
        return _told(_("%(actor)s changed the %(fields)s of %(kind)s %(record)s"), params)
    return _one_change(changes[0], params)


def _one_change(change: Change, params: dict[str, Any]) -> SafeString:
    params = {**params, "field": change.label}
    if change.operation:
        params["names"] = str(change.after)
        if change.operation == "add":
            return _told(
                _("%(actor)s added %(names)s to the %(field)s of %(kind)s %(record)s"), params
            )
        return _told(
            _("%(actor)s removed %(names)s from the %(field)s of %(kind)s %(record)s"), params
        )
    params["before"] = str(change.before)
    params["after"] = str(change.after)
    if change.before.is_empty:
        return _told(_("%(actor)s set the %(field)s of %(kind)s %(record)s to %(after)s"), params)
    if change.after.is_empty:
        return _told(_("%(actor)s cleared the %(field)s of %(kind)s %(record)s"), params)
    return _told(
        _("%(actor)s changed the %(field)s of %(kind)s %(record)s from %(before)s to %(after)s"),
        params,
    )


def _told(template: str, params: dict[str, Any]) -> SafeString:
    """The translated sentence with its parts put in, each escaped (the link is already)."""
    return mark_safe(escape(template) % {k: conditional_escape(v) for k, v in params.items()})
