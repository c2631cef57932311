"""The bench dataset: the world directory plus generated units, people and partnerships.

Scale of the foundation issue: 10,251 directory institutions, ~30,000 units, 50,000 people
and 2,000 partnerships; the agreements issue adds 20,000 agreements (200 of them with AGH)
with parties and, for mobility types, cooperation conditions in both directions. On whatever
database DATABASE_URL points at. Generated rows use
bulk_create (the bench measures pages, not the writes); the directory goes through the real
importer so its time is measured too.
"""

import datetime
import random
import time
from collections.abc import Callable
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction

from unibridge.accounts.models import User
from unibridge.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementType,
    ApprovalStep,
    CooperationCondition,
    SubjectArea,
)
from unibridge.core import search
from unibridge.core.names import transliterate
from unibridge.institutions import importing
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.meetings.models import ActionItem, Decision, Meeting
from unibridge.visits.models import ChecklistItem, ProgrammeItem, Visit, VisitParticipant

DIRECTORY = (
    Path(__file__).resolve().parent.parent
    / "unibridge/institutions/data/world_universities_and_domains.json"
)
PEOPLE = 50_000
PARTNERSHIPS = 2_000
AGREEMENTS = 20_000
AGH_AGREEMENTS = 200
VISITS = 5_000
BIG_VISIT_TITLE = "Bench: the big delegation (50 programme items, 30 members, 10 meetings)"
UNITS_PER_INSTITUTION = 3

FIRST_NAMES = [
    "Айгерим", "Ерлан", "Асель", "Нурлан", "Дина", "Тимур", "Жанар", "Бауыржан", "Ольга",
    "Сергей", "Anna", "Piotr", "Katarzyna", "Tomasz", "Małgorzata", "Paweł", "Jürgen", "Ayşe",
    "Mehmet", "Li", "Wei", "Jonas", "Eva", "Rustam", "Dilnoza", "Aibek",
]  # fmt: skip
LAST_NAMES = [
    "Садыкова", "Ахметов", "Ибраева", "Жумабаев", "Ким", "Петров", "Смагулова", "Оспанов",
    "Kowalski", "Nowak", "Wiśniewska", "Zieliński", "Müller", "Yılmaz", "Zhang", "Petrauskas",
    "Novák", "Karimov", "Toktogulov", "Abenova",
]  # fmt: skip
KEYWORDS = [
    "mineral processing", "metallurgy", "robotics", "environmental protection", "digital twins",
    "energy systems", "materials science", "logistics", "economics", "civil engineering",
]  # fmt: skip
AREAS = [
    "joint_research", "student_exchange", "staff_exchange", "internships",
    "educational_programmes", "international_projects",
]  # fmt: skip


def is_built() -> bool:
    return Person.objects.count() >= PEOPLE and Partnership.objects.count() >= PARTNERSHIPS


def agreements_built() -> bool:
    return Agreement.objects.count() >= AGREEMENTS


def visits_built() -> bool:
    return Visit.objects.count() >= VISITS


def build(log: Callable[[str], None]) -> dict[str, float]:
    """Build the dataset into an empty database; returns timings of the steps in seconds."""
    rng = random.Random(2026)
    timings: dict[str, float] = {}

    def step(name: str, func: Callable[[], object]) -> None:
        started = time.perf_counter()
        func()
        timings[name] = time.perf_counter() - started
        log(f"  {name}: {timings[name]:.1f} s")

    step("demo data", lambda: call_command("load_demo", stdout=_Silent()))
    office = User.objects.get(username="office")
    step("import of the 10,251 directory institutions", lambda: _import_directory(office))
    step("units", lambda: _units(rng))
    step("people", lambda: _people(rng))
    step("partnerships", lambda: _partnerships(rng))
    step("agreements", lambda: _agreements(rng))
    step("visits", lambda: _visits(rng))
    step("search index", lambda: search.rebuild())
    # statistics and visibility maps as autovacuum (PostgreSQL) or ANALYZE would leave them
    step("vacuum and analyze", _analyze)
    return timings


def add_missing(log: Callable[[str], None]) -> None:
    """Add what later issues measure to a dataset built before them."""
    rng = random.Random(2027)
    steps = []
    if not agreements_built():
        steps.append(("agreements", lambda: _agreements(rng)))
    if not visits_built():
        steps.append(("visits", lambda: _visits(rng)))
    for name, func in [
        *steps,
        ("search index", search.rebuild),
        ("vacuum and analyze", _analyze),
    ]:
        started = time.perf_counter()
        func()
        log(f"  {name}: {time.perf_counter() - started:.1f} s")


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


class _Silent:
    def write(self, *args, **kwargs) -> None:
        pass

    def flush(self) -> None:
        pass


