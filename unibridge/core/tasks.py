"""Background tasks of the core app (run by the Huey worker, `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .notifications import run_reminders


@db_periodic_task(crontab(hour="7", minute="0"), retries=2, retry_delay=600)
def send_reminders() -> dict[str, int]:
    """Every morning: create the new reminders and e-mail each recipient one digest."""
    return run_reminders()
