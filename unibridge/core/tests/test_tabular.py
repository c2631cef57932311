"""The CSV and XLSX readers every importer shares, and the uploads kept between import steps."""

import datetime
import io
import os
import time

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import translation
from openpyxl import Workbook

from unibridge.accounts.tests.factories import UserFactory
from unibridge.core import tabular
from unibridge.core.tabular import ImportFileError


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- File names and mappings ----------------------------------------------------------------------


def test_the_format_follows_the_file_name():
    assert tabular.detect_format("register.CSV") == "csv"
    assert tabular.detect_format("register.tsv") == "csv"
    assert tabular.detect_format("register.xlsm") == "xlsx"
    assert tabular.detect_format("world.json", ("json", "csv", "xlsx")) == "json"


def test_an_unknown_file_name_names_the_formats_the_importer_takes():
    with pytest.raises(ImportFileError, match=r"choose CSV or XLSX\.$"):
        tabular.detect_format("world.json")
    with pytest.raises(ImportFileError, match=r"“notes” from its name; choose JSON, CSV or XLSX"):
        tabular.detect_format("notes", ("json", "csv", "xlsx"))


def test_a_mapping_is_read_from_field_equals_header_pairs():
    assert tabular.parse_mapping([" name = University ", "country=Kraj"]) == {
        "name": "University",
        "country": "Kraj",
    }
    for pair in ("name", "=University", "name="):
        with pytest.raises(ImportFileError, match="field=Column header"):
            tabular.parse_mapping([pair])


def test_an_empty_header_leaves_a_field_out_only_where_allowed():
    assert tabular.parse_mapping(["status="], allow_empty=True) == {"status": ""}
    with pytest.raises(ImportFileError):
        tabular.parse_mapping(["=Status"], allow_empty=True)


def test_blank_values_are_empty():
    assert all(tabular.is_empty(value) for value in (None, "", "  \n", [], ["", None]))
    assert not any(tabular.is_empty(value) for value in ("x", 0, 0.0, False, ["", "x"]))


def test_the_bad_rows_message_is_translated_with_its_plural():
    assert tabular.bad_rows_message(1) == "The file has 1 bad row; nothing was imported."
    assert tabular.bad_rows_message(3) == "The file has 3 bad rows; nothing was imported."
    with translation.override("ru"):
        assert "3" in tabular.bad_rows_message(3)
        assert "nothing was imported" not in tabular.bad_rows_message(3)


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_records_are_numbered_as_a_spreadsheet_shows_them_and_blank_lines_skipped():
    headers, records = tabular.read_csv(b"name,country\r\nAGH,PL\r\n\r\n , \r\nUW,PL\r\n")
    assert headers == ["name", "country"]
    assert records == [(2, {"name": "AGH", "country": "PL"}), (5, {"name": "UW", "country": "PL"})]


def test_a_byte_order_mark_is_not_part_of_the_first_header():
    headers, records = tabular.read_csv("\ufeffname,city\nAGH,Kraków\n".encode())
    assert headers == ["name", "city"]
    assert records[0][1]["city"] == "Kraków"


@pytest.mark.parametrize(
    "data",
    [
        b"name;note\nA, B;x\n",
        b"name\tnote\nA, B; C\tx\n",
        b'name,note\n"A, B",x\n',
    ],
)
def test_the_delimiter_is_the_one_that_splits_the_header_line(data):
    headers, records = tabular.read_csv(data)
    assert headers[0] == "name"
    assert records[0][1]["name"].startswith("A, B")
    assert records[0][1]["note"] == "x"


def test_a_header_line_without_a_delimiter_is_read_as_comma_separated():
    assert tabular.read_csv(b"name\nA; B, C\n")[1] == [(2, {"name": "A; B"})]


def test_delimiters_inside_quoted_headers_do_not_count():
    headers, records = tabular.read_csv(b'"Name; full";"City, town"\nAGH;Krakow\n')
    assert headers == ["Name; full", "City, town"]
    assert records == [(2, {"Name; full": "AGH", "City, town": "Krakow"})]


