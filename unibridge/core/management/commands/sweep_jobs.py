"""manage.py sweep_jobs: recover the background jobs whose task worker died in the middle."""

from typing import Any

from django.core.management.base import BaseCommand

from unibridge.core import jobs


class Command(BaseCommand):
    help = (
        "Queue again the running jobs whose worker is gone (their lease ran out), or fail them "
        "after JOB_MAX_ATTEMPTS attempts and delete their uploaded files."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = jobs.sweep()
        self.stdout.write(f"requeued: {counts['requeued']}, failed: {counts['failed']}")
