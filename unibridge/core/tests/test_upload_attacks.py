"""Hostile uploads: the attack corpus in files/attacks/ and variants built here, all refused.

The signature of a file only says what it claims to be; these files claim to be documents
or images and are executables, HTML, ZIP bombs or archives with unsafe part names.
"""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from unibridge.agreements.models import AgreementDocument
from unibridge.agreements.tests.factories import AgreementFactory
from unibridge.core import uploads
from unibridge.core.testing import files_in, jpeg_bytes, messages_of, pdf_bytes, png_bytes
from unibridge.core.tests import attack_files


def error_of(name: str, content: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(SimpleUploadedFile(name, content), **kwargs)
    return caught.value


def corpus_file(name: str) -> bytes:
    return (attack_files.FOLDER / name).read_bytes()


# --- The corpus ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "says"),
    [
        ("renamed-executable.pdf", "name_mismatch", "is named as a PDF document, but its content"),
        ("renamed-elf.docx", "name_mismatch", "is named as a Word document (DOCX), but its"),
        ("polyglot-html-comment.pdf", "name_mismatch", "is named as a PDF document, but its"),
        ("polyglot-pdf-header-html.pdf", "name_mismatch", "is named as a PDF document, but its"),
        ("polyglot-jpeg-html.jpg", "name_mismatch", "is named as a JPEG image, but its content"),
        ("polyglot-html-docx.docx", "name_mismatch", "is named as a Word document (DOCX)"),
        ("zip-bomb.docx", "unsafe_archive", "would unpack to 2.0\xa0GB, more than the limit of"),
        ("zip-lying-sizes.docx", "name_mismatch", "it may be damaged or renamed"),
        ("traversal.docx", "unsafe_archive", "unsafe name (“../../../../tmp/evil.sh”)"),
        ("traversal-backslash.docx", "unsafe_archive", "unsafe name (“..\\..\\evil.bat”)"),
        ("absolute-name.odt", "unsafe_archive", "unsafe name (“/etc/cron.d/evil”)"),
        ("nul-name.docx", "unsafe_archive", "unsafe name (“word/media/a.png\\x00.exe”)"),
        ("macro-enabled.docx", "macros", "is a Word document with macros"),
        ("script.svg", "unknown_type", "The type of “script.svg” is not accepted"),
        ("script-svg.png", "name_mismatch", "is named as a PNG image, but its content is not"),
        ("pixel-bomb.png", "too_many_pixels", "is 50000 × 50000 pixels, more than the 100"),
    ],
)
def test_every_file_of_the_attack_corpus_is_refused_saying_why(name, code, says):
    error = error_of(name, corpus_file(name))
    assert error.code == code
    [message] = error.messages
    assert f"“{name}”" in message
    assert says in message


def test_the_corpus_on_disk_is_what_attack_files_builds():
    stored = {path.name for path in attack_files.FOLDER.iterdir()}
    assert stored == set(attack_files.CORPUS)
    for name, content in attack_files.CORPUS.items():
        assert corpus_file(name) == content, f"rebuild {name}: python -m {attack_files.__name__}"


def test_the_zip_bomb_is_small_but_declares_gigabytes():
    content = corpus_file("zip-bomb.docx")
    declared = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert len(content) < 32 * 1024
    assert declared >= 2 * 1024**3


def test_a_polyglot_is_refused_even_without_an_extension():
    error = error_of("download", corpus_file("polyglot-pdf-header-html.pdf"))
    assert error.code == "unknown_type"
    assert "starts like a PDF document but cannot be read as one" in error.messages[0]


def test_a_refused_attack_leaves_no_document_and_no_file(office_client, home, media_root):
    agreement = AgreementFactory()
    response = office_client.post(
        f"/agreements/{agreement.uuid}/documents/upload/",
        {"file": SimpleUploadedFile("memo.pdf", corpus_file("polyglot-html-comment.pdf"))},
        follow=True,
    )
    [message] = messages_of(response)
    assert "“memo.pdf” is named as a PDF document, but its content is not one" in message
    assert not AgreementDocument.objects.exists()
    assert files_in(media_root) == []


# --- Archives built here -------------------------------------------------------------------------


def test_an_archive_with_too_many_parts_is_refused():
    parts = [(f"word/media/{index}.bin", b"") for index in range(uploads.MAX_ARCHIVE_ENTRIES)]
    content = attack_files.zip_of([*attack_files.docx_parts(), *parts])
    error = error_of("memo.docx", content)
    assert error.code == "unsafe_archive"
    assert "holds 2003 packed parts, more than the 2000 a document may have" in error.messages[0]


