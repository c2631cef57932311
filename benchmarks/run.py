"""Measure server time and SQL queries of every page and endpoint against the bench dataset.

Requests go through Django's test client in this process, so the figures are server time
(URL resolving, middleware, views, templates, SQL) without network or browser. Each URL is
warmed up, then requested N times; the table shows the median and p95 in milliseconds, the
queries of one request and the median's ratio to /healthz measured in the same run.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks import dataset
from unibridge.accounts.models import User
from unibridge.agreements.models import Agreement, AgreementType
from unibridge.core.gc_tuning import after_request, freeze_startup_heap, tune_collector
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.visits.models import Visit


@dataclass
class Measurement:
    name: str
    url: str
    status: int
    median_ms: float
    p95_ms: float
    queries: int


# Posts that write nothing, so they can be repeated: a new institution's create form that
# finds likely duplicates answers the list of them and saves nothing (the duplicate check at
# 10,251 institutions: by a similar name through the search index, by a web domain).
POSTS: dict[str, dict[str, str]] = {
    "duplicate check: similar name": {
        "name": "Samarkand State University, Uzbekistan",
        "country": "UZ",
        "kind": "university",
    },
    "duplicate check: web domain, common words": {
        "name": "State University of Technology",
        "country": "PL",
        "kind": "university",
        "website": "https://www.agh.edu.pl/en/",
    },
}


def targets() -> list[tuple[str, str]]:
    """(name, url) of every page and endpoint measured, built from the dataset.

    Names in ``POSTS`` are posted with their data rather than read.
    """
    agh = Institution.objects.get(hei_id="agh.edu.pl")
    big = (
        Institution.objects.filter(is_home=False, partnership__isnull=False)
        .exclude(pk=agh.pk)
        .first()
    )
    partnership = agh.partnership
    unit = OrganizationalUnit.objects.filter(institution=agh).first()
    person = Person.objects.filter(institution=agh).first()
    other_partnership = Partnership.objects.exclude(pk=partnership.pk).order_by("pk").first()
    mobility = (
        Agreement.objects.filter(agreement_type__has_conditions=True, parties__institution=agh)
        .order_by("pk")
        .first()
    )
    ka171 = AgreementType.objects.get(code="erasmus-ka171").pk
    big_visit = Visit.objects.get(title=dataset.BIG_VISIT_TITLE).get_absolute_url()
    big_meeting = Visit.objects.get(title=dataset.BIG_VISIT_TITLE).meetings.order_by("pk").first()
    return [
        ("healthz", "/healthz"),
        ("home page", "/"),
        ("institutions list", "/institutions/"),
        ("institutions filtered+sorted", "/institutions/?country=PL&kind=university&sort=-name"),
        ("institutions page 150", "/institutions/?page=150"),
        ("institutions text filter", "/institutions/?q=technology"),
        ("units list", "/units/"),
        ("units of home", "/units/?home=true&sort=-name"),
        ("people list", "/people/"),
        ("people text filter", "/people/?q=Ахметов"),
        ("people page 900", "/people/?page=900"),
        ("partnerships list", "/partnerships/"),
        (
            "partnerships filtered+sorted",
            "/partnerships/?status=active&area=joint_research&sort=-priority",
        ),
        ("institution detail", agh.get_absolute_url()),
        ("institution units tab", agh.get_absolute_url() + "units/"),
        ("institution people tab", big.get_absolute_url() + "people/"),
        ("institution history tab", agh.get_absolute_url() + "history/"),
        ("unit detail", unit.get_absolute_url()),
        ("person detail", person.get_absolute_url()),
        ("partnership detail", partnership.get_absolute_url()),
        ("partnership units tab", partnership.get_absolute_url() + "units/"),
        ("partnership people tab", partnership.get_absolute_url() + "people/"),
        ("partnership timeline", partnership.get_absolute_url() + "timeline/"),
        ("partnership history", partnership.get_absolute_url() + "history/"),
        ("partnership edit form", other_partnership.get_absolute_url() + "edit/"),
        ("agreements list", "/agreements/"),
        (
            "agreements filtered+sorted",
            f"/agreements/?status=active&agreement_type={ka171}&area=student_exchange"
            "&sort=-expires",
        ),
        ("agreements expiring in 90 days", "/agreements/?expiring_within=90&sort=expires"),
        ("agreements partner country", "/agreements/?country=PL&sort=reference"),
        ("agreements text filter", "/agreements/?q=robotics"),
        ("agreements page 300", "/agreements/?page=300"),
        ("agreement detail", mobility.get_absolute_url()),
        ("agreement parties tab", mobility.get_absolute_url() + "parties/"),
        ("agreement conditions tab", mobility.get_absolute_url() + "conditions/"),
        ("agreement approvals tab", mobility.get_absolute_url() + "approvals/"),
        ("agreement documents tab", mobility.get_absolute_url() + "documents/"),
        ("partner page: 200 agreements (AGH)", agh.get_absolute_url() + "agreements/"),
        ("visits list", "/visits/"),
        ("visits filtered+sorted", "/visits/?direction=incoming&status=completed&sort=-start"),
        ("visits date range", "/visits/?date_from=2026-01-01&date_to=2026-12-31"),
        ("visits text filter", "/visits/?q=robotics"),
        ("visits page 50", "/visits/?page=50"),
        ("big visit: overview", big_visit),
        ("big visit: 30 participants", big_visit + "participants/"),
        ("big visit: 50 programme items", big_visit + "programme/"),
        ("big visit: checklist", big_visit + "checklist/"),
        ("big visit: 10 meetings", big_visit + "meetings/"),
        ("big visit: documents", big_visit + "documents/"),
        ("big visit: programme .ics", big_visit + "programme.ics"),
        ("meeting detail", big_meeting.get_absolute_url()),
        ("meetings list", "/meetings/"),
        ("my action items", "/action-items/mine/"),
        ("overdue action items", "/action-items/overdue/"),
        ("search: Караганда", "/search/?q=Караганда"),
        ("search: Qaraǵandy", "/search/?q=Qaraǵandy"),
        ("search: Krakow", "/search/?q=Krakow"),
        ("search: Краков", "/search/?q=Краков"),
        ("search: typo 'unversity tecnology'", "/search/?q=unversity+tecnology"),
        ("search: person 'Ахметов'", "/search/?q=Ахметов"),
        ("search popup (HTMX)", "/search/?q=agh"),
        ("API institutions", "/api/v1/institutions/"),
        ("API institutions filtered", "/api/v1/institutions/?country=PL&ordering=-name"),
        ("API institution detail", f"/api/v1/institutions/{agh.uuid}/"),
        ("API units", "/api/v1/units/"),
        ("API people", "/api/v1/people/"),
        ("API partnerships", "/api/v1/partnerships/"),
        ("API partnership detail", f"/api/v1/partnerships/{partnership.uuid}/"),
        ("API search", "/api/v1/search/?q=Krakow"),
        *((name, "/institutions/new/") for name in POSTS),
        ("API agreements", "/api/v1/agreements/"),
        ("API agreements filtered", "/api/v1/agreements/?status=active&ordering=-expiry_date"),
        ("API agreement detail", f"/api/v1/agreements/{mobility.uuid}/"),
    ]


def measure(name: str, url: str, client: Client, repeats: int) -> Measurement:
    headers = {"HTTP_HX_REQUEST": "true"} if "HTMX" in name else {}
    data = POSTS.get(name)

    def request():
        if data is not None:
            return client.post(url, data, **headers)
        return client.get(url, **headers)

    for _ in range(2):
        response = request()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    # count now: every request starts by clearing the connection's query log
    query_count = len(queries)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        request()
        samples.append((time.perf_counter() - started) * 1000)
        after_request()  # as gunicorn's post_request hook does, once the response is out
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Measurement(
        name, url, response.status_code, statistics.median(samples), p95, query_count
    )


def run(repeats: int, log: Callable[[str], None], only: str = "") -> list[Measurement]:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="office"))
    # the collector as in a gunicorn worker (gunicorn.conf.py): between requests, not inside
    # them; otherwise its passes land on one request in ten and measure the heap, not the page
    freeze_startup_heap()
    tune_collector()
    results = []
    for name, url in targets():
        if only and only.lower() not in name.lower() and name != "healthz":
            continue
        result = measure(name, url, client, repeats)
        log(f"  {name}: {result.median_ms:.1f} ms")
        results.append(result)
    return results


def table(results: list[Measurement], budget_ms: float) -> str:
    baseline = results[0].median_ms if results and results[0].name == "healthz" else None
    lines = [
        "| page or endpoint | status | median ms | p95 ms | × /healthz | SQL queries | budget |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = f"{r.median_ms / baseline:.1f}" if baseline else "—"
        verdict = "ok" if r.median_ms <= budget_ms and r.status == 200 else "OVER"
        cells = [
            r.name,
            r.status,
            f"{r.median_ms:.1f}",
            f"{r.p95_ms:.1f}",
            ratio,
            r.queries,
            verdict,
        ]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines)