def test_headers_are_stripped_and_short_rows_keep_what_they_have():
    headers, records = tabular.read_csv(b" name , city \nAGH\n")
    assert headers == ["name", "city"]
    assert records == [(2, {"name": "AGH"})]


def test_a_broken_csv_file_says_near_which_line():
    data = b"name,note\nAGH,ok\nUW," + b"x" * 140_000 + b"\n"
    with pytest.raises(ImportFileError, match=r"broken near line 3: field larger than field limit"):
        tabular.read_csv(data)


@pytest.mark.parametrize("data", [b"", b"\r\n \r\n", b"\xef\xbb\xbf"])
def test_an_empty_csv_file_is_refused(data):
    with pytest.raises(ImportFileError, match=r"^The file is empty\.$"):
        tabular.read_csv(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (xlsx_bytes([["name"]]), r"^This file is a ZIP archive or an XLSX workbook, not CSV\.$"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"^This file is not CSV: it holds binary data"),
        (
            b"name\nUniversit\xe9\n",
            r"^This file is not UTF-8 text \(byte 15\); save it as UTF-8 CSV",
        ),
    ],
)
def test_a_file_that_is_not_utf8_text_is_refused_with_the_reason(data, expected):
    with pytest.raises(ImportFileError, match=expected):
        tabular.read_csv(data)


def test_decode_names_the_format_it_expected():
    with pytest.raises(ImportFileError, match="not JSON"):
        tabular.decode(b"PK\x03\x04rest", "JSON")
    assert tabular.decode("\ufeff[]".encode(), "JSON") == "[]"


# --- XLSX -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name,country\nAGH,PL\n", r"^This file is not an XLSX workbook\.$"),
        (b"", r"^This file is not an XLSX workbook\.$"),
        (b"PK\x03\x04garbage", r"^This XLSX workbook cannot be read: "),
    ],
)
def test_bytes_that_are_not_a_workbook_are_refused(data, expected):
    with pytest.raises(ImportFileError, match=expected):
        tabular.read_xlsx(data, keep_dates=False)


def test_xlsx_headers_are_text_with_white_space_folded():
    data = xlsx_bytes([["Partner\ninstitution ", 2024.0, None], ["AGH", "x", ""]])
    headers, records = tabular.read_xlsx(data, keep_dates=True)
    assert headers == ["Partner institution", "2024", ""]
    assert records == [(2, {"Partner institution": "AGH", "2024": "x", "": None})]


def test_xlsx_dates_stay_dates_when_kept_and_are_iso_text_otherwise():
    signed = datetime.datetime(2024, 3, 1)
    data = xlsx_bytes([["title", "signed", "copies"], ["MoU", signed, 2.0]])

    _headers, records = tabular.read_xlsx(data, keep_dates=True)
    assert records == [(2, {"title": "MoU", "signed": signed, "copies": 2})]

    _headers, records = tabular.read_xlsx(data, keep_dates=False)
    assert records == [(2, {"title": "MoU", "signed": "2024-03-01T00:00:00", "copies": "2"})]


def test_empty_xlsx_rows_are_skipped_and_row_numbers_kept():
    data = xlsx_bytes([["name"], ["AGH"], [None], ["  "], ["UW"]])
    for keep_dates in (True, False):
        _headers, records = tabular.read_xlsx(data, keep_dates=keep_dates)
        assert [number for number, _record in records] == [2, 5]


def test_a_workbook_without_rows_has_no_headers():
    assert tabular.read_xlsx(xlsx_bytes([]), keep_dates=False) == ([], [])


# --- Limits: refused before the work starts ------------------------------------------------------


@pytest.fixture
def limits(settings):
    settings.IMPORT_MAX_ROWS = 3
    settings.IMPORT_MAX_COLUMNS = 3
    return settings


