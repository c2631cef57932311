"""A real task worker (`manage.py run_huey`) killed in the middle of a job: the job is recovered.

The worker is a separate process on a database it shares with the test: PostgreSQL's test
database as it is, or on SQLite a file copy of the in-memory test database (copied back for
the assertions). Its queue is a Huey SQLite file in the test's temporary directory. The job
is an institution preview whose upload is a named pipe: reading it blocks until the test
says so, so the job stays "running" for as long as the test needs.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.core import jobs
from unibridge.core.models import Job
from unibridge.institutions import tasks
from unibridge.institutions.models import Institution

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds; generous for a loaded 2-core machine

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes"),
]


class SharedDatabase:
    """The test database as a worker process reaches it."""

    def __init__(self, tmp_path: Path) -> None:
        settings = connection.settings_dict
        self.file = None
        if connection.vendor == "sqlite":
            self.file = tmp_path / "db.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.file}"
        else:
            password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
            self.url = (
                f"postgres://{settings['USER']}{password}@{settings['HOST'] or 'localhost'}:"
                f"{settings['PORT'] or 5432}/{settings['NAME']}"
            )

    def job(self, pk: int) -> dict:
        """The job's row as the worker left it, read without copying anything."""
        if self.file is None:
            return Job.objects.values("status", "attempts", "heartbeat", "worker").get(pk=pk)
        with sqlite3.connect(self.file, timeout=10) as db:
            row = db.execute(
                "SELECT status, attempts, heartbeat, worker FROM core_job WHERE id = ?", [pk]
            ).fetchone()
        return dict(zip(("status", "attempts", "heartbeat", "worker"), row, strict=True))

    def pull(self) -> None:
        """Make what the worker wrote visible to this process's ORM."""
        if self.file is not None:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()


def start_worker(tmp_path: Path, database: SharedDatabase, name: str, **env: str):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "unibridge.settings",
        "DATABASE_URL": database.url,
        "DATA_DIR": str(tmp_path),  # the Huey queue: tmp_path/tasks.sqlite3
        "MEDIA_ROOT": str(tmp_path / "media"),
        "REDIS_URL": "",
        "HUEY_IMMEDIATE": "0",
        "TASK_WORKERS": "1",
        "JOB_HEARTBEAT_SECONDS": "1",
        **env,
    }
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = tmp_path / f"{name}.log"
    return process


def wait_for(condition, what: str, process=None):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker stopped: {process.log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    log = process.log_path.read_text()[-3000:] if process is not None else ""
    pytest.fail(f"timed out waiting for {what}\n{log}")


def stop(process) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=TIMEOUT)


@pytest.fixture
def blocked_preview(tmp_path, settings):
    """A queued preview job whose upload, a named pipe, blocks the worker that reads it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    imports = tmp_path / "media" / "imports"
    imports.mkdir(parents=True)
    token = "0123456789abcdef0123456789abcdef"
    pipe = imports / f"{token}.upload"
    os.mkfifo(pipe)
    user = UserFactory(username="office", role=Role.OFFICE)
    job = Job.objects.create(
        user=user,
        kind="institution_preview",
        title="Check of institutions in partners.csv",
        params={
            "path": str(pipe),
            "token": token,
            "name": "partners.csv",
            "format": "csv",
            "mapping": {},
            "language": "en",
        },
        task=jobs.task_path(tasks.preview_institutions),
    )
    queue = SqliteStorage(name=HUEY.name, filename=str(tmp_path / "tasks.sqlite3"))
    queue.enqueue(HUEY.serialize_task(tasks.preview_institutions.s(job.pk)), None)
    return job, pipe


def kill_while_running(tmp_path, database, job, **env):
    """Start a worker, wait until it runs the job and renews its lease, then kill -9 it."""
    worker = start_worker(tmp_path, database, "first", **env)
    try:
        first = wait_for(
            lambda: (row := database.job(job.pk))["status"] == "running" and row,
            "the worker to start the job",
            worker,
        )
        assert first["attempts"] == 1 and first["worker"].split(":")[1] == str(worker.pid)
        # while the task is blocked, the heartbeat thread keeps renewing the lease
        wait_for(
            lambda: database.job(job.pk)["heartbeat"] != first["heartbeat"],
            "a heartbeat",
            worker,
        )
    finally:
        stop(worker)  # SIGKILL: no clean-up of any kind runs in the worker
    assert database.job(job.pk)["status"] == "running"  # stranded, until the sweep


def test_a_job_whose_worker_is_killed_fails_with_a_message_and_its_upload_is_deleted(
    tmp_path, settings, blocked_preview, client
):
    job, pipe = blocked_preview
    database = SharedDatabase(tmp_path)
    kill_while_running(tmp_path, database, job)

    database.pull()
    settings.JOB_MAX_ATTEMPTS = 1
    call_command("sweep_jobs", stdout=open(os.devnull, "w"))  # noqa: SIM115

    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == ("failed", 1, "")
    assert job.message == (
        "The task worker stopped while doing this job, 1 time; it was given up and nothing "
        "was written. Please start it again."
    )
    assert job.finished is not None
    assert not pipe.exists()
    client.force_login(job.user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "The task worker stopped while doing this job" in page and "Failed" in page


def test_a_new_worker_recovers_the_job_of_a_killed_one_and_finishes_it(tmp_path, blocked_preview):
    job, pipe = blocked_preview
    database = SharedDatabase(tmp_path)
    kill_while_running(tmp_path, database, job)
    # The file is readable now; the killed worker's lease has not even run out yet.
    pipe.unlink()
    pipe.write_bytes(b"name,country\r\nNowa Uczelnia,PL\r\n")

    worker = start_worker(tmp_path, database, "second", JOB_LEASE_SECONDS="600")
    try:
        # its start-up sweep sees that the worker on this host is gone and queues the job
        wait_for(lambda: database.job(job.pk)["status"] == "done", "the retry", worker)
    finally:
        stop(worker)

    database.pull()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert job.result["counts"] == [1, 0, 0]
    assert job.message == "Checked partners.csv: 1 to create, 0 to update, 0 unchanged."
    assert pipe.exists()  # kept for the user to confirm
    assert not Institution.objects.filter(name="Nowa Uczelnia").exists()
