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
import re
import secrets
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.http import HttpRequest
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

Records = list[tuple[int, dict[str, Any]]]
"""A file's non-empty records: (row number as a spreadsheet shows it, {header: value})."""


class ImportFileError(Exception):
    """The file as a whole cannot be read, or the mapping does not fit it."""


# --- File names and mappings ----------------------------------------------------------------------


def detect_format(filename: str, formats: Sequence[str] = ("csv", "xlsx")) -> str:
    """The format among ``formats`` that a file name suggests: 'csv', 'xlsx' (or 'json')."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    file_format = SUFFIXES.get(suffix)
    if file_format in formats:
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


# --- Reading --------------------------------------------------------------------------------------


def decode(data: bytes, what: str) -> str:
    """The text of an uploaded text file (``what``: 'CSV', 'JSON'), UTF-8 with or without BOM."""
    if data.startswith(ZIP_MAGIC):
        raise ImportFileError(
            _("This file is a ZIP archive or an XLSX workbook, not %(what)s.") % {"what": what}
        )
    if b"\x00" in data[:65536]:
        raise ImportFileError(
            _("This file is not %(what)s: it holds binary data (an image or a program?).")
            % {"what": what}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("This file is not UTF-8 text (byte %(position)d); save it as UTF-8 %(what)s.")
            % {"position": exc.start + 1, "what": what}
        ) from None


def guess_delimiter(header_line: str) -> str:
    """The delimiter among , ; and tab that splits the header line most often."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_csv(data: bytes) -> tuple[list[str], Records]:
    """The header row (stripped) and the non-empty records of a CSV file; cells are text."""
    text = decode(data, "CSV")
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    delimiter = guess_delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [cell.strip() for cell in next(reader)]
        records: Records = []
        # Spreadsheet programs count records, so the header is row 1 and data start at 2.
        for number, cells in enumerate(reader, start=2):
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


def read_xlsx(data: bytes, *, keep_dates: bool) -> tuple[list[str], Records]:
    """The header row and the non-empty records of an XLSX workbook's first worksheet.

    Headers are text with their white space folded (a header cell often holds a line break).
    With ``keep_dates`` the cells keep the values the workbook stores, so that a date cell
    stays a date (and a number a number); otherwise every cell is text (see cell_text()).
    """
    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError(_("This file is not an XLSX workbook."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("This XLSX workbook cannot be read: %(error)s.") % {"error": exc}
        ) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no worksheet."))
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        headers = [" ".join(cell_text(value).split()) for value in next(rows, ())]
        records: Records = []
        for number, values in enumerate(rows, start=2):
            cells = list(values) if keep_dates else [cell_text(value) for value in values]
            if not all(is_empty(cell) for cell in cells):
                records.append((number, dict(zip(headers, cells, strict=False))))
    finally:
        workbook.close()
    return headers, records


# --- Uploads kept between the steps of a web import -----------------------------------------------


def check_upload_size(upload):
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


def command_user(username: str | None):
    """The user a command records as the author of its changes (None: nobody)."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
