"""Audit entries in words, in the reader's language and time zone.

django-auditlog stores every value as a string: a choice's code (``in_review``), a foreign
key's primary key (``1``), ``True``, ``2025-04-17``, a time in UTC, a list as Python writes
it, and for the reverse relations of a created or deleted record the name of a related
manager (``visits.ChecklistItem.None``). Each string is read here through the model field it
belongs to — found from the entry's content type, so core knows no app — and written as a
reader would: the choice's label, the related record's name, yes or no, a date, a time to the
minute in the reader's zone, a list as a list.

A related record is named only if the reader may see it by its own model's ``visible_to``;
otherwise it is "a person you may not see". The names are read once per related model for a
whole page of entries (:class:`RelatedNames`), so a page costs the same queries for ten
entries or two hundred.
"""

from __future__ import annotations

import ast
import contextlib
import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.fields import CountryField

from . import cldr
from .fields import ChoiceListField
from .text import ellipsis
from .types import User

# A long text (minutes, notes) is shown in the history by its beginning only.
TEXT_LIMIT = 300


def action_label(action: int) -> str:
    """What an audit entry did, in the reader's language."""
    labels = {
        LogEntry.Action.CREATE: _("created"),
        LogEntry.Action.UPDATE: _("changed"),
        LogEntry.Action.DELETE: _("deleted"),
    }
    return labels.get(action, _("accessed"))


def actor_name(entry: LogEntry) -> str:
    """Who wrote an entry, by their name; the system's own writes (the daily job, an import
    from the command line) have no actor."""
    actor = entry.actor
    if actor is None:
        return _("UniBridge")
    return actor.get_full_name() or actor.get_username()


def minute(value: datetime.datetime | None) -> str:
    """A moment to the minute in the reader's time zone: “6 Dec 2026, 14:05”."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cldr.format_date(local.date(), style='medium')}, {local:%H:%M}"


def day(value: datetime.date | None) -> str:
    """A day as the reader's language writes it: “17 Apr 2025”, “17 апр. 2025 г.”."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return cldr.format_date(value, style="medium")


# --- Values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One side of a change as the reader sees it: a text, or the items of a list."""

    text: str = ""
    items: tuple[str, ...] = ()
    is_list: bool = False

    def __str__(self) -> str:
        if self.is_list:
            return ", ".join(self.items) or "—"
        return self.text or "—"

    @property
    def is_empty(self) -> bool:
        return not (self.items if self.is_list else self.text)


@dataclass(frozen=True)
class Change:
    """One field's change: its label and the value before and after.

    A many-to-many change has an ``operation`` instead (``add`` or ``delete``) and the
    records added or removed in ``after``.
    """

    name: str
    label: str
    before: Shown
    after: Shown
    operation: str = ""

    @property
    def operation_label(self) -> str:
        return _("added") if self.operation == "add" else _("removed")


def _empty(raw: Any) -> bool:
    return raw is None or raw in ("None", "")


def _parse_list(raw: Any) -> list[str]:
    """A list as the log stored it: JSON, Python's repr of a list, or codes with commas."""
    if isinstance(raw, list | tuple):
        return [str(item) for item in raw]
    text = str(raw).strip()
    if text.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(text)
            except (ValueError, SyntaxError, TypeError):
                continue
            if isinstance(value, list | tuple):
                return [str(item) for item in value]
    return [code for code in text.strip(",").split(",") if code]


def _labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    return {str(code): str(label) for code, label in choices}


def _parse_moment(raw: str) -> datetime.datetime | None:
    """A time as the log stores it: naive UTC (``2026-12-06 14:05:00.123456``) or ISO."""
    try:
        value = datetime.datetime.fromisoformat(str(raw).strip())
    except ValueError:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


# Entries a service writes itself (an institution merge) name what changed by these words,
# not by a field of the model.
CHANGE_LABELS = {"merged": gettext_lazy("merged record")}


def is_shown_field(field: Any) -> bool:
    """Whether a field's change means something to a reader.

    Left out: reverse relations (their "value" is a related manager's name), the primary
    key, and what the system keeps by itself (public id, created and updated times, secrets
    not edited by anyone).
    """
    if field is None:
        return True  # a field that no longer exists: shown by its stored name
    if not getattr(field, "concrete", False) or getattr(field, "auto_created", False):
        return False
    if getattr(field, "primary_key", False):
        return False
    return bool(getattr(field, "editable", True))


