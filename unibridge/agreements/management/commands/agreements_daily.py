"""manage.py agreements_daily: the nightly status job, for cron when no task worker runs."""

from django.core.management.base import BaseCommand

from unibridge.agreements.lifecycle_services import activate_due


class Command(BaseCommand):
    help = "Activate fully signed agreements whose date has come; expire, terminate, supersede."

    def handle(self, *args, **options):
        counts = activate_due()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in sorted(counts.items())))