def test_files_are_read_from_a_path_or_an_open_file_as_from_bytes(tmp_path):
    data = b"name,city\r\nAGH,Krakow\r\n"
    (tmp_path / "a.csv").write_bytes(data)
    expected = tabular.read_csv(data)
    assert tabular.read_csv(tmp_path / "a.csv") == expected
    with open(tmp_path / "a.csv", "rb") as stream:
        assert tabular.read_csv(stream) == expected
        assert not stream.closed  # the caller's file stays open
    (tmp_path / "a.xlsx").write_bytes(xlsx_bytes([["name"], ["AGH"]]))
    assert tabular.read_xlsx(tmp_path / "a.xlsx", keep_dates=False) == (
        ["name"],
        [(2, {"name": "AGH"})],
    )


def test_a_csv_file_with_more_rows_than_the_limit_is_refused_without_reading_further(limits):
    rows = b"name\r\nA\r\nB\r\nC\r\n"
    assert len(tabular.read_csv(rows)[1]) == 3
    # the fifth row is broken: reading stops at the fourth, one past the limit
    with pytest.raises(
        tabular.TooManyRows, match=r"^The file has more than 3 rows; split it into smaller files\.$"
    ):
        tabular.read_csv(rows + b'D\r\n"broken' + b"x" * 140_000 + b"\r\n")


def test_a_lower_row_limit_of_the_caller_applies_and_large_limits_are_written_in_full(settings):
    with pytest.raises(tabular.TooManyRows, match="more than 1 row;"):
        tabular.read_csv(b"name\nA\nB\n", max_rows=1)
    settings.IMPORT_MAX_ROWS = 50_000
    with translation.override("en"):
        assert "more than 50,000 rows" in str(tabular.TooManyRows(50_000))


def test_a_csv_file_with_more_columns_than_the_limit_is_refused(limits):
    assert tabular.read_csv(b"a,b,c\n1,2,3,,\n")[1] == [(2, {"a": "1", "b": "2", "c": "3"})]
    message = r"^The file has more than 3 columns; keep only the columns to import\.$"
    with pytest.raises(ImportFileError, match=message):
        tabular.read_csv(b"a,b,c,d\n1,2,3,4\n")
    with pytest.raises(ImportFileError, match=message):
        tabular.read_csv(b"a,b,c\n1,2,3,4\n")


def test_a_workbook_with_more_rows_or_columns_than_the_limit_is_refused(limits):
    assert len(tabular.read_xlsx(xlsx_bytes([["n"], [1], [2], [3]]), keep_dates=True)[1]) == 3
    with pytest.raises(tabular.TooManyRows, match="more than 3 rows"):
        tabular.read_xlsx(xlsx_bytes([["n"], [1], [2], [3], [4], [5]]), keep_dates=True)
    with pytest.raises(ImportFileError, match="more than 3 columns"):
        tabular.read_xlsx(xlsx_bytes([["a", "b", "c", "d"]]), keep_dates=False)
    with pytest.raises(ImportFileError, match="more than 3 columns"):
        tabular.read_xlsx(xlsx_bytes([["a"], [1, None, None, 4]]), keep_dates=False)


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_opened(settings):
    data = xlsx_bytes([["name"], *([f"University number {i} " * 20] for i in range(2000))])
    assert len(data) < 200_000  # small on disk: its text compresses well
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 500_000
    message = (
        r"^This workbook unpacks to [\d.]+\sMB, more than the limit of 488\.3\sKB; "
        r"split it into smaller files, or save it as CSV\.$"
    )
    with pytest.raises(ImportFileError, match=message):
        tabular.read_xlsx(data, keep_dates=False)
    with pytest.raises(ImportFileError, match=message):
        tabular.sniff(io.BytesIO(data), "xlsx")


