"""manage.py send_reminders: the daily reminders and e-mail digests, for cron when no task
worker runs."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unibridge.core.notifications import run_reminders


class Command(BaseCommand):
    help = "Create the new reminders of every module and e-mail each recipient one digest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Run as on this day (YYYY-MM-DD) instead of today, such as to catch up.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from None
        counts = run_reminders(today)
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in sorted(counts.items())))
        if counts.get("failed"):
            self.stderr.write(
                f"{counts['failed']} digest(s) failed and will be retried on the next run."
            )
