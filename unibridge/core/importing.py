"""The one import pipeline every importer shares: read, map, plan, preview, apply, write.

An importer (institutions, agreements…) keeps only its own rules: its fields and the headers
they are found by, how a row is checked and matched, and what a plan writes. The steps
around them are here::

    table = read_table(data, file_format="xlsx", formats=("csv", "xlsx"))  # limits apply
    rows = source_rows(table.records, {"name": ["University"], ...})        # by our fields
    plan = the_importer's_planner(rows)          # writes nothing; plan.errors: every bad row
    apply_plan(plan, user, write)                # one transaction, audited, all or nothing

``write`` saves through :func:`bulk_write`, which inserts and updates in batches and writes
the audit entries auditlog's signals would have written had each record been saved alone.
Column headers are compared by :func:`header_key`, so 'E-mail domains', 'email_domains'
and 'Домены' each find their field however the file spells them.

Why not django-import-export: its ``Resource`` maps one model to one row and imports through
its own forms and result pages. Our rows are not model rows: an agreement row creates an
agreement, two parties and their signatures, and names its partner in Cyrillic or Polish,
matched through the search with the doubtful ones left for the user to decide; an
institution row is matched by identifiers, internet domains or name before it updates.
What it would give us we have already: row errors naming the file's column, a preview of
the matches and decisions, files read row by row within limits of rows, columns and
unpacked size, and both steps running in the task worker (``core.jobs``). Taking it would
mean overriding most of its hooks, and another dependency on the upload path, for less.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import tabular
from .names import fold
from .services import acting_as
from .tabular import ImportFileError, bad_rows_message, is_empty
from .types import User

__all__ = [
    "BATCH_SIZE",
    "Change",
    "ImportFileError",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "Progress",
    "RowError",
    "SourceRow",
    "Table",
    "apply_plan",
    "bad_rows_message",
    "bulk_write",
    "check_fields",
    "detect_format",
    "error_report",
    "find_header",
    "header_key",
    "read_table",
    "reject_bad_rows",
    "source_rows",
]

BATCH_SIZE = 500
# A new record's values that an audit entry of its creation leaves out, as auditlog writes them.
EMPTY = ("", "[]", "None", None)
M = TypeVar("M", bound=models.Model)
R = TypeVar("R")

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a long step runs."""


class ImportRejected(Exception):
    """apply refused to write: bad rows, undecided choices, stale data or a database refusal."""


@dataclass(frozen=True)
class RowError:
    """One problem of one row: the row number as the user sees it, the column, why, the value."""

    row: int
    column: str
    message: str
    value: str = ""


@dataclass
class SourceRow:
    """One record of the file: raw values by our field name and the header each came from."""

    number: int
    values: dict[str, Any]
    columns: dict[str, str]
    problem: str = ""  # the record as a whole is unusable (a JSON item that is not an object)


@dataclass
class Table:
    """A file's headers (the blank ones left out) and its non-empty records, by row number."""

    file_format: str
    headers: list[str]
    records: list[tuple[int, Any]]


