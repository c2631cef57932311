"""Uploaded files: checked by their content, stored under a generated name, served safely.

Every app that keeps files (agreement documents, visit documents…) goes through here::

    content_type, extension = uploads.check_upload(upload)           # ValidationError if bad
    with uploads.stored(document, upload, extension=extension):     # file removed on failure
        save_record(instance=document, user=user)
    ...
    return uploads.document_response(document)                      # after a visibility check

The type is read from the bytes, never from the file name or the browser's content type,
and a name that claims another type is refused. The signature (``filetype``) only says what
a file claims to be; its structure must then hold up: a PDF must parse (pypdf), PNG chunks
and JPEG segments must be in order, and a DOCX or ODT must be a ZIP with the parts of its
type, safe part names, and a bounded number of parts and unpacked size (no ZIP bombs).
Files live in MEDIA_ROOT (outside the web root) under a random name; the user's name,
cleaned of any path, is kept only for display and as the download's file name.
"""

import contextlib
import hashlib
import itertools
import re
import struct
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, NamedTuple
from urllib.parse import quote
from xml.etree import ElementTree

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200
CHUNK_SIZE = 64 * 1024
# A DOCX or ODT is a ZIP: bounded so that a small upload cannot unpack to gigabytes.
MAX_ARCHIVE_ENTRIES = 2000
MAX_UNPACKED_BYTES = 10 * MAX_UPLOAD_BYTES
MAX_MANIFEST_BYTES = 1024 * 1024  # [Content_Types].xml and the ODT's mimetype are small
PDF_TAIL_BYTES = 64 * 1024  # where the %%EOF marker must be
# Images are decoded later (previews, documents built from photos): a pixel bomb is refused.
MAX_IMAGE_PIXELS = 100_000_000

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


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


# --- Reading the content -------------------------------------------------------------------------

_ZIP = filetype.get_type(mime="application/zip")
# SOF0–SOF15 start a JPEG frame, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Errors zipfile, zlib and ElementTree raise on a damaged or truncated archive.
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    KeyError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    zlib.error,
    ElementTree.ParseError,
)


def _detect(upload: IO[bytes], params: dict) -> tuple[FileKind | None, str]:
    """The kind the content shows, else ``None`` and what it looks like when not accepted.

    The signature says what the file claims to be; a claim whose structure does not hold up
    gives ``None`` with a hint ("broken_pdf", "broken_zip"…): the file is damaged or another
    kind in disguise. An archive or image built to harm (a ZIP bomb, unsafe part names,
    macros, a pixel bomb) raises :class:`ValidationError` whatever the file is named.
    """
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    try:
        if mime == PDF.content_type:
            return (PDF, "") if _pdf_is_sound(upload) else (None, "broken_pdf")
        if mime == PNG.content_type:
            return (PNG, "") if _png_is_sound(upload, params) else (None, "broken_image")
        if mime == JPEG.content_type:
            return (JPEG, "") if _jpeg_is_sound(upload, params) else (None, "broken_image")
        # filetype names ZIP-based formats variously (docx, odt, xlsx, epub…): the parts decide.
        if _ZIP.match(head):
            return _detect_archive(upload, params)
    finally:
        upload.seek(0)
    return None, ""


def _pdf_is_sound(upload: IO[bytes]) -> bool:
    """Whether pypdf reads the cross-reference table, the trailer and at least one page."""
    # The end-of-file marker belongs at the end (Acrobat wants it in the last kilobyte); pypdf
    # would look for it byte by byte through megabytes of junk, seconds of work per upload.
    upload.seek(0, 2)
    upload.seek(max(0, upload.tell() - PDF_TAIL_BYTES))
    if b"%%EOF" not in upload.read():
        return False
    upload.seek(0)
    try:
        return len(PdfReader(upload).pages) > 0
    except (FileNotDecryptedError, DependencyError):
        # Password-protected: reaching its encryption dictionary took a sound structure.
        return True
    except Exception:  # pypdf raises many kinds of error on hostile input: all mean "no PDF"
        return False