class RelatedNames:
    """Names of related records for a page of entries, read in one query per model.

    First every entry asks for the records it names (:meth:`want`), then :meth:`load` reads
    them, then :meth:`name` answers. A record the reader may not see by its model's
    ``visible_to`` is named by its kind only; a deleted one says so.
    """

    def __init__(self, user: User) -> None:
        self.user = user
        self._wanted: dict[type[Model], set[Any]] = defaultdict(set)
        self._names: dict[tuple[type[Model], str], str] = {}
        self._hidden: set[tuple[type[Model], str]] = set()

    def want(self, model: type[Model], raw: Any) -> None:
        with contextlib.suppress(ValidationError, TypeError, ValueError):
            self._wanted[model].add(model._meta.pk.to_python(raw))

    def load(self) -> None:
        for model, pks in self._wanted.items():
            pks = {pk for pk in pks if pk is not None} - self._known(model)
            if not pks:
                continue
            # whatever __str__ reads through a foreign key comes in the same query
            records = manager_of(model).filter(pk__in=pks).select_related()
            records = records.annotate(history_seen=_seen_by(model, self.user))
            for record in records:
                key = (model, str(record.pk))
                if record.history_seen:
                    self._names[key] = str(record)
                else:
                    self._hidden.add(key)
        self._wanted.clear()

    def _known(self, model: type[Model]) -> set[Any]:
        return {pk for known, pk in (*self._names, *self._hidden) if known is model}

    def name(self, model: type[Model], raw: Any) -> str:
        key = (model, str(raw))
        kind = model._meta.verbose_name
        if key in self._names:
            return self._names[key]
        if key in self._hidden:
            return _("a %(kind)s you may not see") % {"kind": kind}
        return _("a deleted %(kind)s") % {"kind": kind}


def manager_of(model: type[Model]) -> Any:
    return model._default_manager


def _seen_by(model: type[Model], user: User) -> Any:
    """Whether the user may see a record, as an expression on the record's queryset.

    By the model's ``visible_to``; a model without one (a visit participant, an agreement's
    party) is seen when the records it names by its foreign keys are — its name is theirs
    (a participant is named by their person).
    """
    visible_to = getattr(manager_of(model), "visible_to", None)
    if callable(visible_to):
        return Exists(visible_to(user).filter(pk=OuterRef("pk")))
    seen: Any = Value(True)
    for key in model._meta.concrete_fields:
        related = key.related_model if key.many_to_one or key.one_to_one else None
        if related is None or related is model:
            continue
        related_visible_to = getattr(manager_of(related), "visible_to", None)
        if not callable(related_visible_to):
            continue
        shown = Exists(related_visible_to(user).filter(pk=OuterRef(key.attname)))
        seen = seen & (Q(**{f"{key.attname}__isnull": True}) | shown) if key.null else seen & shown
    return ExpressionWrapper(seen, output_field=models.BooleanField())


def _is_reference(field: Any) -> bool:
    return bool(
        field is not None
        and getattr(field, "concrete", False)
        and (getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False))
        and getattr(field, "related_model", None) is not None
    )


def want_names(field: Any, raw: Sequence[Any], names: RelatedNames) -> None:
    """Ask for the records a foreign key's change names (before :meth:`RelatedNames.load`)."""
    if _is_reference(field):
        for value in raw:
            if not _empty(value):
                names.want(field.related_model, value)


def shown_value(field: Any, raw: Any, names: RelatedNames) -> Shown:
    """One stored value as the reader sees it, read through its field."""
    if isinstance(field, ChoiceListField):
        labels = _labels(field.item_choices)
        return Shown(items=tuple(labels.get(c, c) for c in _parse_list(raw)), is_list=True)
    if isinstance(field, models.JSONField):
        return _shown_json(raw)
    if _empty(raw):
        return Shown()
    if _is_reference(field):
        return Shown(text=names.name(field.related_model, raw))
    if isinstance(field, CountryField):
        return Shown(text=cldr.country_name(str(raw)))
    if field is not None and getattr(field, "choices", None):
        return Shown(text=_labels(field.flatchoices).get(str(raw), str(raw)))
    if isinstance(field, models.BooleanField):
        return Shown(text=_("yes") if str(raw) in ("True", "true", "1") else _("no"))
    if isinstance(field, models.DateTimeField):
        moment = _parse_moment(raw)
        return Shown(text=minute(moment) if moment else str(raw))
    if isinstance(field, models.DateField):
        try:
            return Shown(text=day(datetime.date.fromisoformat(str(raw).strip()[:10])))
        except ValueError:
            return Shown(text=str(raw))
    text = str(raw)
    if text.startswith("[") and text.endswith("]"):
        return Shown(items=tuple(_parse_list(text)), is_list=True)
    return Shown(text=ellipsis(text, TEXT_LIMIT))


