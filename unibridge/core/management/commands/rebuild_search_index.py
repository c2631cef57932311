"""``manage.py rebuild_search_index``: rebuild the global search index from the records.

Saves and deletes keep the index up to date on their own; run this after ``loaddata``, after
raw SQL changes, or to drop the words and entries nothing refers to any more.
"""

import sys
import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from unibridge.core import search


class Command(BaseCommand):
    help = "Rebuild the global search index (every registered model, or the ones named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "models",
            nargs="*",
            metavar="app_label.Model",
            help="Only these models, e.g. institutions.Institution (default: all registered).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        registered = {registration.model for registration in search.registrations()}
        chosen = None
        if options["models"]:
            chosen = []
            for label in options["models"]:
                try:
                    model = apps.get_model(label)
                except (LookupError, ValueError) as exc:
                    raise CommandError(f"Unknown model {label!r}: {exc}") from None
                if model not in registered:
                    names = ", ".join(sorted(m._meta.label for m in registered))
                    raise CommandError(f"{label} is not searchable; searchable models: {names}")
                chosen.append(model)
        verbosity = options["verbosity"]
        interactive = verbosity > 0 and sys.stdout.isatty()

        def progress(kind: str, done: int, total: int) -> None:
            if interactive:
                self.stdout.write(f"\r{kind}: {done}/{total}", ending="")
                self.stdout.flush()

        started = time.perf_counter()
        counts = search.rebuild(chosen, progress=progress)
        if interactive:
            self.stdout.write("")
        if verbosity > 0:
            for kind, count in counts.items():
                self.stdout.write(f"{kind}: {count} indexed")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Search index rebuilt in {time.perf_counter() - started:.1f} s."
                )
            )