def _check_pixels(width: int, height: int, params: dict) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _(
                "The image “%(name)s” is %(width)s × %(height)s pixels, more than the "
                "%(limit)s megapixels accepted."
            ),
            code="too_many_pixels",
            params={**params, "width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 10**6},
        )


def _png_is_sound(upload: IO[bytes], params: dict) -> bool:
    """Whether the chunks run from the header (IHDR) through image data to IEND, checksums
    right."""
    upload.seek(8)  # past the signature
    first, has_data = True, False
    while True:
        header = upload.read(8)
        if len(header) < 8:
            return False
        length, kind = struct.unpack(">I4s", header)
        data = upload.read(length)
        checksum = upload.read(4)
        if len(data) != length or len(checksum) != 4:
            return False
        if zlib.crc32(kind + data) != struct.unpack(">I", checksum)[0]:
            return False
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width, height = struct.unpack(">II", data[:8])
            if not width or not height:
                return False
            _check_pixels(width, height, params)
            first = False
        elif kind == b"IDAT":
            has_data = True
        elif kind == b"IEND":
            return has_data


def _jpeg_is_sound(upload: IO[bytes], params: dict) -> bool:
    """Whether the segments run from the start marker through a frame header to a scan."""
    upload.seek(2)  # past SOI
    has_frame = False
    while True:
        if upload.read(1) != b"\xff":
            return False
        marker = upload.read(1)
        while marker == b"\xff":  # fill bytes
            marker = upload.read(1)
        if not marker or marker in (b"\xd8", b"\xd9"):  # the end, or a second start, too soon
            return False
        code = marker[0]
        if code == 0x01 or 0xD0 <= code <= 0xD7:  # markers without a length
            continue
        raw_length = upload.read(2)
        if len(raw_length) < 2 or (length := struct.unpack(">H", raw_length)[0]) < 2:
            return False
        segment = upload.read(length - 2)
        if len(segment) != length - 2:
            return False
        if code in _JPEG_FRAME_MARKERS:
            if len(segment) < 5:
                return False
            height, width = struct.unpack(">HH", segment[1:5])
            if not width:  # the height may come later (DNL), the width may not
                return False
            _check_pixels(width, height, params)
            has_frame = True
        elif code == 0xDA:  # start of scan: the entropy-coded data follows
            return has_frame


def _detect_archive(upload: IO[bytes], params: dict) -> tuple[FileKind | None, str]:
    """DOCX or ODT when the ZIP is safe and has the parts of one; else what it looks like."""
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            _check_archive_layout(infos, params)
            kind = _document_in(archive, params)
            if kind is None:
                return None, "other_zip"
            # Unpacking every part checks its checksum: the sizes the directory declares (and
            # the layout check bounded) are then the sizes the parts really unpack to.
            for info in infos:
                with archive.open(info) as part:
                    while part.read(CHUNK_SIZE):
                        pass
            return kind, ""
    except _ARCHIVE_ERRORS:
        return None, "broken_zip"


def _unsafe_archive(params: dict, message, **extra) -> ValidationError:
    return ValidationError(message, code="unsafe_archive", params={**params, **extra})


def _shown(entry_name: str) -> str:
    """A part's name fit to show in a message: control characters escaped, length bounded."""
    shown = "".join(
        f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in entry_name
    )
    return shown[:100]


