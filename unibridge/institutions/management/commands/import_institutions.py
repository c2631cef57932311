"""manage.py import_institutions FILE: load institutions from JSON, CSV or XLSX, all or nothing."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unibridge.core import tabular
from unibridge.institutions import importing, services


class Command(BaseCommand):
    help = (
        "Import institutions from the world universities JSON file, a CSV or an XLSX file. "
        "Re-running updates what is there and never duplicates. A file with bad rows imports "
        "nothing and lists every bad row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        tabular.add_file_arguments(
            parser,
            formats=importing.FORMATS,
            map_help="read FIELD from the column HEADER (repeatable); fields: "
            + ", ".join(importing.FIELDS),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument("--user", help="the username recorded as the author of the changes")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        user = tabular.command_user(options["user"])
        data = tabular.read_file(path)
        try:
            file_format = options["file_format"] or importing.detect_format(path.name)
            mapping = tabular.parse_mapping(options["map"])
        except importing.ImportFileError as exc:
            raise CommandError(str(exc)) from None

        started = time.monotonic()
        try:
            rowset = importing.read_rows(data, file_format=file_format, mapping=mapping)
        except importing.ImportFileError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        plan = importing.build_plan(rowset, progress=self.progress_reporter())
        self.clear_progress()

        self.stdout.write(f"{path.name}: {plan.rows} rows read.")
        if rowset.ignored_columns:
            self.stdout.write("Columns not imported: " + ", ".join(rowset.ignored_columns))
        if plan.errors:
            self.report_errors(plan)
            raise CommandError(
                f"{plan.bad_rows} bad row(s), {len(plan.errors)} problem(s); nothing was imported."
            )
        if options["verbosity"] >= 2:
            self.report_updates(plan)
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run, nothing written. Would create {len(plan.to_create)}, "
                f"update {len(plan.to_update)}, leave {plan.unchanged} unchanged."
            )
            return
        try:
            result = services.institutions_import(
                plan=plan, user=user, progress=self.progress_reporter()
            )
        except importing.ImportRejected as exc:
            raise CommandError(str(exc)) from None
        finally:
            self.clear_progress()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.created}, updated {result.updated}, "
                f"unchanged {result.unchanged} in {time.monotonic() - started:.1f} s."
            )
        )

    def is_terminal(self) -> bool:
        stream = getattr(self.stderr, "_out", None)
        return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())

    def progress_reporter(self) -> importing.Progress | None:
        """A percentage on stderr, only when a person is watching a terminal."""
        if not self.is_terminal():
            return None
        labels = {"check": "Checking", "write": "Writing"}

        def report(stage: str, done: int, total: int) -> None:
            percent = 100 * done // total if total else 100
            line = f"\r{labels.get(stage, stage)}: {percent:3d}% ({done}/{total})"
            self.stderr.write(line, style_func=str, ending="")
            self.stderr.flush()

        return report

    def clear_progress(self) -> None:
        if self.is_terminal():
            self.stderr.write("\r\033[K", style_func=str, ending="")
            self.stderr.flush()

    def report_errors(self, plan: importing.ImportPlan) -> None:
        self.stdout.write(f"{plan.bad_rows} bad row(s):")
        for error in plan.errors:
            column = f'column "{error.column}"' if error.column else "whole row"
            self.stdout.write(f"  row {error.row}, {column}: {error.message}")

    def report_updates(self, plan: importing.ImportPlan) -> None:
        for item in plan.to_update:
            self.stdout.write(f"row {item.row}: {item.original} (matched by {item.matched_by})")
            for name, (before, after) in item.changes.items():
                self.stdout.write(f"    {name}: {before!r} → {after!r}")
