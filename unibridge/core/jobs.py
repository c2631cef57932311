"""Background jobs: queue work for the task worker (Huey) and record how it went.

A module defines a Huey task taking a job id, and a view queues it with :func:`start`::

    job = jobs.start(user=request.user, kind="institution_import", title=..., params={...},
                     task=tasks.import_institutions)
    return redirect(job)

Inside the task, :func:`running` claims the job for this attempt (None: nothing to do), then
:func:`succeed` or :func:`fail` records the outcome the user reads on the job page; the first
outcome recorded stands. Huey keeps queued tasks on disk (SQLite) or in Redis, so a restart
loses nothing; tasks retry on unexpected errors (:func:`retry_later`).

A worker can also die in the middle of a job (``kill -9``, the machine going down). A running
job therefore holds a lease that :func:`keep_alive` renews from a small thread; :func:`sweep`
(every minute, at worker start-up and as ``manage.py sweep_jobs``) finds the jobs whose lease
ran out, or whose worker process on this host is gone, and queues them again, or after
JOB_MAX_ATTEMPTS attempts fails them with a message and deletes their uploaded file.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import ngettext
from huey.api import Task
from huey.contrib.djhuey import HUEY

from . import request_id
from .models import Job, JobStatus
from .types import User

logger = logging.getLogger(__name__)

# Tells this process from an earlier one that had the same pid (after a restart).
_BOOT = secrets.token_hex(4)
FINISHED = (JobStatus.DONE, JobStatus.FAILED)


def start(*, user: User, kind: str, title: str, params: dict, task: Callable[[int], object]) -> Job:
    """Record a job and queue its task once the surrounding transaction has committed.

    The job keeps the id of the request that queued it: the worker's lines and audit entries
    for the job carry it too (:func:`running`).
    """
    if queued_by := request_id.get():
        params = {**params, "request_id": queued_by}
    job = Job.objects.create(user=user, kind=kind, title=title, params=params, task=task_path(task))
    transaction.on_commit(lambda: task(job.pk))
    return job


def task_path(task: Callable) -> str:
    """The dotted path a Huey task (or a plain function) is imported by."""
    func = getattr(task, "func", task)
    return f"{func.__module__}.{func.__name__}"


def worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{_BOOT}"


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + timedelta(seconds=settings.JOB_LEASE_SECONDS)


def running(job_id: int) -> Job | None:
    """Claim a queued job for this attempt; None when it is finished or another worker has it.

    A task queued twice (a requeue racing a slow worker) thus runs once at a time.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        worker=worker_id(),
        heartbeat=now,
        lease_expires=_lease_end(now),
        progress=None,
        updated=now,
    )
    if not claimed:
        logger.info("job %s is not waiting to run; nothing to do", job_id)
        return None
    job = Job.objects.select_related("user").get(pk=job_id)
    request_id.adopt_job(job.params.get("request_id"), job.user.get_username())
    logger.info("job %s (%s) started, attempt %s", job.pk, job.kind, job.attempts)
    return job