def test_parts_sharing_their_data_are_refused_even_under_the_size_limit():
    content = attack_files.overlapping_bomb(block_bytes=1024 * 1024, copies=10)
    error = error_of("memo.docx", content)
    assert error.code == "unsafe_archive"
    assert "packed parts that overlap" in error.messages[0]


def test_two_parts_of_the_same_name_are_refused():
    parts = attack_files.docx_parts()
    with pytest.warns(UserWarning, match="Duplicate name"):
        content = attack_files.zip_of([*parts, ("word/document.xml", b"<w:document/>")])
    error = error_of("memo.docx", content)
    assert error.code == "unsafe_archive"
    assert "contains two parts named “word/document.xml”" in error.messages[0]


def test_a_document_part_larger_than_declared_is_refused_as_damaged():
    error = error_of("memo", corpus_file("zip-lying-sizes.docx"))
    assert error.code == "unknown_type"
    assert "is a damaged ZIP archive" in error.messages[0]


def test_a_content_types_part_with_a_dtd_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    parts = [("[Content_Types].xml", bomb.encode()), *attack_files.docx_parts()[1:]]
    error = error_of("memo", attack_files.zip_of(parts))
    assert "is a damaged ZIP archive" in error.messages[0]


def test_a_spreadsheet_is_not_taken_for_a_word_document():
    parts = attack_files.docx_parts(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    )
    error = error_of("table", attack_files.zip_of(parts))
    assert "ZIP archive but not a DOCX or ODT" in error.messages[0]


def test_a_minimal_word_document_and_odt_of_the_corpus_builder_are_accepted():
    docx = attack_files.zip_of(attack_files.docx_parts())
    odt = attack_files.zip_of(attack_files.odt_parts())
    assert uploads.check_upload(SimpleUploadedFile("a.docx", docx)) == (uploads.DOCX_TYPE, "docx")
    assert uploads.check_upload(SimpleUploadedFile("a.odt", odt)) == (uploads.ODT_TYPE, "odt")


# --- PDFs and images -----------------------------------------------------------------------------


def test_a_truncated_pdf_is_refused():
    error = error_of("scan.pdf", pdf_bytes()[:150])
    assert error.code == "name_mismatch"


def test_a_password_protected_pdf_is_still_a_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    output = io.BytesIO()
    writer.write(output)
    file = SimpleUploadedFile("signed.pdf", output.getvalue())
    assert uploads.check_upload(file) == ("application/pdf", "pdf")


def test_a_png_with_a_wrong_checksum_is_refused():
    content = bytearray(png_bytes())
    content[-20] ^= 0xFF  # inside the image data, whose chunk checksum no longer matches
    error = error_of("photo", bytes(content))
    assert error.code == "unknown_type"
    assert "starts like an image but cannot be read as one" in error.messages[0]


def test_a_png_cut_before_its_end_chunk_is_refused():
    error = error_of("photo.png", png_bytes()[:-12])
    assert error.code == "name_mismatch"


def test_a_jpeg_without_a_frame_header_is_refused():
    # Start marker, an APP0 segment, then straight to the end marker.
    content = b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"JF" + b"\xff\xd9"
    error = error_of("photo.jpg", content)
    assert error.code == "name_mismatch"


def test_a_jpeg_of_too_many_pixels_is_refused():
    content = jpeg_bytes().replace(
        b"\xff\xc0" + struct.pack(">HBHH", 11, 8, 1, 1),
        b"\xff\xc0" + struct.pack(">HBHH", 11, 8, 20_000, 20_000),
    )
    error = error_of("photo.jpg", content, kinds=[uploads.JPEG])
    assert error.code == "too_many_pixels"
    assert "20000 × 20000 pixels" in error.messages[0]


def test_a_photo_of_the_largest_accepted_size_is_accepted():
    content = jpeg_bytes().replace(
        b"\xff\xc0" + struct.pack(">HBHH", 11, 8, 1, 1),
        b"\xff\xc0" + struct.pack(">HBHH", 11, 8, 10_000, 10_000),
    )
    assert uploads.check_upload(SimpleUploadedFile("photo.jpg", content)) == ("image/jpeg", "jpg")


def test_a_png_header_is_checked_with_its_checksum():
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    bad = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + b"\0\0\0\0"
    assert zlib.crc32(b"IHDR" + header) != 0
    assert error_of("a.png", bad + png_bytes()[33:]).code == "name_mismatch"