def _import_directory(user) -> None:
    rows = importing.read_rows(DIRECTORY.read_bytes(), file_format="json")
    plan = importing.build_plan(rows)
    if plan.errors:
        raise RuntimeError(f"the directory has {len(plan.errors)} bad rows")
    importing.apply(plan, user)


@transaction.atomic
def _units(rng: random.Random) -> None:
    institutions = list(Institution.objects.filter(is_home=False).values_list("pk", flat=True))
    faculties = [
        OrganizationalUnit(
            institution_id=pk, name=f"Faculty of {rng.choice(KEYWORDS).title()}", kind="faculty"
        )
        for pk in institutions
    ]
    OrganizationalUnit.objects.bulk_create(faculties, batch_size=2000)
    departments = []
    for faculty in faculties:
        faculty.path, faculty.depth = f"/{faculty.pk}/", 0
        for _ in range(UNITS_PER_INSTITUTION - 1):
            departments.append(
                OrganizationalUnit(
                    institution_id=faculty.institution_id,
                    parent=faculty,
                    name=f"Department of {rng.choice(KEYWORDS).title()}",
                    kind="department",
                )
            )
    OrganizationalUnit.objects.bulk_update(faculties, ["path", "depth"], batch_size=2000)
    OrganizationalUnit.objects.bulk_create(departments, batch_size=2000)
    for department in departments:
        department.path, department.depth = f"/{department.parent_id}/{department.pk}/", 1
    OrganizationalUnit.objects.bulk_update(departments, ["path", "depth"], batch_size=2000)


@transaction.atomic
def _people(rng: random.Random) -> None:
    units = list(OrganizationalUnit.objects.values_list("pk", "institution_id"))
    home_units = list(
        OrganizationalUnit.objects.filter(institution__is_home=True).values_list(
            "pk", "institution_id"
        )
    )
    people = []
    for i in range(PEOPLE):
        unit_id, institution_id = rng.choice(home_units if i % 5 == 0 else units)
        native = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        people.append(
            Person(
                name_native=native,
                name_latin=transliterate(native),
                institution_id=institution_id,
                unit_id=unit_id,
                email=f"person{i}@example.org",
                research_keywords=", ".join(rng.sample(KEYWORDS, 2)),
                is_confidential=i % 50 == 0,
            )
        )
    Person.objects.bulk_create(people, batch_size=5000)


@transaction.atomic
def _partnerships(rng: random.Random) -> None:
    taken = set(Partnership.objects.values_list("partner_id", flat=True))
    candidates = list(
        Institution.objects.filter(is_home=False).exclude(pk__in=taken).values_list("pk", flat=True)
    )
    partners = rng.sample(candidates, PARTNERSHIPS - len(taken))
    statuses = ["prospect", "developing", "active", "active", "dormant", "ended"]
    partnerships = [
        Partnership(
            partner_id=pk,
            status=rng.choice(statuses),
            priority=rng.choice(["high", "medium", "low"]),
            cooperation_areas=rng.sample(AREAS, 2),
            is_confidential=i % 20 == 0,
        )
        for i, pk in enumerate(partners)
    ]
    Partnership.objects.bulk_create(partnerships, batch_size=1000)
    home_units = list(
        OrganizationalUnit.objects.filter(institution__is_home=True).values_list("pk", flat=True)
    )
    home_people = list(
        Person.objects.filter(institution__is_home=True).values_list("pk", flat=True)[:2000]
    )
    unit_links = Partnership.home_units.through
    people_links = Partnership.responsible_people.through
    unit_links.objects.bulk_create(
        [
            unit_links(partnership_id=p.pk, organizationalunit_id=unit)
            for p in partnerships
            for unit in rng.sample(home_units, 2)
        ],
        batch_size=5000,
    )
    people_links.objects.bulk_create(
        [
            people_links(partnership_id=p.pk, person_id=person)
            for p in partnerships
            for person in rng.sample(home_people, 2)
        ],
        batch_size=5000,
    )


STATUS_MIX = ["active"] * 6 + ["expired", "terminated", "draft", "in_review", "signing"]


