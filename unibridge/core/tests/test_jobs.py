"""Background jobs: claiming, leases, outcomes, and the sweep that recovers lost jobs.

The worker runs tasks at once in tests (Huey's immediate mode), so a job queued again by the
sweep runs while the sweep waits; test_jobs_worker.py kills a real worker process.
"""

import datetime
import io
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone

from unibridge.core import jobs
from unibridge.core.models import Job
from unibridge.institutions import tasks

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def upload(media_root):
    path = media_root / "imports" / f"{TOKEN}.upload"
    path.parent.mkdir()
    path.write_bytes(b"name,country\r\nNowa Uczelnia,PL\r\n")
    return path


def preview_job(user, upload, **fields) -> Job:
    params = {
        "path": str(upload),
        "token": TOKEN,
        "name": "a.csv",
        "format": "csv",
        "mapping": {},
        "language": "en",
    }
    return Job.objects.create(
        user=user,
        kind="institution_preview",
        title="Check",
        params=params,
        task=jobs.task_path(tasks.preview_institutions),
        **fields,
    )


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def ago(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def test_a_job_is_claimed_by_one_attempt_at_a_time(office_user, upload):
    job = preview_job(office_user, upload)

    claimed = jobs.running(job.pk)

    assert (claimed.status, claimed.attempts, claimed.worker) == ("running", 1, jobs.worker_id())
    assert claimed.lease_expires > timezone.now() + datetime.timedelta(seconds=250)
    assert jobs.running(job.pk) is None  # a second copy of the task does nothing
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_the_first_outcome_recorded_stands(office_user, upload):
    job = jobs.running(preview_job(office_user, upload).pk)
    jobs.succeed(job, "Checked.")
    late = Job.objects.get(pk=job.pk)

    jobs.fail(late, "A late copy failed.")

    job.refresh_from_db()
    assert (job.status, job.message, job.worker, job.lease_expires) == (
        "done",
        "Checked.",
        "",
        None,
    )


def test_progress_is_shown_on_the_job_page(office_user, office_client, upload):
    job = jobs.running(preview_job(office_user, upload).pk)

    jobs.report_progress(job, 250, 1000)

    page = office_client.get(job.get_absolute_url()).content.decode()
    assert '<progress max="100" value="25">' in page


def test_the_sweep_queues_again_a_job_whose_lease_ran_out_and_the_retry_finishes_it(
    office_user, upload
):
    job = preview_job(
        office_user,
        upload,
        status="running",
        attempts=1,
        worker="elsewhere:1:x",
        lease_expires=ago(1),
    )

    assert jobs.sweep() == {"requeued": 1, "failed": 0}

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["counts"]) == ("done", 2, [1, 0, 0])
    assert upload.exists()  # waits for the user to confirm the import


def test_after_the_last_attempt_the_sweep_fails_the_job_and_deletes_its_upload(
    office_user, office_client, upload, settings
):
    settings.JOB_MAX_ATTEMPTS = 3
    job = preview_job(
        office_user,
        upload,
        status="running",
        attempts=3,
        worker="elsewhere:1:x",
        lease_expires=ago(1),
    )

    assert jobs.sweep() == {"requeued": 0, "failed": 1}

    job.refresh_from_db()
    assert (job.status, job.lease_expires) == ("failed", None)
    assert job.message.startswith("The task worker stopped while doing this job, 3 times;")
    assert not upload.exists()
    page = office_client.get(job.get_absolute_url()).content.decode()
    assert "it was given up and nothing was written" in page


def test_a_job_whose_worker_on_this_host_is_gone_is_recovered_before_its_lease_ends(
    office_user, upload, settings
):
    settings.JOB_MAX_ATTEMPTS = 1
    host = jobs.worker_id().split(":")[0]
    preview_job(
        office_user,
        upload,
        status="running",
        attempts=1,
        worker=f"{host}:{dead_pid()}:0000",
        lease_expires=timezone.now() + datetime.timedelta(minutes=5),
    )

    assert jobs.sweep() == {"requeued": 0, "failed": 1}
    assert not upload.exists()


def test_jobs_of_live_workers_and_of_other_hosts_within_their_lease_are_left_alone(
    office_user, upload
):
    later = timezone.now() + datetime.timedelta(minutes=5)
    host = jobs.worker_id().split(":")[0]
    mine = preview_job(office_user, upload, status="running", attempts=1, lease_expires=later)
    mine.worker = jobs.worker_id()
    mine.save()
    other_host = preview_job(
        office_user, upload, status="running", attempts=1, worker="other:1:x", lease_expires=later
    )
    # the same pid as ours but an earlier process: ours was restarted
    earlier_self = preview_job(
        office_user,
        upload,
        status="running",
        attempts=1,
        worker=f"{host}:{jobs.worker_id().split(':')[1]}:earlier",
        lease_expires=later,
    )

    assert jobs.sweep() == {"requeued": 1, "failed": 0}

    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == "running" and statuses[other_host.pk] == "running"
    assert statuses[earlier_self.pk] == "done"


def test_the_sweep_command_says_what_it_did(office_user, upload, settings):
    settings.JOB_MAX_ATTEMPTS = 1
    preview_job(office_user, upload, status="running", attempts=1, lease_expires=ago(1))
    out = io.StringIO()

    call_command("sweep_jobs", stdout=out)

    assert out.getvalue().strip() == "requeued: 0, failed: 1"


def test_the_sweep_runs_every_minute_and_when_a_worker_starts():
    from huey.contrib.djhuey import HUEY

    from unibridge.core import tasks as core_tasks

    assert core_tasks.sweep_jobs.s().validate_datetime(datetime.datetime(2025, 1, 1, 3, 7))
    assert "sweep_jobs_at_startup" in HUEY._startup


def test_a_task_that_is_retried_after_an_unexpected_error_is_queued_again(
    office_user, upload, monkeypatch
):
    from django.db import OperationalError

    from unibridge.institutions import importing

    job = preview_job(office_user, upload)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(importing, "build_plan", locked)
    with pytest.raises(OperationalError):
        tasks.preview_institutions.call_local(job.pk, task=type("T", (), {"retries": 1})())
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == ("queued", 1, "")
    assert upload.exists()
