"""Background jobs: queue work for the task worker (Huey) and record how it went.

A module defines a Huey task taking a job id, and a view queues it with :func:`start`::

    job = jobs.start(user=request.user, kind="institution_import", title=..., params={...},
                     task=tasks.import_institutions)
    return redirect(job)

Inside the task, :func:`running` marks the attempt, then :func:`succeed` or :func:`fail`
records the outcome the user reads on the job page. Huey keeps queued tasks on disk
(SQLite) or in Redis, so a restart loses nothing; tasks retry on unexpected errors.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import Job, JobStatus


def start(*, user, kind: str, title: str, params: dict, task: Callable[[int], object]) -> Job:
    """Record a job and queue its task once the surrounding transaction has committed."""
    job = Job.objects.create(user=user, kind=kind, title=title, params=params)
    transaction.on_commit(lambda: task(job.pk))
    return job


def running(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.save(update_fields=["status", "attempts", "updated"])
    return job


def succeed(job: Job, message: str, result_url: str = "") -> None:
    _finish(job, JobStatus.DONE, message, result_url)


def fail(job: Job, message: str) -> None:
    _finish(job, JobStatus.FAILED, message, "")


def _finish(job: Job, status: str, message: str, result_url: str) -> None:
    job.status, job.message, job.result_url = status, message, result_url
    job.finished = timezone.now()
    job.save(update_fields=["status", "message", "result_url", "finished", "updated"])
