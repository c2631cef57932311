"""The web import of institutions: the preview runs as a job, and large files are refused early.

The limits are set low here and the files are built in the test, so that a file "too large"
stays small enough to be fast.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from unibridge.core.models import Job
from unibridge.institutions.models import Institution

IMPORT_URL = "institutions:institution_import"


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_file(client, data: bytes, name: str):
    return client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data), "file_format": ""}
    )


def stored_uploads(media_root) -> list:
    imports = media_root / "imports"
    return list(imports.iterdir()) if imports.exists() else []


@pytest.fixture
def limits(settings):
    settings.IMPORT_MAX_ROWS = 50
    settings.IMPORT_MAX_COLUMNS = 5
    return settings


def test_the_preview_page_shows_the_check_in_progress_then_what_importing_would_do(
    office_client, office_user, media_root
):
    data = b"name,country\r\nNowa Uczelnia,PL\r\n"
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = post_file(office_client, data, "partners.csv")
    preview_url = response["Location"]
    job = Job.objects.get()
    assert (job.kind, job.status, job.user) == ("institution_preview", "queued", office_user)

    # The worker has not started: the page says so and asks again by itself.
    response = office_client.get(preview_url)
    page = response.content.decode()
    assert "The task worker is reading and checking partners.csv" in page
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    partial = office_client.get(preview_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="import-preview"' in partial

    for run in queued:
        run()

    page = office_client.get(preview_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Nowa Uczelnia" in page and 'name="token"' in page
    assert "every 2s" not in page
    job.refresh_from_db()
    assert job.result_url == preview_url
    assert Institution.objects.filter(name="Nowa Uczelnia").count() == 0


def test_a_csv_file_with_too_many_rows_fails_the_check_before_any_work_and_writes_nothing(
    office_client, media_root, limits
):
    lines = ["name,country", *(f"University {i},PL" for i in range(60))]
    # a broken line after the limit: reading stops before it, at row 52
    data = ("\r\n".join(lines) + '\r\n"broken' + "x" * 140_000 + "\r\n").encode()

    with (
        CaptureQueriesContext(connection) as queries,
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        response = post_file(office_client, data, "big.csv")

    job = Job.objects.get()
    assert job.status == "failed"
    assert job.message == "The file has more than 50 rows; split it into smaller files."
    # the institutions were never looked at: the error came before the check of the rows
    assert not any("institutions_institution" in query["sql"] for query in queries)
    page = office_client.get(response["Location"]).content.decode()
    assert "big.csv cannot be imported" in page
    assert "The file has more than 50 rows; split it into smaller files." in page
    assert 'name="token"' not in page
    assert stored_uploads(media_root) == []
    assert Institution.objects.count() == 0


def test_a_workbook_with_too_many_columns_fails_the_check(office_client, media_root, limits):
    data = xlsx_bytes([["name", "country", "city", "website", "pic", "notes"], ["A", "PL"]])

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_file(office_client, data, "wide.xlsx")

    page = office_client.get(response["Location"]).content.decode()
    assert "The file has more than 5 columns; keep only the columns to import." in page
    assert Job.objects.get().status == "failed"
    assert stored_uploads(media_root) == []


def test_a_json_file_with_too_many_items_fails_the_check(office_client, media_root, limits):
    data = json.dumps([{"name": f"U{i}", "country": "PL"} for i in range(51)]).encode()

    with TestCase.captureOnCommitCallbacks(execute=True):
        post_file(office_client, data, "world.json")

    assert Job.objects.get().message == (
        "The file has more than 50 rows; split it into smaller files."
    )
    assert Institution.objects.count() == 0


def test_a_workbook_that_unpacks_too_large_is_refused_on_the_form_and_not_kept(
    office_client, media_root, settings
):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 200_000
    data = xlsx_bytes([["name", "country"], *([f"University {i} " * 10, "PL"] for i in range(800))])

    response = post_file(office_client, data, "bomb.xlsx")

    assert response.status_code == 200
    error = response.context["form"].errors["file"][0]
    assert error.startswith("This workbook unpacks to ")
    assert "more than the limit of 195.3\xa0KB" in error
    assert not Job.objects.exists()
    assert stored_uploads(media_root) == []


def test_a_preview_of_another_session_is_not_shown(office_client, admin_client_, media_root):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_file(office_client, b"name,country\r\nA,PL\r\n", "a.csv")

    response = admin_client_.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == reverse(IMPORT_URL)