@dataclass
class ImportPlan:
    """What importing a file would do; nothing is written until it is applied."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


@dataclass(frozen=True)
class ImportResult:
    """What applying a plan wrote; each importer adds its own counts."""

    created: int


# --- Reading files -----------------------------------------------------------------------------


def detect_format(filename: str, formats: Sequence[str]) -> str:
    """The format among ``formats`` that a file name suggests (ImportFileError otherwise)."""
    return tabular.detect_format(filename, formats)


def read_table(
    data: tabular.Source,
    *,
    file_format: str,
    formats: Sequence[str] = ("csv", "xlsx"),
    keep_dates: bool = True,
    max_rows: int | None = None,
    not_a_list: str = "",
) -> Table:
    """The headers and records of a CSV, XLSX (or JSON) file: its bytes, its path or a stream.

    Raises ImportFileError, also for a file over the limits of rows (IMPORT_MAX_ROWS, or
    ``max_rows`` if lower: tabular.TooManyRows), columns or size, before reading it all.
    ``keep_dates`` keeps a workbook's dates and numbers as such (text otherwise);
    ``not_a_list`` is the error for a JSON file that is not a list of records.
    """
    if file_format not in formats:
        if "json" in formats:
            message = _("Unknown format “%(format)s”; choose JSON, CSV or XLSX.")
        else:
            message = _("Unknown format “%(format)s”; choose CSV or XLSX.")
        raise ImportFileError(message % {"format": file_format})
    records: list[tuple[int, Any]]
    if file_format == "json":
        headers, records = _read_json(data, max_rows=max_rows, not_a_list=not_a_list)
        return Table(file_format=file_format, headers=headers, records=records)
    if file_format == "csv":
        headers, csv_records = tabular.read_csv(data, max_rows=max_rows)
    else:
        headers, csv_records = tabular.read_xlsx(data, keep_dates=keep_dates, max_rows=max_rows)
    records = list(csv_records)
    if not any(headers):
        if file_format == "xlsx":
            raise ImportFileError(
                _("The first row of the first worksheet must hold the column headers.")
            )
        raise ImportFileError(_("The first row of the file must hold the column headers."))
    # Records are keyed by header: a second column of the same name would be lost unseen.
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise ImportFileError(
                _("The column “%(header)s” appears more than once in the file.")
                % {"header": header}
            )
        seen.add(header)
    return Table(file_format=file_format, headers=[h for h in headers if h], records=records)


def _read_json(
    data: tabular.Source, *, max_rows: int | None, not_a_list: str
) -> tuple[list[str], list[tuple[int, Any]]]:
    # JSON is parsed whole: the upload limit bounds it, the limits of rows and keys apply after.
    text = tabular.decode(tabular.read_bytes(data), "JSON")
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("This is not valid JSON: %(error)s (line %(line)d, column %(column)d).")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    if not isinstance(items, list):
        raise ImportFileError(not_a_list or "The JSON file must hold a list of records.")
    limit = settings.IMPORT_MAX_ROWS
    if max_rows is not None:
        limit = min(limit, max_rows)
    if len(items) > limit:
        raise tabular.TooManyRows(limit)
    headers: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            headers.update(dict.fromkeys(str(key) for key in item))
    if len(headers) > settings.IMPORT_MAX_COLUMNS:
        raise tabular.too_many_columns(settings.IMPORT_MAX_COLUMNS)
    return list(headers), list(enumerate(items, start=1))


# --- Mapping columns to fields ------------------------------------------------------------------


def header_key(header: Any) -> str:
    """A header as it is compared: folded (lower-case ASCII words, Cyrillic transliterated,
    diacritics, hyphens and underscores dropped), so 'Партнёр', 'партнер' and 'partner'
    are alike, as are 'E-mail domains' and 'email_domains'."""
    text = str(header) if header is not None else ""
    # '№' folds to 'no'; keep it apart so that it is recognised as itself
    return fold(text.replace("№", " numero ")) if text else ""


def check_fields(mapping: Mapping[str, str], fields: Sequence[str]) -> dict[str, str]:
    """The mapping (field → header) without empty entries; refuses a field nobody knows."""
    mapping = {target: header for target, header in mapping.items() if header}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ImportFileError(
            _("Unknown field(s) in the column mapping: %(fields)s. Known fields: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(fields)}
        )
    return mapping


def find_header(header: str, target: str, headers: Sequence[str]) -> str:
    """The file's header a mapping names for ``target``: the very one, or one alike."""
    if header in headers:
        return header
    for candidate in headers:
        if header_key(candidate) == header_key(header):
            return candidate
    shown = list(dict.fromkeys(headers))
    raise ImportFileError(
        _(
            "The column “%(header)s” given for %(field)s is not in the file; "
            "its columns are: %(columns)s."
        )
        % {"header": header, "field": target, "columns": ", ".join(shown) or "—"}
    )


def source_rows(
    records: Sequence[tuple[int, Any]], columns: Mapping[str, Sequence[str]]
) -> list[SourceRow]:
    """The records keyed by our field names; each field reads the first of its headers
    that has a value in the record (``columns``: field → headers, best first)."""
    return [_source_row(number, record, columns) for number, record in records]


def _source_row(number: int, record: Any, columns: Mapping[str, Sequence[str]]) -> SourceRow:
    if not isinstance(record, dict):
        return SourceRow(number, {}, {}, problem=_("This item is not an object with named values."))
    values: dict[str, Any] = {}
    used_columns: dict[str, str] = {}
    for target, headers in columns.items():
        used_columns[target] = headers[0]
        for header in headers:
            raw = record.get(header)
            if not is_empty(raw):
                values[target] = raw
                used_columns[target] = header
                break
    return SourceRow(number, values, used_columns)


# --- Reporting ----------------------------------------------------------------------------------


def error_report(plan: ImportPlan, limit: int = 50) -> list[str]:
    """The plan's bad rows as lines people read (the first ``limit``, then how many more)."""
    lines = [bad_rows_message(plan.bad_rows)]
    for error in plan.errors[:limit]:
        where = _("Row %(row)d") % {"row": error.row}
        if error.column:
            where = _("Row %(row)d, column “%(column)s”") % {
                "row": error.row,
                "column": error.column,
            }
        if error.value:
            where = f"{where} ({error.value})"
        lines.append(f"{where}: {error.message}")
    if len(plan.errors) > limit:
        lines.append(
            ngettext(
                "and %(count)d more problem.",
                "and %(count)d more problems.",
                len(plan.errors) - limit,
            )
            % {"count": len(plan.errors) - limit}
        )
    return lines


# --- Applying a plan ----------------------------------------------------------------------------


def reject_bad_rows(plan: ImportPlan) -> None:
    """Raise ImportRejected when the plan has bad rows: a file is imported whole or not at all."""
    if plan.errors:
        raise ImportRejected(bad_rows_message(plan.bad_rows))


