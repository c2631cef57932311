"""Background tasks of the core app (run by the Huey worker, `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, on_startup

from . import jobs
from .notifications import run_reminders


@db_periodic_task(crontab(hour="7", minute="0"), retries=2, retry_delay=600)
def send_reminders() -> dict[str, int]:
    """Every morning: create the new reminders and e-mail each recipient one digest."""
    return run_reminders()


@db_periodic_task(crontab(minute="*"))
def sweep_jobs() -> dict[str, int]:
    """Every minute: queue again (or fail) the jobs whose worker died in the middle."""
    return jobs.sweep()


@on_startup()
@close_db
def sweep_jobs_at_startup() -> None:
    """A worker that starts may be replacing one that was killed: recover its jobs at once."""
    jobs.sweep()
