"""``manage.py load_demo``: the story of DESIGN.md as demo data, then the demo accounts.

Safe to run on every start: each loader finds its records by natural keys and creates only
what is missing, so a second run changes nothing (except bringing the demo users back to the
current ``DEMO_PASSWORD``). Demo data is never loaded by migrations.
"""

import os

from django.core.management.base import BaseCommand
from django.db import transaction

from unibridge.accounts.demo import admin_user, demo_password
from unibridge.site import DEMO_LOADERS


class Command(BaseCommand):
    help = "Load the demo story (idempotent) and print the demo accounts."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            demo: dict = {"actor": admin_user()}
            # in one transaction; each loader's result is passed on to the ones after it
            for load in DEMO_LOADERS:
                demo.update(load(**demo) or {})
        if options["verbosity"] > 0:
            self.stdout.write(self.summary(demo["users"].values()))

    def summary(self, users) -> str:
        url = f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/"
        rows = [(user.username, demo_password(), self.role_label(user)) for user in users]
        widths = [
            max(len(row[i]) for row in [("username", "password", "role"), *rows]) for i in range(3)
        ]
        table = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in [("username", "password", "role"), *rows]
        ]
        lines = [f"UniBridge demo: {url}", "", "Demo accounts:", *(f"  {row}" for row in table)]
        inner = max(len(line) for line in lines)
        border = "+" + "-" * (inner + 4) + "+"
        return "\n".join([border, *(f"|  {line.ljust(inner)}  |" for line in lines), border])

    @staticmethod
    def role_label(user) -> str:
        label = str(user.get_role_display())
        units = ", ".join(unit.name_en or unit.name for unit in user.units.all())
        return f"{label}: {units}" if units else label
