"""Uploaded files: checked by their content, stored under a generated name, served safely.

Every app that keeps files (agreement documents, visit documents…) goes through here::

    content_type, extension = uploads.check_upload(upload)           # ValidationError if bad
    with uploads.stored(document, upload, extension=extension):     # file removed on failure
        save_record(instance=document, user=user)
    ...
    return uploads.document_response(document)                      # after a visibility check

The type is read from the bytes (magic numbers; for DOCX and ODT the ZIP's entries), never
from the file name or the browser's content type, and a name that claims another type is
refused. Files live in MEDIA_ROOT (outside the web root) under a random name; the user's
name, cleaned of any path, is kept only for display and as the download's file name.
"""

import contextlib
import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, NamedTuple
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200
CHUNK_SIZE = 64 * 1024
# PDF readers accept the header anywhere in the first kilobyte (after a BOM or junk).
PDF_HEADER = re.compile(rb"%PDF-\d\.\d")

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"


class FileKind(NamedTuple):
    """An accepted type of file: its content type, canonical extension and other extensions."""

    content_type: str
    extension: str
    label: object  # a lazy translated label such as "a PDF document"
    other_extensions: tuple[str, ...] = ()


PDF = FileKind("application/pdf", "pdf", _("a PDF document"))
DOCX = FileKind(DOCX_TYPE, "docx", _("a Word document (DOCX)"))
ODT = FileKind(ODT_TYPE, "odt", _("an OpenDocument text (ODT)"))
JPEG = FileKind("image/jpeg", "jpg", _("a JPEG image"), ("jpeg",))
PNG = FileKind("image/png", "png", _("a PNG image"))

DOCUMENT_KINDS: tuple[FileKind, ...] = (PDF, DOCX, ODT, JPEG, PNG)
KINDS_BY_EXTENSION = {
    ext: kind for kind in DOCUMENT_KINDS for ext in (kind.extension, *kind.other_extensions)
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in KINDS_BY_EXTENSION)


# --- Checking ------------------------------------------------------------------------------------


def safe_name(name: str, *, default: str = "document") -> str:
    """The user's file name without any path, control or reserved characters.

    ``../../etc/passwd.pdf`` becomes ``passwd.pdf`` and ``..\\x.pdf`` becomes ``x.pdf``;
    the name is only shown and offered as the download's name, never used as a path.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return default
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _detect(upload: IO[bytes]) -> tuple[FileKind | None, str]:
    """The kind the bytes show, and what else they look like when not accepted."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if PDF_HEADER.search(head):
        return PDF, ""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, ""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG, ""
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return DOCX, ""
                if "mimetype" in names:
                    with archive.open("mimetype") as entry:
                        mimetype = entry.read(100).strip()
                    if mimetype == ODT_TYPE.encode():
                        return ODT, ""
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError):
            return None, "broken_zip"
        finally:
            upload.seek(0)
        return None, "other_zip"
    return None, ""


def _accepted_list(kinds: Iterable[FileKind]) -> str:
    return ", ".join(kind.extension.upper() for kind in kinds)


def check_upload(
    upload: File, *, kinds: Iterable[FileKind] = DOCUMENT_KINDS, max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[str, str]:
    """Check an uploaded file; return its content type and extension read from its content.

    Raises :class:`ValidationError` naming the problem: an empty or oversized file, a type
    that is not accepted, or a name whose extension claims another type than the content.
    """
    kinds = tuple(kinds)
    name = safe_name(getattr(upload, "name", "") or "")
    size = upload.size
    params = {"name": name, "accepted": _accepted_list(kinds)}
    if not size:
        raise ValidationError(_("The file “%(name)s” is empty."), code="empty", params=params)
    if size > max_bytes:
        raise ValidationError(
            _("The file “%(name)s” (%(size)s) is larger than the limit of %(limit)s MB."),
            code="too_large",
            params={**params, "size": filesizeformat(size), "limit": max_bytes // (1024 * 1024)},
        )
    kind, looks_like = _detect(upload)
    claimed = KINDS_BY_EXTENSION.get(_extension(name))
    if kind is None or kind not in kinds:
        if claimed is not None and claimed in kinds:
            raise ValidationError(
                _(
                    "The file “%(name)s” is named as %(claimed)s, but its content is not one "
                    "(it may be damaged or renamed). Accepted files: %(accepted)s."
                ),
                code="name_mismatch",
                params={**params, "claimed": claimed.label},
            )
        if looks_like == "broken_zip":
            message = _("The file “%(name)s” is a damaged ZIP archive; accepted: %(accepted)s.")
        elif looks_like == "other_zip":
            message = _(
                "The file “%(name)s” is a ZIP archive but not a DOCX or ODT document; "
                "accepted: %(accepted)s."
            )
        else:
            message = _(
                "The type of “%(name)s” is not accepted (read from its content); "
                "accepted: %(accepted)s."
            )
        raise ValidationError(message, code="unknown_type", params=params)
    if claimed is not None and claimed != kind:
        raise ValidationError(
            _(
                "The file “%(name)s” is named as %(claimed)s, but its content is %(actual)s. "
                "Rename it or upload the right file."
            ),
            code="name_mismatch",
            params={**params, "claimed": claimed.label, "actual": kind.label},
        )
    return kind.content_type, kind.extension


def sha256_of(upload: IO[bytes]) -> str:
    """The SHA-256 of a file's whole content (hex), read in chunks."""
    digest = hashlib.sha256()
    upload.seek(0)
    while chunk := upload.read(CHUNK_SIZE):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def download_name(original_name: str, extension: str) -> str:
    """The name offered for download: the sanitised original, with the content's extension."""
    name = safe_name(original_name)
    kind = KINDS_BY_EXTENSION.get(_extension(name))
    if kind is not None and kind == KINDS_BY_EXTENSION.get(extension):
        return name
    return f"{name}.{extension}"


# --- Storing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def stored(
    document: Model, content: File | bytes, *, extension: str, original_name: str = ""
) -> Iterator[Model]:
    """Write the file of a StoredDocument under a generated name and fill its file fields.

    The storage name is a random UUID with the content's extension, in the model's
    ``upload_to`` folder; ``original_name`` (or the upload's name) is kept, sanitised, for
    display. When the block raises (the row could not be saved), the file is deleted again.
    """
    if isinstance(content, bytes):
        content = ContentFile(content)
    name = original_name or getattr(content, "name", "") or ""
    document.original_name = download_name(name, extension) if name else f"document.{extension}"
    document.size = content.size
    document.sha256 = sha256_of(content)
    content.seek(0)
    document.file.save(f"{uuid.uuid4().hex}.{extension}", content, save=False)
    try:
        yield document
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise


# --- Serving ---------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real name RFC 5987-encoded."""
    filename = safe_name(filename)
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._ ()-]", "_", fallback).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def document_response(document: Model) -> FileResponse:
    """Send a StoredDocument as an attachment; call only after checking the user may see it."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("The file of this document is missing.")) from error
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition(document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


def download(queryset: QuerySet, **lookup) -> FileResponse:
    """The file of the document ``lookup`` finds in ``queryset`` (the user's visible ones),
    else 404: the permission check and the response in one call."""
    return document_response(get_object_or_404(queryset, **lookup))
