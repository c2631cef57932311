"""manage.py bench: build the scale dataset (once) and measure every page and endpoint."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks import dataset, run
from benchmarks import jobs as jobs_module

BUDGET_MS = 50.0


class Command(BaseCommand):
    help = "Build the bench dataset if missing, then print server time and SQL queries per page."

    def add_arguments(self, parser):
        parser.add_argument("--repeats", type=int, default=30, help="requests per URL (30)")
        parser.add_argument(
            "--only",
            default="",
            help="measure only names containing this text ('jobs': only the background jobs)",
        )
        parser.add_argument("--output", default="", help="also write the Markdown table here")
        parser.add_argument(
            "--jobs",
            type=int,
            default=5,
            help="runs of each background job (reminders, DOCX, PDF); 0 skips them",
        )
        parser.add_argument(
            "--yes-build-here",
            action="store_true",
            help="build into a database that already holds other data",
        )

    def handle(self, *args, repeats, only, output, yes_build_here, jobs, **options):
        vendor = connection.vendor
        if not dataset.is_built():
            from unibridge.institutions.models import Institution

            if Institution.objects.filter(is_home=False).count() > 50 and not yes_build_here:
                raise CommandError(
                    "This database already holds data. Run the bench on its own database "
                    "(make bench uses DATA_DIR=var/bench) or pass --yes-build-here."
                )
            self.stdout.write(f"Building the bench dataset on {vendor}…")
            started = time.perf_counter()
            timings = dataset.build(self.stdout.write)
            self.stdout.write(f"Built in {time.perf_counter() - started:.0f} s.")
            seconds = timings["import of the 10,251 directory institutions"]
            self.stdout.write(f"Import of the directory: {seconds:.1f} s")
        elif not (dataset.agreements_built() and dataset.visits_built()):
            self.stdout.write(f"Adding the later issues' records to the bench dataset ({vendor})…")
            dataset.add_missing(self.stdout.write)
        self.stdout.write(f"Measuring on {vendor} ({repeats} requests per URL)…")
        results = run.run(repeats, self.stdout.write, only)
        markdown = run.table(results, BUDGET_MS)
        self.stdout.write("")
        self.stdout.write(markdown)
        over = [r.name for r in results if r.median_ms > BUDGET_MS or r.status != 200]
        if jobs and only in ("", "jobs"):  # --only jobs: the jobs alone
            self.stdout.write(f"Measuring the background jobs ({jobs} runs each)…")
            job_results = jobs_module.run(jobs, self.stdout.write)
            job_markdown = jobs_module.table(job_results)
            self.stdout.write("")
            self.stdout.write(job_markdown)
            markdown = f"{markdown}\n\n{job_markdown}"
            over += [r.name for r in job_results if r.median_s > r.budget_s]
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(f"Database: {vendor}\n\n{markdown}\n")
        if over:
            self.stderr.write(f"Over the {BUDGET_MS:.0f} ms budget or failing: {', '.join(over)}")