def _shown_json(raw: Any) -> Shown:
    value = raw
    if isinstance(raw, str):
        if _empty(raw):
            return Shown()
        try:
            value = json.loads(raw)
        except ValueError:
            return Shown(text=ellipsis(raw, TEXT_LIMIT))
    if isinstance(value, list | tuple):
        return Shown(items=tuple(str(item) for item in value), is_list=True)
    if value in (None, "", {}):
        return Shown()
    if isinstance(value, dict):
        return Shown(items=tuple(f"{k}: {v}" for k, v in value.items()), is_list=True)
    return Shown(text=str(value))


# --- Entries ------------------------------------------------------------------------------------


@dataclass
class EntryView:
    """An audit entry for a page: what was done, to what, and each change in words."""

    entry: LogEntry
    action: str
    model: type[Model] | None
    changes: list[Change] = field(default_factory=list)
    kind: str = ""  # a child record's kind on its parent's history
    name: str | None = None  # a child record's name (None: not to be named)
    raw: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return actor_name(self.entry)

    @property
    def is_creation(self) -> bool:
        return self.entry.action == LogEntry.Action.CREATE

    @property
    def is_deletion(self) -> bool:
        return self.entry.action == LogEntry.Action.DELETE


class EntryWriter:
    """Turns entries into :class:`EntryView` objects: gather, load names once, then write."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.names = RelatedNames(user)
        self._fields: dict[type[Model], dict[str, Any]] = {}
        self._hidden_labels: dict[tuple[type[Model], str], set[str]] = {}

    def fields(self, model: type[Model]) -> dict[str, Any]:
        if model not in self._fields:
            self._fields[model] = {f.name: f for f in model._meta.get_fields()}
        return self._fields[model]

    def gather(
        self, entry: LogEntry, model: type[Model] | None, *, skip: Iterable[str] = ()
    ) -> EntryView:
        """The entry's changes still as stored; the related records they name are asked for."""
        view = EntryView(entry=entry, action=action_label(entry.action), model=model)
        fields = self.fields(model) if model is not None else {}
        skipped = set(skip)
        order = {name: position for position, name in enumerate(fields)}
        changes = sorted(entry.changes_dict.items(), key=lambda c: (order.get(c[0], 10**6), c[0]))
        for name, change in changes:  # in the order of the model's fields, as its form has them
            model_field = fields.get(name)
            if name in skipped or not is_shown_field(model_field):
                continue
            if isinstance(change, dict):  # many-to-many: {"type": "m2m", "operation", "objects"}
                view.raw.append((name, change, None))
                continue
            before, after = [*list(change), None, None][:2]
            want_names(model_field, (before, after), self.names)
            view.raw.append((name, before, after))
        return view

    def write(self, views: Iterable[EntryView]) -> list[EntryView]:
        self.names.load()
        for view in views:
            fields = self.fields(view.model) if view.model is not None else {}
            for name, before, after in view.raw:
                model_field = fields.get(name)
                label = str(
                    getattr(model_field, "verbose_name", None) or CHANGE_LABELS.get(name, name)
                )
                if isinstance(before, dict):
                    change = self._m2m(view.model, name, model_field, label, before)
                    if change is not None:
                        view.changes.append(change)
                    continue
                old = shown_value(model_field, before, self.names)
                new = shown_value(model_field, after, self.names)
                if view.entry.action == LogEntry.Action.CREATE and new.is_empty:
                    continue  # a new record's empty fields tell nothing
                if view.entry.action == LogEntry.Action.DELETE and old.is_empty:
                    continue
                view.changes.append(Change(name=name, label=label, before=old, after=new))
            view.raw = []
        return list(views)

    def _m2m(
        self, model: type[Model] | None, name: str, model_field: Any, label: str, change: dict
    ) -> Change | None:
        """Names of the records added or removed, as they read then; hidden ones left out."""
        if model is not None and (model, name) not in self._hidden_labels:
            self._hidden_labels[model, name] = _hidden_labels(model_field, self.user)
        hidden = self._hidden_labels.get((model, name), set()) if model is not None else set()
        names = tuple(str(o) for o in change.get("objects", []) if str(o) not in hidden)
        if not names:
            return None
        return Change(
            name=name,
            label=label,
            before=Shown(),
            after=Shown(items=names, is_list=True),
            operation=str(change.get("operation", "")),
        )


