"""The attack corpus: files an attacker might upload, kept in files/attacks/.

Rebuild the files with ``python -m unibridge.core.tests.attack_files``; test_upload_attacks.py
checks that each is refused, and that the stored files are what this module builds. They are
small on purpose: the ZIP bomb declares 2 GiB in 27 KB (its parts share one compressed block).
"""

import io
import struct
import zipfile
import zlib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "files" / "attacks"
# A fixed time stamp: the same bytes on every rebuild.
STAMP = (2025, 1, 1, 0, 0, 0)
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
ODT_TYPE = "application/vnd.oasis.opendocument.text"


def docx_parts(main_type: str = DOCX_MAIN) -> list[tuple[str, bytes]]:
    """The parts of a minimal Word document."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Memorandum</w:t></w:r></w:p></w:body></w:document>"
    )
    return [
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", rels.encode()),
        ("word/document.xml", document.encode()),
    ]


def odt_parts() -> list[tuple[str, bytes]]:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_TYPE}"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
    )
    return [
        ("mimetype", ODT_TYPE.encode()),
        ("META-INF/manifest.xml", manifest.encode()),
        ("content.xml", content.encode()),
    ]


def zip_of(parts: list[tuple[str, bytes]]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(zipfile.ZipInfo(name, STAMP), data, zipfile.ZIP_DEFLATED)
    return output.getvalue()


def overlapping_bomb(*, block_bytes: int = 8 * 1024 * 1024, copies: int = 256) -> bytes:
    """A DOCX whose media parts all point at one compressed block of zeros (2 GiB unpacked).

    The central directory gets ``copies - 1`` more records for the block's one local header
    (the overlapping ZIP bomb): naive extractors write the block out ``copies`` times.
    """
    archive = zip_of([*docx_parts(), ("word/media/zeros.bin", b"\0" * block_bytes)])
    eocd_at = archive.rindex(b"PK\x05\x06")
    count, directory_size, directory_at = struct.unpack(
        "<HII", archive[eocd_at + 10 : eocd_at + 20]
    )
    directory = archive[directory_at : directory_at + directory_size]
    record = directory[directory.rindex(b"PK\x01\x02") :]  # the block's record
    name_length = struct.unpack("<H", record[28:30])[0]
    for index in range(1, copies):
        name = f"word/media/zeros{index:04}.bin".encode()
        directory += record[:28] + struct.pack("<H", len(name)) + record[30:46] + name
        directory += record[46 + name_length :]
    total = count + copies - 1
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, total, total, len(directory), directory_at, 0)
    return archive[:directory_at] + directory + eocd


def lying_sizes() -> bytes:
    """A DOCX whose media part claims to unpack to 1,000 bytes but unpacks to 1 MiB."""
    data = b"\0" * (1024 * 1024)
    archive = bytearray(zip_of([*docx_parts(), ("word/media/liar.bin", data)]))
    # The size is stored in the local header (offset 22) and the central record (offset 24).
    name = b"word/media/liar.bin"
    local = archive.index(name) - 30
    archive[local + 22 : local + 26] = struct.pack("<I", 1000)
    central = archive.rindex(name) - 46
    archive[central + 24 : central + 28] = struct.pack("<I", 1000)
    return bytes(archive)


def with_name(parts: list[tuple[str, bytes]], placeholder: bytes, real: bytes) -> bytes:
    """A ZIP of the parts with a placeholder in a name replaced by bytes zipfile won't write."""
    archive = zip_of(parts)
    assert archive.count(placeholder) == 2, "once in the local header, once in the directory"
    return archive.replace(placeholder, real)


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>\n"
)
PE_STUB = b"MZ" + b"\x90\x00" * 29 + struct.pack("<I", 64) + b"PE\0\0" + b"\x4c\x01" + b"\0" * 58
ELF_STUB = b"\x7fELF\x02\x01\x01" + b"\0" * 57

# name → content; test_upload_attacks.py says how each is refused.
CORPUS = {
    "renamed-executable.pdf": PE_STUB,
    "renamed-elf.docx": ELF_STUB,
    "polyglot-html-comment.pdf": b"<!DOCTYPE html>\n<!-- %PDF-1.4 -->\n" + HTML,
    "polyglot-pdf-header-html.pdf": b"%PDF-1.4\n" + HTML + b"%%EOF\n",
    "polyglot-jpeg-html.jpg": b"\xff\xd8\xff\xe0" + HTML,
    "polyglot-html-docx.docx": HTML + zip_of(docx_parts()),
    "zip-bomb.docx": overlapping_bomb(),
    "zip-lying-sizes.docx": lying_sizes(),
    "traversal.docx": zip_of([*docx_parts(), ("../../../../tmp/evil.sh", b"#!/bin/sh\n")]),
    "traversal-backslash.docx": zip_of([*docx_parts(), ("..\\..\\evil.bat", b"@echo off\n")]),
    "absolute-name.odt": zip_of([*odt_parts(), ("/etc/cron.d/evil", b"* * * * * root id\n")]),
    "nul-name.docx": with_name(
        [*docx_parts(), ("word/media/a.png!.exe", PE_STUB)], b"png!.exe", b"png\0.exe"
    ),
    "macro-enabled.docx": zip_of([*docx_parts(DOCM_MAIN), ("word/vbaProject.bin", b"\0" * 64)]),
    "script.svg": SVG,
    "script-svg.png": SVG,
    "pixel-bomb.png": png_header_only(50_000, 50_000),
}


if __name__ == "__main__":
    for name, content in CORPUS.items():
        (FOLDER / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")