@transaction.atomic
def _agreements(rng: random.Random) -> None:
    """20,000 agreements: a sixth of them mobility agreements with four conditions each."""
    today = datetime.date.today()
    home = Institution.objects.get(is_home=True)
    agh = Institution.objects.get(hei_id="agh.edu.pl")
    partners = list(
        Institution.objects.filter(is_home=False).exclude(pk=agh.pk).values_list("pk", flat=True)
    )
    types = list(AgreementType.objects.all())
    home_units = list(
        OrganizationalUnit.objects.filter(institution=home).values_list("pk", flat=True)
    )
    approvers = list(User.objects.filter(role__in=["office", "admin"]))
    home_people = list(Person.objects.filter(institution=home).values_list("pk", flat=True)[:500])
    start = Agreement.objects.count()
    agreements = []
    for i in range(start, AGREEMENTS):
        kind = rng.choice(types)
        effective = today - datetime.timedelta(days=rng.randint(0, 5 * 365))
        indefinite = i % 10 == 0
        status = rng.choice(STATUS_MIX)
        agreements.append(
            Agreement(
                agreement_type=kind,
                reference=f"BENCH-{kind.reference_prefix}-{i:06d}",
                title=f"{kind.name_en} {i}: {rng.choice(KEYWORDS)}",
                title_en=f"{kind.name_en} {i}: {rng.choice(KEYWORDS)}",
                status=status,
                cooperation_areas=rng.sample(AREAS, 2),
                effective_date=effective,
                expiry_date=None
                if indefinite
                else effective + datetime.timedelta(days=rng.randint(200, 6 * 365)),
                renewal_years=rng.choice([0, 0, 0, 1, 5]),
                notice_days=rng.choice([0, 90, 180]),
                signing_started_on=today - datetime.timedelta(days=rng.randint(1, 90))
                if status == "signing"
                else None,
                is_confidential=i % 25 == 0,
            )
        )
    Agreement.objects.bulk_create(agreements, batch_size=2000)
    partner_of = {
        a.pk: (agh.pk if n < AGH_AGREEMENTS else rng.choice(partners))
        for n, a in enumerate(agreements)
    }
    parties = []
    for a in agreements:
        parties.append(AgreementParty(agreement_id=a.pk, institution_id=home.pk, order=0))
        parties.append(AgreementParty(agreement_id=a.pk, institution_id=partner_of[a.pk], order=1))
    AgreementParty.objects.bulk_create(parties, batch_size=5000)
    unit_links = AgreementParty.units.through
    unit_links.objects.bulk_create(
        [
            unit_links(agreementparty_id=party.pk, organizationalunit_id=rng.choice(home_units))
            for party in parties
            if party.institution_id == home.pk
        ],
        batch_size=5000,
    )
    people_links = Agreement.responsible_people.through
    people_links.objects.bulk_create(
        [
            people_links(agreement_id=a.pk, person_id=person)
            for a in agreements
            for person in rng.sample(home_people, 2)
        ],
        batch_size=5000,
    )
    steps = [
        ApprovalStep(
            agreement_id=a.pk,
            order=order,
            name=name,
            approver=rng.choice(approvers),
            decision="pending",
        )
        for a in agreements
        if a.status == "in_review"
        for order, name in enumerate(["Unit head", "Legal office", "Vice-rector"], start=1)
    ]
    ApprovalStep.objects.bulk_create(steps, batch_size=5000)
    _conditions(rng, [a for a in agreements if a.agreement_type.has_conditions], home, partner_of)


def _conditions(rng: random.Random, agreements: list, home, partner_of: dict) -> None:
    year = datetime.date.today().year
    conditions = []
    for a in agreements:
        partner = partner_of[a.pk]
        first = len(conditions)
        for sending, receiving in ((home.pk, partner), (partner, home.pk)):
            conditions.append(
                CooperationCondition(
                    agreement_id=a.pk,
                    order=len(conditions) - first,
                    mobility_type="student-studies",
                    sending_institution_id=sending,
                    receiving_institution_id=receiving,
                    mobilities_per_year=rng.randint(1, 6),
                    total_months_per_year=rng.choice([5, 10, 20]),
                    eqf_levels=["6", "7"],
                    first_academic_year=f"{year}/{year + 1}",
                    last_academic_year=f"{year + 2}/{year + 3}",
                )
            )
            conditions.append(
                CooperationCondition(
                    agreement_id=a.pk,
                    order=len(conditions) - first,
                    mobility_type="staff-teacher",
                    sending_institution_id=sending,
                    receiving_institution_id=receiving,
                    mobilities_per_year=rng.randint(1, 3),
                    total_days_per_year=rng.choice([5, 10]),
                    first_academic_year=f"{year}/{year + 1}",
                    last_academic_year=f"{year + 2}/{year + 3}",
                )
            )
    CooperationCondition.objects.bulk_create(conditions, batch_size=5000)
    SubjectArea.objects.bulk_create(
        [
            SubjectArea(condition_id=c.pk, isced_code=rng.choice(["0713", "0724", "0715", "0311"]))
            for c in conditions
        ],
        batch_size=5000,
    )


VISIT_STATUSES = ["planned", "confirmed", "completed", "completed", "completed", "cancelled"]
PROGRAMME_KINDS = ["meeting", "round_table", "lab_tour", "lecture", "cultural", "transfer"]