def _hidden_labels(field: Any, user: User) -> set[str]:
    """How the records of a many-to-many field the user may not see are named in entries.

    The audit log keeps only their names (as read in the writer's language), so each is
    named in every language of the site. Few records are hidden from anyone (the
    confidential ones of other units); the office has none.
    """
    model = getattr(field, "related_model", None)
    if model is None or not callable(getattr(model.objects, "visible_to", None)):
        return set()
    records = list(model.objects.exclude(pk__in=model.objects.visible_to(user).values("pk")))
    if not records:
        return set()
    labels: set[str] = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.update(str(record) for record in records)
    return labels


# --- A record's history tab ---------------------------------------------------------------------

# How many entries a history tab lists, newest first.
HISTORY_LIMIT = 200


def _history_entries(
    obj: Model, children: Iterable[tuple[type[Model], str]]
) -> tuple[QuerySet[LogEntry], dict[int, tuple[type[Model], str]]]:
    """The audit entries of a record and its children, newest first, and the kinds of record
    they are about (content type id → (model, name of the key to the record))."""
    own_type = ContentType.objects.get_for_model(type(obj))
    if isinstance(obj.pk, int):  # as LogEntry.objects.get_for_object finds them
        query = Q(content_type=own_type, object_id=obj.pk)
    else:
        query = Q(content_type=own_type, object_pk=str(obj.pk))
    kinds: dict[int, tuple[type[Model], str]] = {own_type.pk: (type(obj), "")}
    for model, key in children:
        child_type = ContentType.objects.get_for_model(model)
        kinds[child_type.pk] = (model, key)
        named = LogEntry.objects.filter(content_type=child_type).filter(
            Q(**{f"changes__{key}__0": str(obj.pk)}) | Q(**{f"changes__{key}__1": str(obj.pk)})
        )
        current = model._default_manager.filter(**{key: obj.pk}).values_list(
            Cast("pk", CharField())
        )
        query |= Q(content_type=child_type) & (
            Q(object_pk__in=named.values("object_pk")) | Q(object_pk__in=current)
        )
    entries = LogEntry.objects.filter(query).select_related("actor").order_by("-timestamp", "-pk")
    return entries, kinds


def history_count(obj: Model, *, children: Iterable[tuple[type[Model], str]] = ()) -> int:
    """How many entries the record's History tab lists (its tab's count)."""
    entries, _kinds = _history_entries(obj, children)
    return min(entries.count(), HISTORY_LIMIT)


def history_for(
    obj: Model,
    user: User,
    limit: int = 0,
    *,
    children: Iterable[tuple[type[Model], str]] = (),
) -> list[EntryView]:
    """Audit entries of a record, newest first, in words (see the module's docstring).

    ``children`` adds the entries of the record's child records: (child model, name of its
    foreign key to the record). A child is found by its entry's own change of that key (its
    creation and deletion name the record), so deleted children are found too, as are the
    entries of children the record has now. Such an entry names the child's kind; a child
    the user may not see is named by its kind only.
    """
    entries, kinds = _history_entries(obj, children)
    writer = EntryWriter(user)
    seen_children: dict[type[Model], set[str] | None] = {}
    views = []
    for entry in entries[: limit or HISTORY_LIMIT]:
        model, key = kinds[entry.content_type_id]
        if not key:
            views.append(writer.gather(entry, model))
            continue
        # a child's entry: its kind, and its name unless the user may not see it
        if model not in seen_children:
            seen_children[model] = _seen_children(model, key, obj, user)
        seen = seen_children[model]
        if seen is not None and entry.object_pk not in seen:
            views.append(EntryView(entry, action_label(entry.action), model, kind=_kind(model)))
            continue
        view = writer.gather(entry, model, skip=[key])  # the child's link to the record itself
        view.kind = _kind(model)
        view.name = entry.object_repr
        views.append(view)
    return writer.write(views)


def _kind(model: type[Model]) -> str:
    return str(model._meta.verbose_name)


def _seen_children(model: type[Model], key: str, obj: Model, user: User) -> set[str] | None:
    """Which children of ``obj`` the user may see, or None when they may see all of its kind.

    Without ``visible_to`` a child is seen with its record. With it, when some record of
    the kind is hidden from the user, only the present children they see are named: a
    deleted child can no longer be checked.
    """
    visible_to = getattr(model._default_manager, "visible_to", None)
    if not callable(visible_to):
        return None
    manager = model._default_manager
    visible = visible_to(user).values("pk")
    if not manager.exclude(pk__in=visible).exists():
        return None
    return {
        str(pk)
        for pk in manager.filter(**{key: obj.pk}, pk__in=visible).values_list("pk", flat=True)
    }
