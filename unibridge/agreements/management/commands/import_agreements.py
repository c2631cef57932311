"""manage.py import_agreements FILE: load a legacy register of agreements, all or nothing."""

from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_countries.fields import Country

from unibridge.agreements import importing
from unibridge.agreements.models import AgreementType
from unibridge.core import tabular
from unibridge.core.names import fold


class Command(BaseCommand):
    help = (
        "Import a register of agreements from a CSV or XLSX file. Partners are found in the "
        "institution directory by name in any script; a partner that fits several institutions "
        "or none must be decided with --decide, --create-unknown or --skip-unresolved. "
        "A file with bad rows imports nothing and lists every bad row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        tabular.add_file_arguments(
            parser,
            formats=importing.FORMATS,
            map_help="read FIELD from the column HEADER (repeatable; an empty HEADER leaves the "
            "field out); fields: " + ", ".join(importing.FIELDS),
        )
        parser.add_argument(
            "--default-type", metavar="CODE", help="the type of rows whose type cell is empty"
        )
        parser.add_argument(
            "--decide",
            action="append",
            default=[],
            metavar="PARTNER=CHOICE",
            help=(
                "what a partner name of the file is: an institution's UUID (among the "
                "candidates listed), 'new' or 'skip' (repeatable)"
            ),
        )
        parser.add_argument(
            "--create-unknown",
            action="store_true",
            help="create a new institution for a partner the directory has no candidate for",
        )
        parser.add_argument(
            "--skip-unresolved",
            action="store_true",
            help="leave out the rows of partners still undecided",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument("--user", help="the username recorded as the author of the changes")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        user = tabular.command_user(options["user"])
        data = tabular.read_file(path)
        default_type = self.get_type(options["default_type"])
        try:
            file_format = options["file_format"] or importing.detect_format(path.name)
            table = importing.read_table(data, file_format=file_format)
            given = tabular.parse_mapping(options["map"], allow_empty=True)
            mapping = importing.merge_mapping(importing.suggest_mapping(table.headers), given)
            rows = importing.read_rows(table, mapping)
            plan = importing.build_plan(rows, default_type=default_type)
        except importing.ImportFileError as exc:
            raise CommandError(f"{path.name}: {exc}") from None

        self.stdout.write(f"{path.name}: {plan.rows} rows read.")
        resolved = importing.check_mapping(mapping, table.headers)
        for target, header in resolved.items():
            self.stdout.write(f"  {target} ← {header}")
        used = set(resolved.values())
        ignored = [header for header in table.headers if header not in used]
        if ignored:
            self.stdout.write("Columns not imported: " + ", ".join(ignored))
        for warning in plan.warnings:
            self.stdout.write(f"  note: {self.describe(warning)}")
        if plan.errors:
            self.stdout.write(f"{plan.bad_rows} bad row(s):")
            for error in plan.errors:
                self.stdout.write(f"  {self.describe(error)}")
            raise CommandError(
                f"{plan.bad_rows} bad row(s), {len(plan.errors)} problem(s); nothing was imported."
            )

        decisions = self.decisions(plan, options)
        undecided = [p for p in plan.unresolved if p.key not in decisions]
        for partner in plan.matched:
            how = "by name" if partner.how == "name" else "by search"
            self.stdout.write(f'Partner "{partner.name}" → {partner.match} ({how})')
        for partner in undecided:
            self.report_partner(partner)
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run, nothing written. {len(plan.agreements)} agreement(s) to import, "
                f"{len(undecided)} partner(s) to decide."
            )
            return
        if undecided:
            raise CommandError(
                f"{len(undecided)} partner(s) to decide (--decide, --create-unknown or "
                "--skip-unresolved); nothing was imported."
            )
        try:
            result = importing.apply(plan, user, decisions)
        except importing.ImportRejected as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created} agreement(s), skipped {result.skipped}, "
                f"created {result.institutions_created} institution(s)."
            )
        )

    def describe(self, error: importing.RowError) -> str:
        column = f'column "{error.column}"' if error.column else "whole row"
        value = f' "{error.value}"' if error.value else ""
        return f"row {error.row}, {column}{value}: {error.message}"

    def report_partner(self, partner: importing.PartnerMatch) -> None:
        rows = ", ".join(str(row) for row in partner.rows)
        country = partner.country or "no country"
        self.stdout.write(f'Partner "{partner.name}" ({country}; rows {rows}) is undecided:')
        if not partner.candidates:
            self.stdout.write("    no institution of the directory fits")
        for institution in partner.candidates:
            # A CountryField reads as a Country; the plugin types it as its CharField base (str).
            code = cast(Country, institution.country).code
            self.stdout.write(f"    {institution.uuid}  {institution} ({code})")

    def decisions(self, plan: importing.ImportPlan, options: dict) -> dict[str, str]:
        by_name: dict[str, list[importing.PartnerMatch]] = {}
        for partner in plan.partners:
            by_name.setdefault(fold(partner.name), []).append(partner)
        decisions: dict[str, str] = {}
        for pair in options["decide"]:
            name, sep, choice = pair.rpartition("=")
            partners = by_name.get(fold(name), [])
            if not sep or not partners:
                raise CommandError(f"--decide {pair!r}: no partner of the file has this name.")
            for partner in partners:
                decisions[partner.key] = self.choice(partner, choice.strip())
        for partner in plan.unresolved:
            if partner.key in decisions:
                continue
            if options["create_unknown"] and not partner.candidates and partner.can_create:
                decisions[partner.key] = "new"
            elif options["skip_unresolved"]:
                decisions[partner.key] = "skip"
        return decisions

    def choice(self, partner: importing.PartnerMatch, choice: str) -> str:
        if choice in ("new", "skip"):
            if choice == "new" and not partner.can_create:
                raise CommandError(f'"{partner.name}": the file gives no country to create it.')
            return choice
        for institution in partner.candidates:
            if str(institution.uuid) == choice:
                return str(institution.pk)
        raise CommandError(
            f'"{partner.name}": {choice!r} is not among its candidates; use one of the UUIDs '
            "listed, 'new' or 'skip'."
        )

    def get_type(self, code: str | None) -> AgreementType | None:
        if not code:
            return None
        try:
            return AgreementType.objects.get(code=code)
        except AgreementType.DoesNotExist:
            codes = ", ".join(AgreementType.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"No agreement type {code!r}; types: {codes}.") from None