@transaction.atomic
def _visits(rng: random.Random) -> None:
    """5,000 visits (incoming and outgoing) with members, programme, checklist and a meeting;
    one big visit with 50 programme items, 30 members and 10 meetings."""
    today = datetime.date.today()
    home = Institution.objects.get(is_home=True)
    partners = list(Institution.objects.filter(is_home=False).values_list("pk", flat=True)[:3000])
    home_units = list(
        OrganizationalUnit.objects.filter(institution=home).values_list("pk", flat=True)
    )
    people = list(Person.objects.values_list("pk", flat=True)[:5000])
    visits = []
    for i in range(Visit.objects.count(), VISITS):
        partner = rng.choice(partners)
        incoming = i % 3 != 0
        start = today + datetime.timedelta(days=rng.randint(-4 * 365, 365))
        visits.append(
            Visit(
                direction="incoming" if incoming else "outgoing",
                title=f"Delegation visit {i}: {rng.choice(KEYWORDS)}",
                visiting_institution_id=partner if incoming else home.pk,
                host_institution_id=home.pk if incoming else partner,
                start_date=start,
                end_date=start + datetime.timedelta(days=rng.randint(0, 5)),
                time_zone="Asia/Almaty" if incoming else "Europe/Warsaw",
                purpose=f"Talks on {rng.choice(KEYWORDS)} and {rng.choice(KEYWORDS)}",
                status=rng.choice(VISIT_STATUSES),
                is_confidential=i % 40 == 0,
            )
        )
    visits[0].title = BIG_VISIT_TITLE
    Visit.objects.bulk_create(visits, batch_size=2000)
    links = Visit.home_units.through
    links.objects.bulk_create(
        [links(visit_id=v.pk, organizationalunit_id=rng.choice(home_units)) for v in visits],
        batch_size=5000,
    )
    big = visits[0]
    participants, items, checklist, meetings = [], [], [], []
    for visit in visits:
        members = 30 if visit is big else 3
        for order, person in enumerate(rng.sample(people, members), start=1):
            participants.append(
                VisitParticipant(
                    visit_id=visit.pk,
                    person_id=person,
                    side="delegation" if order <= members * 2 // 3 else "home",
                    role="head" if order == 1 else "member",
                    order=order,
                )
            )
        programme = 50 if visit is big else 2
        for n in range(programme):
            day = visit.start_date + datetime.timedelta(
                days=n % (1 + (visit.end_date - visit.start_date).days)
            )
            starts = datetime.datetime.combine(
                day, datetime.time(8 + n % 10, 0), tzinfo=datetime.UTC
            )
            items.append(
                ProgrammeItem(
                    visit_id=visit.pk,
                    kind=rng.choice(PROGRAMME_KINDS),
                    title=f"Programme item {n}",
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(minutes=50),
                    place=f"Room {rng.randint(100, 400)}",
                    responsible_id=rng.choice(people),
                )
            )
        for order, name in enumerate(["Visa invitation letters", "Accommodation", "Transport"]):
            checklist.append(
                ChecklistItem(
                    visit_id=visit.pk,
                    name=name,
                    order=order,
                    due_on=visit.start_date - datetime.timedelta(days=7 * (3 - order)),
                    done=visit.status == "completed",
                )
            )
        for n in range(10 if visit is big else (1 if visit.status == "completed" else 0)):
            starts = datetime.datetime.combine(
                visit.start_date, datetime.time(9 + n, 0), tzinfo=datetime.UTC
            )
            meetings.append(
                Meeting(
                    visit_id=visit.pk,
                    partner_id=visit.visiting_institution_id
                    if visit.direction == "incoming"
                    else visit.host_institution_id,
                    kind="round_table",
                    title=f"Round table {n} of visit {visit.pk}",
                    starts_at=starts,
                    time_zone=visit.time_zone,
                    agenda="Joint research\nExchange of students",
                    minutes="<p>The parties discussed joint research.</p>",
                    is_confidential=visit.is_confidential,
                )
            )
    VisitParticipant.objects.bulk_create(participants, batch_size=5000)
    ProgrammeItem.objects.bulk_create(items, batch_size=5000)
    ChecklistItem.objects.bulk_create(checklist, batch_size=5000)
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    Decision.objects.bulk_create(
        [Decision(meeting_id=m.pk, text="Prepare a joint application", order=1) for m in meetings],
        batch_size=5000,
    )
    office = User.objects.get(username="office")
    office_person = Person.objects.filter(user=office).first()
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                meeting_id=m.pk,
                description=f"Send the draft agreement ({m.pk})",
                owner_id=office_person.pk if office_person and n % 10 == 0 else rng.choice(people),
                due_on=today + datetime.timedelta(days=rng.randint(-200, 200)),
                status=rng.choice(["open", "open", "done", "in_progress"]),
            )
            for n, m in enumerate(meetings)
        ],
        batch_size=5000,
    )
