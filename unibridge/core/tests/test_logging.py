"""Logs: one line per refused request, tracebacks for faults, a request id everywhere.

The tests read what the configured console handler (settings.LOGGING) writes, as a
deployment's log would show it.
"""

import datetime
import io
import logging
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger

from unibridge.core.models import Job
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory

ROOT = Path(__file__).resolve().parents[3]
TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def console():
    """What the console handler writes while the test runs."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def lines(console) -> list[str]:
    return console.getvalue().splitlines()


def test_a_404_is_one_warning_line_with_the_request_id_and_the_user(console, office_client):
    response = office_client.get("/no-such-page/", HTTP_X_REQUEST_ID="ticket-4711.a_b")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "ticket-4711.a_b"
    [line] = lines(console)
    assert re.fullmatch(
        rf"{TIME} WARNING django.request \[ticket-4711.a_b office\] Not Found: /no-such-page/",
        line,
    )


def test_a_permission_denied_403_is_one_line_without_its_traceback(console, viewer_client):
    response = viewer_client.get(reverse("institutions:institution_import"))

    assert response.status_code == 403
    request_id = response["X-Request-ID"]
    assert NEW_ID.fullmatch(request_id)
    # Django logs the PermissionDenied with its traceback attached; the log shows one line.
    [line] = lines(console)
    assert re.fullmatch(
        rf"{TIME} WARNING django.request \[{request_id} viewer\] "
        r"Forbidden \(Permission denied\): /institutions/import/",
        line,
    )


def test_an_anonymous_request_logs_a_dash_for_the_user(console, client):
    response = client.get("/no-such-page/")

    assert f"[{response['X-Request-ID']} -] Not Found: /no-such-page/" in console.getvalue()


@pytest.mark.urls("unibridge.core.tests.logging_urls")
def test_a_500_keeps_its_traceback(console, office_user):
    client = Client(raise_request_exception=False)
    client.force_login(office_user)

    response = client.get("/test-failure/", HTTP_X_REQUEST_ID="fault-1")

    assert response.status_code == 500
    assert response["X-Request-ID"] == "fault-1"
    first, traceback, *_frames, error = lines(console)
    assert re.fullmatch(
        rf"{TIME} ERROR django.request \[fault-1 office\] Internal Server Error: /test-failure/",
        first,
    )
    assert traceback == "Traceback (most recent call last):"
    assert error == "RuntimeError: the test view failed on purpose"


@pytest.mark.parametrize(
    "incoming",
    ["x" * 65, "two words", "forged\n2026-01-01 INFO fake line", "zażółć", "a;b", ""],
)
def test_an_unsafe_incoming_request_id_is_replaced_by_a_new_one(console, client, incoming):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=incoming)

    request_id = response["X-Request-ID"]
    assert NEW_ID.fullmatch(request_id)
    [line] = lines(console)
    assert f"[{request_id} -]" in line


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/no-such-page/")["X-Request-ID"]
    second = client.get("/no-such-page/")["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


def test_audit_entries_of_a_request_record_its_id(office_client):
    response = office_client.post(
        "/institutions/new/",
        {"name": "Akademia Górniczo-Hutnicza", "kind": "university", "country": "PL"},
        HTTP_X_REQUEST_ID="create-agh",
        # auditlog's own header: not the request id, and not trusted
        HTTP_X_CORRELATION_ID="forged",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    agh = Institution.objects.get(name="Akademia Górniczo-Hutnicza")
    assert LogEntry.objects.get_for_object(agh).get().cid == "create-agh"
    # Once the response is closed no request is current: a later write has no id.
    later = InstitutionFactory(name="Later")
    assert LogEntry.objects.get_for_object(later).get().cid is None


def test_a_job_carries_the_id_of_the_request_that_queued_it(console, office_client):
    data = b"name,country\r\nNowa Uczelnia,PL\r\n"
    # The on-commit callbacks run after the request has ended, as a worker picks a job up.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = office_client.post(
            reverse("institutions:institution_import"),
            {"file": SimpleUploadedFile("a.csv", data), "file_format": ""},
            HTTP_X_REQUEST_ID="upload-1",
        )
    assert response.status_code == 302
    token = office_client.get(response["Location"]).context["token"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        office_client.post(
            reverse("institutions:institution_import_confirm"),
            {"token": token},
            HTTP_X_REQUEST_ID="confirm-1",
        )

    preview = Job.objects.get(kind="institution_preview")
    job = Job.objects.get(kind="institution_import")
    assert (preview.params["request_id"], job.params["request_id"]) == ("upload-1", "confirm-1")
    created = Institution.objects.get(name="Nowa Uczelnia")
    assert LogEntry.objects.get_for_object(created).get().cid == "confirm-1"
    job_lines = [line for line in lines(console) if " unibridge.core.jobs " in line]
    assert [line.split(" [", 1)[1] for line in job_lines] == [
        f"upload-1 office] job {preview.pk} (institution_preview) started, attempt 1",
        f"upload-1 office] job {preview.pk} (institution_preview) done: "
        "Checked a.csv: 1 to create, 0 to update, 0 unchanged.",
        f"confirm-1 office] job {job.pk} (institution_import) started, attempt 1",
        f"confirm-1 office] job {job.pk} (institution_import) done: "
        "Imported a.csv: 1 created, 0 updated, 0 unchanged.",
    ]
    # The task's id ended with the task.
    assert LogEntry.objects.get_for_object(InstitutionFactory()).get().cid is None


def test_gunicorn_access_log_names_the_request_id_and_the_user(office_client):
    response = office_client.get("/no-such-page/", HTTP_X_REQUEST_ID="edge-7")
    environ = {
        **response.wsgi_request.META,
        "RAW_URI": "/no-such-page/",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_USER_AGENT": "curl/8",
    }
    config = Config()
    config.set(
        "access_log_format", runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]
    )
    access = Logger(config)
    # gunicorn's response and request: what its access log reads of them
    sent = type("Response", (), {"status": "404 Not Found", "headers": response.items(), "sent": 9})
    received = type("Request", (), {"headers": []})
    atoms = access.atoms(sent, received, environ, datetime.timedelta(milliseconds=12))

    line = config.access_log_format % access.atoms_wrapper_class(atoms)

    assert re.fullmatch(
        r'10\.0\.0\.5 edge-7 office \[[^]]+\] "GET /no-such-page/ HTTP/1\.1" 404 9 "-" "curl/8"'
        r" 12ms",
        line,
    )


def test_a_clean_start_prints_no_warnings(tmp_path):
    """`make run`'s first step, with every warning shown: none from our configuration."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "-W", "default", "manage.py", "check"],
        cwd=ROOT,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "unibridge.settings",
            "DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "System check identified no issues (0 silenced).\n"
