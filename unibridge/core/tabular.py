"""Reading the CSV and XLSX files people upload for import, and keeping them between steps.

Every importer (institutions, agreements…) reads its files here, so that a file is understood,
and refused, the same way everywhere::

    file_format = tabular.detect_format(upload.name)           # 'csv' or 'xlsx'
    headers, records = tabular.read_csv(data)                  # or read_xlsx(data, keep_dates=…)
    for number, record in records:                             # number: the spreadsheet's row
        record[headers[0]]

Every problem with the file as a whole is an :class:`ImportFileError` whose message is shown to
the user as it is. The web pages keep an upload in an :class:`UploadStore` until the user
confirms or cancels it; the management commands share their file arguments and their errors.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import os
import re
import secrets
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
ZIP_MAGIC = b"PK\x03\x04"
SUFFIXES = {
    "json": "json", "csv": "csv", "tsv": "csv", "txt": "csv", "xlsx": "xlsx", "xlsm": "xlsx",
}  # fmt: skip

Source = bytes | os.PathLike | BinaryIO
"""What the readers read: the file's bytes, its path, or an open binary file."""
Records = list[tuple[int, dict[str, Any]]]
"""A file's non-empty records: (row number as a spreadsheet shows it, {header: value})."""


class ImportFileError(Exception):
    """The file as a whole cannot be read, or the mapping does not fit it."""


# --- File names and mappings ----------------------------------------------------------------------


def detect_format(filename: str, formats: Sequence[str] = ("csv", "xlsx")) -> str:
    """The format among ``formats`` that a file name suggests: 'csv', 'xlsx' (or 'json')."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    file_format = SUFFIXES.get(suffix)
    if file_format is not None and file_format in formats:
        return file_format
    if "json" in formats:
        message = _("Cannot tell the format of “%(name)s” from its name; choose JSON, CSV or XLSX.")
    else:
        message = _("Cannot tell the format of “%(name)s” from its name; choose CSV or XLSX.")
    raise ImportFileError(message % {"name": filename})


def parse_mapping(pairs: Iterable[str], *, allow_empty: bool = False) -> dict[str, str]:
    """['name=University', 'country=Kraj'] → {'name': 'University', 'country': 'Kraj'}.

    With ``allow_empty``, 'status=' gives {'status': ''}: the caller leaves that field out.
    """
    mapping: dict[str, str] = {}
    for pair in pairs:
        target, sep, header = pair.partition("=")
        if not sep or not target.strip() or not (allow_empty or header.strip()):
            raise ImportFileError(
                _("A column mapping is written field=Column header, not “%(pair)s”.")
                % {"pair": pair}
            )
        mapping[target.strip()] = header.strip()
    return mapping


def bad_rows_message(count: int) -> str:
    """Why an import with bad rows wrote nothing."""
    return ngettext(
        "The file has %(count)d bad row; nothing was imported.",
        "The file has %(count)d bad rows; nothing was imported.",
        count,
    ) % {"count": count}


def is_empty(value: Any) -> bool:
    """None, a blank string, or a list of such (a JSON list of blanks)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(is_empty(item) for item in value)
    return False


# --- Limits ---------------------------------------------------------------------------------------


class TooManyRows(ImportFileError):
    """The file has more data rows than ``limit``; reading stopped at the first one too many."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            ngettext(
                "The file has more than %(limit)s row; split it into smaller files.",
                "The file has more than %(limit)s rows; split it into smaller files.",
                limit,
            )
            % {"limit": number_format(limit)}
        )


def too_many_columns(limit: int) -> ImportFileError:
    return ImportFileError(
        ngettext(
            "The file has more than %(limit)s column; keep only the columns to import.",
            "The file has more than %(limit)s columns; keep only the columns to import.",
            limit,
        )
        % {"limit": number_format(limit)}
    )


def _max_rows(max_rows: int | None) -> int:
    """IMPORT_MAX_ROWS, or a caller's lower limit (the web import of agreements)."""
    limit = settings.IMPORT_MAX_ROWS
    return min(limit, max_rows) if max_rows is not None else limit


def number_format(value: int) -> str:
    """A count as the reader's language writes it: 50,000 or 50 000."""
    return formats.number_format(value, force_grouping=True)


@contextmanager
def _binary(source: Source) -> Iterator[BinaryIO]:
    """A binary stream of the bytes, the file at the path, or the (seekable) stream itself."""
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source)
    elif isinstance(source, os.PathLike):
        with open(source, "rb") as stream:
            yield stream
    else:
        yield source


def read_bytes(source: Source) -> bytes:
    """All the bytes of a source (for JSON, which is parsed whole)."""
    with _binary(source) as stream:
        return stream.read()


# --- Reading --------------------------------------------------------------------------------------


def decode(data: bytes, what: str) -> str:
    """The text of an uploaded text file (``what``: 'CSV', 'JSON'), UTF-8 with or without BOM."""
    _check_text(data[:65536], what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("This file is not UTF-8 text (byte %(position)d); save it as UTF-8 %(what)s.")
            % {"position": exc.start + 1, "what": what}
        ) from None