def apply_plan(
    plan: ImportPlan,
    user: User | None,
    write: Callable[[User | None], R],
    *,
    refused: str = "",
) -> R:
    """Run ``write(actor)`` for a clean plan in one transaction, audited as ``user``.

    All or nothing: bad rows write nothing (ImportRejected), and so does a database refusal
    while writing, reported with ``refused`` (a message with an %(error)s placeholder).
    ``write`` may raise ImportRejected itself (data changed since the plan was made).
    """
    reject_bad_rows(plan)
    actor = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic(), acting_as(actor):
            return write(actor)
    except (IntegrityError, ValidationError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        template = refused or _(
            "The database refused the import (%(error)s); nothing was imported."
        )
        raise ImportRejected(template % {"error": message}) from exc


@dataclass(frozen=True)
class Change(Generic[M]):
    """A record as stored (``before``) and as the plan changes it (``after``): ``fields``."""

    before: M
    after: M
    fields: tuple[str, ...]


def bulk_write(
    model: type[M],
    *,
    create: Sequence[M] = (),
    update: Sequence[Change[M]] = (),
    validate_exclude: Collection[str] | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Insert and update records in batches, with the audit entries their saves would write.

    No save signals are sent (so nothing reindexes the search per record: the caller does,
    once, for all of them). ``validate_exclude``: validate each new record first, leaving out
    the fields the plan has checked already (None: the plan has validated them). The audit
    entries name the actor of the surrounding ``acting_as()`` block; a creation lists the
    fields that have a value (auditlog would list the empty ones too, which the History tab
    shows as '— → —'), an update the changed fields, before → after. Call inside a
    transaction: a refusal midway leaves the caller to roll back.
    """
    if validate_exclude is not None:
        for record in create:
            record.full_clean(exclude=list(validate_exclude))
    total = len(create) + len(update)
    for start in range(0, len(create), batch_size):
        model._default_manager.bulk_create(create[start : start + batch_size])
        if progress:
            progress("write", min(start + batch_size, len(create)), total)
    _fill_missing_pks(model, create, batch_size)
    touched = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    now = timezone.now()
    groups: dict[tuple[str, ...], list[M]] = {}
    for change in update:
        for name in touched:
            setattr(change.after, name, now)
        groups.setdefault(tuple(sorted(change.fields)), []).append(change.after)
    done = len(create)
    for names, records in groups.items():
        model._default_manager.bulk_update(
            records, [*names, *(n for n in touched if n not in names)], batch_size=batch_size
        )
        done += len(records)
        if progress:
            progress("write", done, total)
    LogEntry.objects.bulk_create(audit_entries(model, create, update), batch_size=batch_size)


def _fill_missing_pks(model: type[M], created: Sequence[M], batch_size: int) -> None:
    """Databases without INSERT … RETURNING leave bulk-created keys empty; find them by uuid."""
    missing = {getattr(record, "uuid", None): record for record in created if record.pk is None}
    if not missing:
        return
    if None in missing:
        raise ValueError(f"{model.__name__} has no uuid to find bulk-created records by.")
    uuids = list(missing)
    for start in range(0, len(uuids), batch_size):
        chunk = uuids[start : start + batch_size]
        found = model._default_manager.filter(uuid__in=chunk).values_list("uuid", "pk")
        for uuid, pk in found:
            missing[uuid].pk = pk


def audit_entries(
    model: type[M], created: Sequence[M] = (), updated: Sequence[Change[M]] = ()
) -> list[LogEntry]:
    """The entries auditlog's signals would have written, had each record been saved alone.

    Computed by auditlog's own diff (its included, excluded and masked fields), unsaved.
    """
    if not auditlog.contains(model) or auditlog_disabled.get():
        return []
    context = auditlog_value.get(None) or {}
    actor = context.get("actor")
    if not isinstance(actor, get_user_model()):
        actor = None
    common = {
        "content_type": ContentType.objects.get_for_model(model),
        "actor": actor,
        "actor_email": getattr(actor, "email", None) if actor else None,
        "remote_addr": context.get("remote_addr"),
        "remote_port": context.get("remote_port"),
        "cid": get_cid(),
        "timestamp": timezone.now(),
    }
    order = {f.name: index for index, f in enumerate(model._meta.concrete_fields)}
    entries = []
    for record in created:
        # Its own fields only: a reverse one-to-one would cost a query per record.
        diff = model_instance_diff(None, record, fields_to_check=list(order)) or {}
        changes = {name: list(pair) for name, pair in diff.items() if pair[1] not in EMPTY}
        entries.append(_log_entry(record, LogEntry.Action.CREATE, changes, order, common))
    for change in updated:
        diff = model_instance_diff(change.before, change.after, fields_to_check=change.fields)
        if diff:
            changes = {name: list(pair) for name, pair in diff.items()}
            entries.append(_log_entry(change.after, LogEntry.Action.UPDATE, changes, order, common))
    return entries


def _log_entry(
    record: models.Model,
    action: int,
    changes: dict[str, list[Any]],
    order: Mapping[str, int],
    common: Mapping[str, Any],
) -> LogEntry:
    additional = getattr(record, "get_additional_data", None)
    return LogEntry(
        object_pk=str(record.pk),
        object_id=record.pk if isinstance(record.pk, int) else None,
        object_repr=smart_str(record),
        action=action,
        changes=dict(sorted(changes.items(), key=lambda item: order.get(item[0], len(order)))),
        additional_data=additional() if callable(additional) else None,
        **common,
    )
