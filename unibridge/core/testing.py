"""Helpers for tests of every app: browser log-in and accessibility, real test files.

Each app's factories are in its own ``tests/factories.py``."""

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from unibridge.core import documents as core_documents
from unibridge.core import uploads


def log_in(page, username: str, password: str = "password") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose(page, label: str, typed: str, option: str = "", *, within=None) -> None:
    """Pick an option of a searchable select (Tom Select): type into it, click the option.

    ``label`` is a regular expression of the field's label; ``option`` the option's text as
    the list shows it (``typed`` when empty); ``within`` a locator of the part of the page
    holding the field, when several fields share a label. A multiple select's list is
    closed after.
    """
    import re

    scope = within or page
    box = scope.locator("input[role=combobox]").and_(
        scope.get_by_role("combobox", name=re.compile(label))
    )
    box.focus()  # a single select's own input is tiny: a click may miss it
    page.keyboard.type(typed)
    dropdown = page.locator(".ts-dropdown:visible")
    dropdown.get_by_role("option", name=option or typed, exact=True).click()
    page.keyboard.press("Escape")
    box.blur()  # as a person moves on: the select closes before the next click


def assert_accessible(page) -> None:
    """Run axe-core on the page; serious and critical violations fail the test, and so does
    anything the page's Content-Security-Policy blocked (recorded by the ``page`` fixture)."""
    from axe_playwright_python.sync_playwright import Axe

    blocked = page.evaluate("window.__cspViolations || []")
    assert not blocked, f"{page.url}: Content-Security-Policy blocked {blocked}"

    results = Axe().run(page)
    violations = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(summary)


# --- Fixtures: a test module takes them by assignment (``soffice = testing.soffice``) ----------


@pytest.fixture
def soffice() -> str:
    """LibreOffice for PDF tests: skipped when missing, unless CI (REQUIRE_BROWSER) needs it."""
    path = core_documents.soffice_path()
    if path is None:
        message = "PDF tests need LibreOffice (apt-get install libreoffice-writer-nogui)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {message}")
        pytest.skip(message)
    return path


# --- Minimal real files of each accepted type, and reading generated ones -----------------------


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A 1×1 grey baseline JPEG: one-symbol Huffman tables, one block of DC 0 and EOB."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 1, 1, 1) + b"\x01\x11\x00"
    counts = b"\x01" + b"\x00" * 15
    dht_dc = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + counts + b"\x00"
    dht_ac = b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + counts + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    return b"\xff\xd8" + app0 + dqt + sof + dht_dc + dht_ac + sos + b"\x3f" + b"\xff\xd9"


def docx_bytes(text: str = "Hello") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def odt_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), uploads.ODT_TYPE, compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
            ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            "<office:document-content"
            ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            "<office:body><office:text><text:p>Hello</text:p></office:text></office:body>"
            "</office:document-content>",
        )
    return output.getvalue()


def text_of_docx(content: bytes) -> str:
    """The text of a DOCX: its paragraphs, then its tables' cells."""
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


def text_of_pdf(content: bytes) -> str:
    """The text of a PDF, white space folded."""
    pdf = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


def files_in(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


def messages_of(response) -> list[str]:
    """The texts of the messages a page shows."""
    return [str(message) for message in response.context["messages"]]
