"""Upload checks shared by every app: the type read from the content, size, names, storing."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from unibridge.agreements.models import AgreementDocument
from unibridge.core import uploads
from unibridge.core.testing import docx_bytes, jpeg_bytes, odt_bytes, pdf_bytes, png_bytes


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def error_of(file) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(file)
    return caught.value


# --- Checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("agreement.pdf", pdf_bytes, ("application/pdf", "pdf")),
        ("agreement.docx", docx_bytes, (uploads.DOCX_TYPE, "docx")),
        ("agreement.odt", odt_bytes, (uploads.ODT_TYPE, "odt")),
        ("scan.jpg", jpeg_bytes, ("image/jpeg", "jpg")),
        ("scan.JPEG", jpeg_bytes, ("image/jpeg", "jpg")),
        ("scan.png", png_bytes, ("image/png", "png")),
        ("scan-without-extension", pdf_bytes, ("application/pdf", "pdf")),
    ],
)
def test_each_accepted_type_is_recognised_from_its_content(name, make, expected):
    assert uploads.check_upload(upload(name, make())) == expected


def test_the_browsers_content_type_is_ignored():
    file = upload("scan.png", png_bytes(), content_type="application/pdf")
    assert uploads.check_upload(file) == ("image/png", "png")


def test_a_png_renamed_to_pdf_is_refused_naming_both_types():
    error = error_of(upload("contract.pdf", png_bytes(), "application/pdf"))
    assert error.code == "name_mismatch"
    message = error.messages[0]
    assert "contract.pdf" in message
    assert "PDF" in message
    assert "PNG" in message


def test_a_text_file_named_pdf_is_refused():
    error = error_of(upload("contract.pdf", b"Just some text, not a PDF.\n", "application/pdf"))
    assert error.code == "name_mismatch"
    assert "contract.pdf" in error.messages[0]
    assert "is not one" in error.messages[0]


def test_a_docx_named_odt_is_refused():
    error = error_of(upload("agreement.odt", docx_bytes()))
    assert error.code == "name_mismatch"


def test_an_unknown_type_is_refused_with_the_accepted_list():
    error = error_of(upload("notes.txt", b"plain text"))
    assert error.code == "unknown_type"
    assert "PDF, DOCX, ODT, JPG, PNG" in error.messages[0]


def test_a_zip_that_is_not_a_document_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    error = error_of(upload("table.zip", output.getvalue()))
    assert error.code == "unknown_type"
    assert "ZIP archive but not a DOCX or ODT" in error.messages[0]


def test_a_damaged_docx_is_refused():
    error = error_of(upload("agreement.docx", docx_bytes()[:200]))
    assert error.code == "name_mismatch"


def test_an_empty_file_is_refused():
    error = error_of(upload("empty.pdf", b""))
    assert error.code == "empty"
    assert "empty.pdf" in error.messages[0]


def test_a_file_over_20_mb_is_refused_with_its_size():
    content = pdf_bytes() + b"\0" * uploads.MAX_UPLOAD_BYTES
    error = error_of(upload("big.pdf", content))
    assert error.code == "too_large"
    assert "big.pdf" in error.messages[0]
    assert "limit of 20 MB" in error.messages[0]


def pdf_of_size(size: int) -> bytes:
    """A sound PDF of exactly ``size`` bytes: one page and an attachment that fills it up."""
    padding = size
    for _attempt in range(3):
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.add_attachment("padding.bin", b"\0" * padding)
        output = io.BytesIO()
        writer.write(output)
        if len(output.getvalue()) == size:
            return output.getvalue()
        padding -= len(output.getvalue()) - size
    raise AssertionError(f"no PDF of {size} bytes")


def test_a_file_of_exactly_20_mb_is_accepted():
    content = pdf_of_size(uploads.MAX_UPLOAD_BYTES)
    assert uploads.check_upload(upload("big.pdf", content)) == ("application/pdf", "pdf")


def test_a_pdf_followed_by_megabytes_of_junk_is_refused():
    content = pdf_bytes() + b"\0" * (uploads.MAX_UPLOAD_BYTES // 2)
    error = error_of(upload("big.pdf", content))
    assert error.code == "name_mismatch"
    assert "is named as a PDF document, but its content is not one" in error.messages[0]


# --- Names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\x.pdf", "x.pdf"),
        ("C:\\Users\\me\\Договор.pdf", "Договор.pdf"),
        ("..", "document"),
        ("", "document"),
        ("a\x00b\nc.pdf", "abc.pdf"),
        ('what?<is>"this".pdf', "what__is__this_.pdf"),
        ("  .hidden.pdf ", "hidden.pdf"),
    ],
)
def test_names_lose_paths_and_unsafe_characters(name, expected):
    assert uploads.safe_name(name) == expected


def test_long_names_keep_their_extension():
    name = uploads.safe_name("x" * 400 + ".pdf")
    assert len(name) == uploads.MAX_NAME_LENGTH
    assert name.endswith(".pdf")


def test_the_download_name_gets_the_contents_extension():
    assert uploads.download_name("scan", "pdf") == "scan.pdf"
    assert uploads.download_name("scan.PDF", "pdf") == "scan.PDF"
    assert uploads.download_name("photo.jpeg", "jpg") == "photo.jpeg"


def test_content_disposition_encodes_the_name_per_rfc_5987():
    header = uploads.content_disposition("Договор №1.pdf")
    assert header.startswith("attachment; ")
    assert "filename*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%E2%84%961.pdf" in header
    assert 'filename="' in header
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii()


# --- Storing ----------------------------------------------------------------------------------


def test_sha256_is_of_the_whole_content():
    content = pdf_bytes() + b"x" * 200_000
    assert uploads.sha256_of(upload("a.pdf", content)) == hashlib.sha256(content).hexdigest()


def test_stored_files_get_a_generated_name_inside_media_root(media_root):
    document = AgreementDocument()  # any StoredDocument subclass
    content = pdf_bytes()
    with uploads.stored(document, upload("../../etc/passwd.pdf", content), extension="pdf"):
        pass
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(media_root).resolve())
    assert "passwd" not in path.name
    assert path.suffix == ".pdf"
    assert path.read_bytes() == content
    assert document.original_name == "passwd.pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()


def test_a_failure_after_storing_removes_the_file(media_root):
    document = AgreementDocument()  # any StoredDocument subclass
    with (
        pytest.raises(RuntimeError),
        uploads.stored(document, upload("a.pdf", pdf_bytes()), extension="pdf"),
    ):
        raise RuntimeError("the row could not be saved")
    assert [p for p in Path(media_root).rglob("*") if p.is_file()] == []
