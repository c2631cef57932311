"""Background tasks of the agreements app (run by the Huey worker, `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import activate_due


@db_periodic_task(crontab(hour="1", minute="5"), retries=2, retry_delay=300)
def agreements_daily() -> dict[str, int]:
    """Every night: activate fully signed agreements, expire, terminate and supersede."""
    return activate_due()
