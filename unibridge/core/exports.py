"""Downloads of a list page as XLSX or CSV: the same columns, filters and order as on screen.

The rows come from the list view itself (its filter set, sort and ``visible_to`` selector), so an
export never shows a record the page would not. Both formats read the rows chunk by chunk:
the ordered ids stream from one query, and every chunk of ids loads its records with the
selector's ``select_related``/``prefetch_related`` — a constant number of queries per chunk and
memory that does not grow with the list.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Model, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .tables import Column

FORMATS = ("xlsx", "csv")

# Records loaded per query; also the length of the id list in ``pk__in`` (well under SQLite's
# limit of 32,766 parameters).
CHUNK_SIZE = 1000

# An XLSX is built whole before it is sent (openpyxl's write-only mode keeps memory flat, but
# the file still takes time to compress) and Excel itself slows down past this size. Longer
# lists are refused with a message that points to the filters and the CSV, which streams.
XLSX_MAX_ROWS = 100_000

# Excel runs a cell that starts with one of these as a formula when it opens a CSV.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def filename(name: str, export_format: str) -> str:
    """``institutions-2026-11-25.xlsx``: the list's name and today's date in the local zone."""
    return f"{name}-{timezone.localdate().isoformat()}.{export_format}"


def default_name(model: type[Model]) -> str:
    """The model's plural name in English, as a file name: ``organisational-units``."""
    with translation.override("en"):
        return slugify(str(model._meta.verbose_name_plural))


def chunks(ordered_ids: QuerySet, load: Callable[[list], Iterable[Model]]) -> Iterator[list]:
    """The records in the order of ``ordered_ids``, a list of up to CHUNK_SIZE at a time.

    ``ordered_ids`` is read once through a database cursor (a server-side one on PostgreSQL),
    so the ids of a 50,000-row list are never all in memory. A record deleted between reading
    its id and loading it is skipped.
    """
    ids = ordered_ids.iterator(chunk_size=CHUNK_SIZE)
    while batch := list(islice(ids, CHUNK_SIZE)):
        loaded = {obj.pk: obj for obj in load(batch)}
        yield [loaded[pk] for pk in batch if pk in loaded]


def cell_value(value: Any) -> Any:
    """A cell as the page shows it, keeping dates and numbers typed (lists joined with ", ")."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        # spreadsheets have no time zones: the local wall-clock time, as on the page
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    return str(value)  # lazy translations, choice labels, model instances


def _rows(columns: Sequence[Column], objects: Iterable[Model]) -> Iterator[list[Any]]:
    for obj in objects:
        yield [cell_value(column.value(obj)) for column in columns]


def _headers(columns: Sequence[Column]) -> list[str]:
    return [str(column.label) for column in columns]


# --- CSV -----------------------------------------------------------------------------------------


def _csv_text(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        # OWASP's advice against CSV injection: a leading apostrophe makes Excel show text
        return f"'{value}"
    return value


def csv_response(
    columns: Sequence[Column], records: Iterator[list], name: str
) -> StreamingHttpResponse:
    """A CSV download streamed one chunk of records at a time.

    Comma-separated, UTF-8 with a byte order mark. The comma is RFC 4180's separator and the
    default of everything that reads CSV programmatically (Python, pandas, R, LibreOffice,
    Google Sheets, import tools), which is what a CSV is for here; the BOM is what makes Excel
    read the file as UTF-8, so Cyrillic and Polish letters survive. Excel with a Russian,
    Kazakh or Polish list separator (";") opens a comma file in one column — those users have
    the XLSX link, which also keeps dates and numbers typed. A "sep=," first line would fix
    that Excel but makes it ignore the BOM and breaks every other reader, so it is not used.
    """
    language = translation.get_language()

    def content() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        with translation.override(language):
            writer.writerow(_headers(columns))
        yield "\ufeff" + buffer.getvalue()
        for chunk in records:
            buffer.seek(0)
            buffer.truncate()
            # the response body is produced after the view returns: labels in the page's language
            with translation.override(language):
                writer.writerows([_csv_text(v) for v in row] for row in _rows(columns, chunk))
            yield buffer.getvalue()

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "csv")}"'
    return response


# --- XLSX ----------------------------------------------------------------------------------------


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # never a formula, even when the text starts with "="
    return cell


def xlsx_response(columns: Sequence[Column], records: Iterator[list], name: str) -> FileResponse:
    """An XLSX download: one sheet, bold headers, real dates and numbers, at most XLSX_MAX_ROWS.

    openpyxl's write-only mode spools rows to disk as they are added; the finished file is
    sent from a temporary file in blocks.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=slugify(name)[:31] or "export")
    bold = Font(bold=True)
    header_cells = []
    for label in _headers(columns):
        cell = _xlsx_cell(sheet, label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    written = 0
    for chunk in records:
        for row in _rows(columns, chunk[: XLSX_MAX_ROWS - written]):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        written += len(chunk)
        if written >= XLSX_MAX_ROWS:  # the view refuses longer lists; rows added meanwhile
            break
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(file)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=filename(name, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