def _check_text(head: bytes, what: str) -> None:
    """Refuse, from its first bytes, a file that is not text at all."""
    if head.startswith(ZIP_MAGIC):
        raise ImportFileError(
            _("This file is a ZIP archive or an XLSX workbook, not %(what)s.") % {"what": what}
        )
    if b"\x00" in head:
        raise ImportFileError(
            _("This file is not %(what)s: it holds binary data (an image or a program?).")
            % {"what": what}
        )


def guess_delimiter(header_line: str) -> str:
    """The delimiter among , ; and tab that splits the header line most often."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_csv(source: Source, *, max_rows: int | None = None) -> tuple[list[str], Records]:
    """The header row (stripped) and the non-empty records of a CSV file; cells are text.

    The file is read line by line; see :func:`check_size` for the limits.
    """
    max_rows = _max_rows(max_rows)
    with _binary(source) as stream:
        _check_text(stream.read(65536), "CSV")
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            return _read_csv_text(text, max_rows)
        except UnicodeDecodeError:
            stream.seek(0)
            decode(stream.read(), "CSV")  # the same error, with the position in the file
            raise
        finally:
            text.detach()  # the caller's stream stays open


def _read_csv_text(text: io.TextIOWrapper, max_rows: int) -> tuple[list[str], Records]:
    # Blank lines before the header are kept for the reader; the header guesses the delimiter.
    lines: list[str] = []
    for line in text:
        lines.append(line)
        if line.strip():
            break
    else:
        raise ImportFileError(_("The file is empty."))
    delimiter = guess_delimiter(lines[-1].lstrip("\r\n"))
    reader = csv.reader(itertools.chain(lines, text), delimiter=delimiter)
    max_columns = settings.IMPORT_MAX_COLUMNS
    try:
        headers = [cell.strip() for cell in next(reader)]
        if len(headers) > max_columns:
            raise too_many_columns(max_columns)
        records: Records = []
        # Spreadsheet programs count records, so the header is row 1 and data start at 2.
        for number, cells in enumerate(reader, start=2):
            if number - 1 > max_rows:
                raise TooManyRows(max_rows)
            if len(cells) > max_columns and any(cell.strip() for cell in cells[max_columns:]):
                raise too_many_columns(max_columns)
            if any(cell.strip() for cell in cells):
                records.append((number, dict(zip(headers, cells, strict=False))))
    except csv.Error as exc:
        raise ImportFileError(
            _("This CSV file is broken near line %(line)d: %(error)s.")
            % {"line": reader.line_num, "error": exc}
        ) from None
    return headers, records


def cell_text(value: Any) -> str:
    """A cell as the sheet shows it: 12.0 → '12', a date in ISO form, nothing → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def read_xlsx(
    source: Source, *, keep_dates: bool, max_rows: int | None = None
) -> tuple[list[str], Records]:
    """The header row and the non-empty records of an XLSX workbook's first worksheet.

    Headers are text with their white space folded (a header cell often holds a line break).
    With ``keep_dates`` the cells keep the values the workbook stores, so that a date cell
    stays a date (and a number a number); otherwise every cell is text (see cell_text()).
    The workbook is read row by row; see :func:`check_size` for the limits.
    """
    max_rows = _max_rows(max_rows)
    max_columns = settings.IMPORT_MAX_COLUMNS
    with _binary(source) as stream:
        if stream.read(len(ZIP_MAGIC)) != ZIP_MAGIC:
            raise ImportFileError(_("This file is not an XLSX workbook."))
        stream.seek(0)
        check_unpacked_size(stream)
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(
                _("This XLSX workbook cannot be read: %(error)s.") % {"error": exc}
            ) from None
        try:
            if not workbook.worksheets:
                raise ImportFileError(_("The workbook has no worksheet."))
            sheet = workbook.worksheets[0]
            # As wide as the sheet says it is, but at most one column past the limit: a row
            # is never made wider than that (openpyxl pads rows to the width asked), and a
            # file with more columns has a header, or a value, in that one.
            width = min(sheet.max_column or max_columns + 1, max_columns + 1)
            rows = sheet.iter_rows(values_only=True, max_col=width)
            first = _within_columns(next(rows, ()), max_columns)
            headers = [" ".join(cell_text(value).split()) for value in first]
            records: Records = []
            for number, values in enumerate(rows, start=2):
                if number - 1 > max_rows:
                    raise TooManyRows(max_rows)
                values = _within_columns(values, max_columns)
                cells = list(values) if keep_dates else [cell_text(value) for value in values]
                if not all(is_empty(cell) for cell in cells):
                    records.append((number, dict(zip(headers, cells, strict=False))))
        finally:
            workbook.close()
    return headers, records