def test_sniffing_refuses_a_file_that_is_plainly_not_its_format_and_rewinds_it():
    with pytest.raises(ImportFileError, match="not CSV: it holds binary data"):
        tabular.sniff(b"\x89PNG\r\n\x1a\n\x00\x00", "csv")
    with pytest.raises(ImportFileError, match="not an XLSX workbook"):
        tabular.sniff(b"name\n", "xlsx")
    stream = io.BytesIO(xlsx_bytes([["name"]]))
    tabular.sniff(stream, "xlsx")
    assert stream.tell() == 0


# --- Uploads kept between the steps of a web import -----------------------------------------------


@pytest.fixture
def session_request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


def test_an_upload_is_kept_under_a_token_until_discarded(media_root, session_request):
    store = tabular.UploadStore(session_key="test_imports", prefix="test-")
    token = store.add(session_request, b"name\nAGH\n", {"name": "a.csv"})

    assert tabular.TOKEN_RE.match(token)
    assert store.path(token) == media_root / "imports" / f"test-{token}.upload"
    assert store.path(token).read_bytes() == b"name\nAGH\n"
    assert store.get(session_request, token) == {"name": "a.csv"}

    store.set(session_request, token, {"name": "a.csv", "mapping": {"name": "name"}})
    assert store.get(session_request, token)["mapping"] == {"name": "name"}

    store.discard(session_request, token)
    assert store.get(session_request, token) is None
    assert not store.path(token).exists()


def test_a_released_upload_keeps_its_file_for_the_task(media_root, session_request):
    store = tabular.UploadStore(session_key="test_imports")
    token = store.add(session_request, b"x", {})
    store.release(session_request, token)
    assert store.get(session_request, token) is None
    assert store.path(token).exists()


def test_a_token_of_another_session_or_a_forged_one_finds_nothing(media_root, session_request):
    store = tabular.UploadStore(session_key="test_imports")
    token = store.add(session_request, b"x", {})
    other = RequestFactory().post("/")
    other.session = SessionStore()
    assert store.get(other, token) is None
    assert store.get(session_request, "../../settings") is None
    store.discard(session_request, "../" + token)  # names no file: nothing happens
    assert store.path(token).exists()


def test_an_upload_whose_file_is_gone_is_expired(media_root, session_request):
    store = tabular.UploadStore(session_key="test_imports")
    token = store.add(session_request, b"x", {})
    store.path(token).unlink()
    assert store.get(session_request, token) is None


def test_uploads_older_than_a_day_are_deleted_on_the_next_upload(media_root, session_request):
    store = tabular.UploadStore(session_key="test_imports", prefix="test-")
    old = store.add(session_request, b"x", {})
    other_import = media_root / "imports" / "other-old.upload"
    other_import.write_bytes(b"y")
    day_ago = time.time() - tabular.UPLOAD_MAX_AGE_SECONDS - 60
    for path in (store.path(old), other_import):
        os.utime(path, (day_ago, day_ago))

    new = store.add(session_request, b"z", {})

    assert not store.path(old).exists()
    assert store.path(new).exists()
    assert other_import.exists(), "another import's uploads are its own to clean up"


def test_uploads_over_20_mb_are_refused():
    small = SimpleUploadedFile("a.csv", b"name\n")
    assert tabular.check_upload_size(small) is small
    large = SimpleUploadedFile("a.csv", b"")
    large.size = tabular.MAX_UPLOAD_BYTES + 1
    with pytest.raises(ValidationError, match="larger than the limit of 20 MB"):
        tabular.check_upload_size(large)


# --- The import commands --------------------------------------------------------------------------


def test_a_command_says_which_file_it_cannot_read(tmp_path):
    (tmp_path / "ok.csv").write_bytes(b"name\n")
    assert tabular.read_file(tmp_path / "ok.csv") == b"name\n"
    with pytest.raises(CommandError, match=r"No such file: .*missing\.csv"):
        tabular.read_file(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match=r"^Cannot read "):
        tabular.read_file(tmp_path)


def test_a_command_records_the_user_it_is_given(db):
    user = UserFactory(username="importer")
    assert tabular.command_user("importer") == user
    assert tabular.command_user(None) is None
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        tabular.command_user("nobody")