def renew(job: Job) -> bool:
    """Extend the lease of the attempt ``job`` is; False when the job is no longer its own."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
            heartbeat=now, lease_expires=_lease_end(now)
        )
    )


def report_progress(job: Job, done: int, total: int) -> None:
    """Show how far the job is (and renew its lease); call it outside long transactions."""
    now = timezone.now()
    percent = min(100, done * 100 // total) if total else 0
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
        progress=percent, heartbeat=now, lease_expires=_lease_end(now)
    )


@contextmanager
def keep_alive(job: Job) -> Iterator[None]:
    """Renew the job's lease from a thread while the block runs.

    Not in immediate mode (tests, one process): there the caller's own connection and
    transaction are the only ones, and the job cannot outlive its caller anyway.
    """
    if HUEY.immediate:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(job, stop), name=f"job-{job.pk}-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _beat(job: Job, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                if not renew(job):
                    return
            except DatabaseError:
                # A busy database (SQLite's write lock): the lease outlasts several misses.
                logger.warning("could not renew the lease of job %s", job.pk, exc_info=True)
    finally:
        connections.close_all()  # this thread's own connections


def succeed(job: Job, message: str, result_url: str = "", result: dict | None = None) -> None:
    _finish(job, JobStatus.DONE, message, result_url, result)


def fail(job: Job, message: str) -> None:
    _finish(job, JobStatus.FAILED, message, "", None)


def retry_later(job: Job) -> None:
    """Put the job back in the queue: Huey runs the task again after an unexpected error."""
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
        status=JobStatus.QUEUED, worker="", lease_expires=None, updated=timezone.now()
    )


def _finish(job: Job, status: str, message: str, result_url: str, result: dict | None) -> None:
    job.status, job.message, job.result_url = status, message, result_url
    job.result = result if result is not None else job.result
    job.finished = timezone.now()
    job.worker, job.lease_expires = "", None
    finished = (
        Job.objects.filter(pk=job.pk)
        .exclude(status__in=FINISHED)
        .update(
            status=status,
            message=message,
            result_url=result_url,
            result=job.result,
            finished=job.finished,
            worker="",
            lease_expires=None,
            progress=100 if status == JobStatus.DONE else F("progress"),
            updated=job.finished,
        )
    )
    if finished:
        logger.info("job %s (%s) %s: %s", job.pk, job.kind, status, message)


def delete_files(job: Job) -> None:
    """Delete the upload a job works on; only ever a file in MEDIA_ROOT/imports."""
    path = job.params.get("path")
    if not path:
        return
    path = Path(path)
    imports = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    if path.resolve().parent == imports:
        path.unlink(missing_ok=True)


# --- The request id in the worker's log lines (core.request_id) -------------------------------
# Here rather than in core/tasks.py: this module is loaded wherever a job runs, in the worker
# and in a web process running its tasks at once (HUEY_IMMEDIATE).


@HUEY.pre_execute()
def bind_request_id(task: Task) -> None:
    """A task's lines carry its Huey id; once it claims a job (:func:`running`), the id of
    the request that queued the job instead."""
    request_id.begin_task(task.id)


@HUEY.post_execute()
def unbind_request_id(task: Task, value: object, exception: BaseException | None) -> None:
    # The worker thread runs another task next: it must not carry this one's id.
    request_id.end_task()


# --- Finding jobs that lost their worker ------------------------------------------------------


def _process_gone(worker: str) -> bool:
    """Whether ``worker`` (host:pid:boot) names a process of this host that no longer runs."""
    host, _sep, rest = worker.partition(":")
    pid_text, _sep, boot = rest.partition(":")
    if host != socket.gethostname()[:80] or not pid_text.isdigit():
        return False  # another machine's worker: only its lease tells
    pid = int(pid_text)
    if pid == os.getpid():
        return boot != _BOOT  # an earlier process that had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def sweep() -> dict[str, int]:
    """Queue again, or fail, the running jobs whose worker is gone; how many of each."""
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for job in Job.objects.filter(status=JobStatus.RUNNING).order_by("pk"):
        expired = job.lease_expires is None or job.lease_expires < now
        if not expired and not _process_gone(job.worker):
            continue
        lost = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
        task = _task(job)
        if task is not None and job.attempts < settings.JOB_MAX_ATTEMPTS:
            if lost.update(status=JobStatus.QUEUED, worker="", lease_expires=None, updated=now):
                logger.warning("job %s lost its worker; queued again", job.pk)
                task(job.pk)
                counts["requeued"] += 1
            continue
        with translation.override(job.params.get("language") or None):
            message = ngettext(
                "The task worker stopped while doing this job, %(count)d time; "
                "it was given up and nothing was written. Please start it again.",
                "The task worker stopped while doing this job, %(count)d times; "
                "it was given up and nothing was written. Please start it again.",
                job.attempts,
            ) % {"count": job.attempts}
        if lost.update(
            status=JobStatus.FAILED,
            message=message,
            finished=now,
            worker="",
            lease_expires=None,
            updated=now,
        ):
            logger.warning("job %s lost its worker %d time(s); failed", job.pk, job.attempts)
            delete_files(job)
            counts["failed"] += 1
    return counts


def _task(job: Job) -> Callable[[int], object] | None:
    if not job.task:
        return None
    try:
        return import_string(job.task)
    except ImportError:
        logger.error("job %s names a task that does not exist: %s", job.pk, job.task)
        return None