def _check_archive_layout(infos: list[zipfile.ZipInfo], params: dict) -> None:
    """Refuse ZIP bombs (too many parts, too large unpacked, overlapping parts) and part
    names that could escape a folder or mean two things (paths, NUL bytes, duplicates)."""
    if len(infos) > MAX_ARCHIVE_ENTRIES:
        raise _unsafe_archive(
            params,
            _(
                "The file “%(name)s” holds %(count)s packed parts, more than the %(limit)s a "
                "document may have."
            ),
            count=len(infos),
            limit=MAX_ARCHIVE_ENTRIES,
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _unsafe_archive(
            params,
            _(
                "The file “%(name)s” would unpack to %(size)s, more than the limit of "
                "%(limit)s MB for a document."
            ),
            size=filesizeformat(unpacked),
            limit=MAX_UNPACKED_BYTES // (1024 * 1024),
        )
    seen: set[str] = set()
    for info in infos:
        # orig_filename is the name as stored: zipfile cuts what follows a NUL from .filename.
        entry = info.orig_filename
        parts = entry.replace("\\", "/").split("/")
        unsafe = (
            any(unicodedata.category(ch) == "Cc" for ch in entry)
            or entry.startswith(("/", "\\"))
            or "\\" in entry
            or ".." in parts
            or re.match(r"[A-Za-z]:", entry)
        )
        if unsafe:
            raise _unsafe_archive(
                params,
                _("The file “%(name)s” contains a part with an unsafe name (“%(entry)s”)."),
                entry=_shown(entry),
            )
        if entry.casefold() in seen:
            raise _unsafe_archive(
                params,
                _("The file “%(name)s” contains two parts named “%(entry)s”."),
                entry=_shown(entry),
            )
        seen.add(entry.casefold())
    # A part's local header and data come before the next part; a bomb shares its data.
    by_offset = sorted(infos, key=lambda info: info.header_offset)
    for before, after in itertools.pairwise(by_offset):
        if before.header_offset + 30 + before.compress_size > after.header_offset:
            raise _unsafe_archive(
                params,
                _(
                    "The file “%(name)s” has packed parts that overlap, a trick of ZIP bombs; "
                    "it cannot be accepted."
                ),
            )


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """A small part (a manifest), refused when it is not small; no DTD (no entity bombs)."""
    if archive.getinfo(name).file_size > MAX_MANIFEST_BYTES:
        raise zipfile.BadZipFile(f"{name} is too large")
    data = archive.read(name)
    if b"<!DOCTYPE" in data.upper():
        raise zipfile.BadZipFile(f"{name} has a document type declaration")
    return data


def _document_in(archive: zipfile.ZipFile, params: dict) -> FileKind | None:
    """DOCX or ODT when the archive has the parts of one, else ``None``."""
    names = set(archive.namelist())
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        types = ElementTree.fromstring(_read_part(archive, "[Content_Types].xml"))
        main = next(
            (
                override.get("ContentType", "")
                for override in types.iter(f"{CONTENT_TYPES_NS}Override")
                if override.get("PartName", "").lower() == "/word/document.xml"
            ),
            "",
        )
        if main == DOCM_MAIN_TYPE or "word/vbaProject.bin" in names:
            raise ValidationError(
                _(
                    "The file “%(name)s” is a Word document with macros; macros are not "
                    "accepted. Save it as a plain Word document (DOCX) and upload that."
                ),
                code="macros",
                params=params,
            )
        return DOCX if main == DOCX_MAIN_TYPE else None
    odf_parts = {"mimetype", "content.xml", "META-INF/manifest.xml"}
    if odf_parts <= names and _read_part(archive, "mimetype").strip() == ODT_TYPE.encode():
        return ODT
    return None


def _accepted_list(kinds: Iterable[FileKind]) -> str:
    return ", ".join(kind.extension.upper() for kind in kinds)


def check_upload(
    upload: File, *, kinds: Iterable[FileKind] = DOCUMENT_KINDS, max_bytes: int = MAX_UPLOAD_BYTES
) -> tuple[str, str]:
    """Check an uploaded file; return its content type and extension read from its content.

    Raises :class:`ValidationError` naming the problem: an empty or oversized file, a type
    that is not accepted, content whose structure does not hold up (damaged, disguised, a ZIP
    or pixel bomb, unsafe part names, macros), or a name whose extension claims another type
    than the content.
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
    kind, looks_like = _detect(upload, params)
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
        elif looks_like == "broken_pdf":
            message = _(
                "The file “%(name)s” starts like a PDF document but cannot be read as one (it "
                "may be damaged, or another kind of file in disguise); accepted: %(accepted)s."
            )
        elif looks_like == "broken_image":
            message = _(
                "The file “%(name)s” starts like an image but cannot be read as one (it may be "
                "damaged, or another kind of file in disguise); accepted: %(accepted)s."
            )
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
