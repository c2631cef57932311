"""Measure the background work of the agreements issue: the reminder job and documents.

Each job runs N times on the bench dataset; the table gives the median and the slowest run
in seconds. E-mail goes to Django's in-memory backend, so the figures are the job's own work
(queries, choosing reminders, rendering and building the messages), not an SMTP server's.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test import override_settings

from unibridge.agreements import documents
from unibridge.agreements.demo import MEMORANDUM_TITLE
from unibridge.agreements.models import Agreement
from unibridge.core.models import Notification
from unibridge.core.notifications import run_reminders

BUDGETS_S = {"reminders": 5.0, "docx": 1.0, "pdf": 5.0}


@dataclass
class JobMeasurement:
    name: str
    budget_s: float
    median_s: float
    max_s: float
    detail: str


def _timed(func: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


class _Rollback(Exception):
    pass


def _reminders_from_scratch() -> dict:
    """The first run over the dataset (every reminder new), rolled back afterwards."""
    outcome: dict = {}
    try:
        with transaction.atomic():
            Notification.objects.all().delete()
            outcome.update(run_reminders())
            raise _Rollback
    except _Rollback:
        pass
    return outcome


def _measure(name: str, budget: float, func: Callable[[], object], repeats: int, describe):
    samples, result = [], None
    for _ in range(repeats):
        seconds, result = _timed(func)
        samples.append(seconds)
    return JobMeasurement(name, budget, statistics.median(samples), max(samples), describe(result))


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def run(repeats: int, log: Callable[[str], None]) -> list[JobMeasurement]:
    results = []
    agreements = Agreement.objects.count()

    def counts(outcome: dict) -> str:
        return (
            f"{agreements:,} agreements: {outcome.get('created', 0):,} reminders, "
            f"{outcome.get('recipients', 0):,} digests"
        )

    results.append(
        _measure(
            "reminder job, first run",
            BUDGETS_S["reminders"],
            _reminders_from_scratch,
            repeats,
            counts,
        )
    )
    log(f"  {results[-1].name}: {results[-1].median_s:.2f} s")
    run_reminders()  # leave the reminders made, so the next run has nothing new
    results.append(
        _measure(
            "reminder job, run again (nothing new)",
            BUDGETS_S["reminders"],
            run_reminders,
            repeats,
            counts,
        )
    )
    log(f"  {results[-1].name}: {results[-1].median_s:.2f} s")

    memorandum = Agreement.objects.get(title=MEMORANDUM_TITLE)  # the demo story's
    docx = documents.render_agreement_docx(memorandum)
    results.append(
        _measure(
            "memorandum DOCX",
            BUDGETS_S["docx"],
            lambda: documents.render_agreement_docx(memorandum),
            repeats,
            lambda data: f"{len(data):,} bytes",
        )
    )
    log(f"  {results[-1].name}: {results[-1].median_s:.2f} s")
    results.append(
        _measure(
            "memorandum PDF (LibreOffice)",
            BUDGETS_S["pdf"],
            lambda: documents.convert_to_pdf(docx),
            repeats,
            lambda data: f"{len(data):,} bytes",
        )
    )
    log(f"  {results[-1].name}: {results[-1].median_s:.2f} s")
    return results


def table(results: list[JobMeasurement]) -> str:
    lines = [
        "| job | median s | slowest s | budget s | what | verdict |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        verdict = "ok" if r.median_s <= r.budget_s else "OVER"
        lines.append(
            f"| {r.name} | {r.median_s:.2f} | {r.max_s:.2f} | {r.budget_s:.0f} | {r.detail} "
            f"| {verdict} |"
        )
    return "\n".join(lines)