def _within_columns(values: Sequence[Any], max_columns: int) -> Sequence[Any]:
    if len(values) > max_columns:
        if not all(is_empty(value) for value in values[max_columns:]):
            raise too_many_columns(max_columns)
        return values[:max_columns]
    return values


def sniff(source: Source, file_format: str) -> None:
    """Refuse at once a file that is plainly not ``file_format``, or a workbook too large.

    Cheap enough for a request: only the first bytes, and a workbook's ZIP directory, are read.
    """
    with _binary(source) as stream:
        position = stream.tell()
        head = stream.read(65536)
        stream.seek(position)
        if file_format in ("csv", "json"):
            _check_text(head, file_format.upper())
        elif file_format == "xlsx":
            if not head.startswith(ZIP_MAGIC):
                raise ImportFileError(_("This file is not an XLSX workbook."))
            check_unpacked_size(stream)


def check_unpacked_size(source: Source) -> None:
    """Refuse a workbook whose parts would unpack to more than IMPORT_MAX_UNCOMPRESSED_BYTES.

    The sizes are the ones the ZIP directory declares, read without unpacking anything
    (zipfile never unpacks more than it declares).
    """
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    with _binary(source) as stream:
        position = stream.tell()
        try:
            with zipfile.ZipFile(stream) as archive:
                parts = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ImportFileError(
                _("This XLSX workbook cannot be read: %(error)s.") % {"error": exc}
            ) from None
        finally:
            stream.seek(position)
    total = sum(part.file_size for part in parts)
    if total > limit:
        raise ImportFileError(
            _(
                "This workbook unpacks to %(size)s, more than the limit of %(limit)s; "
                "split it into smaller files, or save it as CSV."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
        )


# --- Uploads kept between the steps of a web import -----------------------------------------------


def check_upload_size(upload: Any) -> None:
    """The uploaded file, or a form error when it is over MAX_UPLOAD_BYTES."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("This file is larger than the limit of 20 MB; split it into smaller files.")
        )
    return upload


@dataclass(frozen=True)
class UploadStore:
    """Uploads waiting for the user's next step, in MEDIA_ROOT/imports (outside the web root).

    Each is a file named by a random token, and a record in the session of the user who
    uploaded it: a token from another session, or whose file is gone, finds nothing. Files
    nobody came back to within UPLOAD_MAX_AGE_SECONDS are deleted on the next upload.
    """

    session_key: str
    prefix: str = ""  # of the file names, to tell one import's uploads from another's

    @staticmethod
    def directory() -> Path:
        return Path(settings.MEDIA_ROOT) / "imports"

    def path(self, token: str) -> Path:
        return self.directory() / f"{self.prefix}{token}.upload"

    def add(self, request: HttpRequest, data: bytes, record: dict) -> str:
        """Keep the upload and its record; the token that finds them again."""
        self.directory().mkdir(mode=0o700, parents=True, exist_ok=True)
        self.remove_stale()
        token = secrets.token_hex(16)
        with open(self.path(token), "xb") as handle:
            handle.write(data)
        self.set(request, token, record)
        return token

    def get(self, request: HttpRequest, token: str) -> dict | None:
        """The session's record of an upload whose file still exists, or None."""
        if not TOKEN_RE.match(token):
            return None
        record = request.session.get(self.session_key, {}).get(token)
        if record is None or not self.path(token).exists():
            return None
        return record

    def record(self, request: HttpRequest, token: str) -> dict | None:
        """The session's record of an upload, whether or not its file is still there."""
        if not TOKEN_RE.match(token):
            return None
        return request.session.get(self.session_key, {}).get(token)

    def set(self, request: HttpRequest, token: str, record: dict) -> None:
        uploads = request.session.get(self.session_key, {})
        uploads[token] = record
        request.session[self.session_key] = uploads

    def release(self, request: HttpRequest, token: str) -> None:
        """Forget the record but keep the file (a task reads it, then deletes it)."""
        uploads = request.session.get(self.session_key, {})
        uploads.pop(token, None)
        request.session[self.session_key] = uploads

    def discard(self, request: HttpRequest, token: str) -> None:
        """Forget the record and delete the file (a malformed token names no file)."""
        if not TOKEN_RE.match(token):
            return
        self.path(token).unlink(missing_ok=True)
        self.release(request, token)

    def remove_stale(self) -> None:
        cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
        for path in self.directory().glob(f"{self.prefix}*.upload"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


# --- The import commands --------------------------------------------------------------------------


def add_file_arguments(parser: CommandParser, *, formats: Sequence[str], map_help: str) -> None:
    """The arguments of every import command: the file, --format and --map FIELD=HEADER."""
    parser.add_argument("file", help="the file to import")
    parser.add_argument(
        "--format",
        choices=formats,
        dest="file_format",
        help="the file's format (default: from the file name)",
    )
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER", help=map_help)


def read_file(path: Path) -> bytes:
    """The bytes of the file a command was given; CommandError when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"No such file: {path}") from None
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None


def command_user(username: str | None) -> Any:
    """The user a command records as the author of its changes (None: nobody)."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
