"""No change is lost when many people write the same records at once (issue 8).

The rule, for every record the API and the pages change:

- a PATCH changes only the fields it names, on the row as locked at that moment, so twenty
  PATCHes of different fields all stay; its ``version`` is optional (a stale one is 409);
- a PUT, and a page's form post, must carry the version the client read: without it the answer
  is 428 and nothing is written, with a stale one 409.

The concurrent tests need real parallel connections and row locks: PostgreSQL only.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.accounts.choices import Role
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.agreements.tests.factories import AgreementTypeFactory
from unibridge.institutions.models import Person
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.visits.tests.factories import VisitFactory

User = get_user_model()
WRITERS = 50
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need parallel connections and row locks: run on PostgreSQL "
    "(DATABASE_URL=postgres://…); SQLite serialises every write",
)


def api_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def writers(count: int) -> list[APIClient]:
    """Clients of as many office accounts, each with its own token (made in bulk: fast)."""
    users = User.objects.bulk_create(
        User(username=f"writer{n}", role=Role.OFFICE, password="!") for n in range(count)
    )
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    clients = []
    for token in tokens:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        clients.append(client)
    return clients


def detail_url(resource: str, record) -> str:
    return reverse(f"api-{resource}-detail", args=[record.uuid])


# --- What each resource is, and what 50 writers change in it -------------------------------------


def text(name: str) -> Callable:
    """A text field: writer i sets “<name> i”."""
    return lambda i, people: (f"{name} {i}", f"{name} {i}")


def day(start: datetime.date) -> Callable:
    return lambda i, people: (
        (start + datetime.timedelta(days=i)).isoformat(),
        start + datetime.timedelta(days=i),
    )


def number(offset: int = 0) -> Callable:
    return lambda i, people: (i + offset, i + offset)


def one_person(i: int, people: list) -> tuple:
    """A set of people: writer i makes it exactly person i."""
    return [str(people[i].uuid)], [people[i].pk]


def owner(i: int, people: list) -> tuple:
    return str(people[i].uuid), people[i].pk


@dataclass
class Resource:
    name: str  # of the API route, api-<name>-detail
    make: Callable  # (count, world) -> records
    fields: dict[str, Callable]  # field -> (i, people) -> (JSON value, value stored)
    stored: Callable = getattr  # (record, field) -> the value stored

    def records_needed(self) -> int:
        return -(-WRITERS // len(self.fields))


def stored_value(record, field: str):
    value = getattr(record, field)
    if hasattr(value, "all"):
        return sorted(value.values_list("pk", flat=True))
    if field == "owner":
        return record.owner_id
    return value


def make_agreements(count: int, world: dict) -> list:
    agreement_type = AgreementTypeFactory()
    return [
        agreement_create(
            user=world["office"],
            agreement_type=agreement_type,
            title=f"Memorandum {n}",
            parties=[PartyInput(world["home"], [world["engineering"]]), PartyInput(world["agh"])],
        )
        for n in range(count)
    ]


def make_visits(count: int, world: dict) -> list:
    visits = []
    for _n in range(count):
        visit = VisitFactory(
            direction="incoming",
            visiting_institution=world["agh"],
            host_institution=world["home"],
        )
        visit.home_units.set([world["engineering"]])
        visits.append(visit)
    return visits


def make_meetings(count: int, world: dict) -> list:
    visit = make_visits(1, world)[0]
    return [MeetingFactory(visit=visit) for _n in range(count)]


def make_action_items(count: int, world: dict) -> list:
    meeting = make_meetings(1, world)[0]
    return [ActionItemFactory(meeting=meeting) for _n in range(count)]


INSTITUTION_TEXTS = (
    "name", "name_en", "name_ru", "name_kk", "name_pl", "acronym", "city", "address", "notes",
)  # fmt: skip
PERSON_TEXTS = (
    "name_native", "name_latin", "title", "position", "phone", "research_keywords", "notes",
)  # fmt: skip
AGREEMENT_TEXTS = ("title", "title_en", "title_ru", "title_kk", "title_pl", "summary", "notes")

RESOURCES = [
    Resource(
        "institution",
        lambda count, world: InstitutionFactory.create_batch(count),
        {
            **{name: text(name) for name in INSTITUTION_TEXTS},
            "aliases": lambda i, people: ([f"Alias {i}"], [f"Alias {i}"]),
        },
    ),
    Resource(
        "unit",
        lambda count, world: UnitFactory.create_batch(count, institution=world["agh"]),
        {
            **{
                name: text(name)
                for name in ("name", "name_en", "name_ru", "name_kk", "name_pl", "acronym")
            },
            "ewp_ounit_id": text("ounit"),
        },
    ),
    Resource(
        "person",
        lambda count, world: PersonFactory.create_batch(count, institution=world["agh"]),
        {
            **{name: text(name) for name in PERSON_TEXTS},
            "email": lambda i, people: (f"person{i}@example.org", f"person{i}@example.org"),
        },
    ),
    Resource(
        "partnership",
        lambda count, world: [PartnershipFactory() for _n in range(count)],
        {
            "notes": text("notes"),
            "started_on": day(datetime.date(2020, 1, 1)),
            "responsible_people": one_person,
        },
        stored_value,
    ),
    Resource(
        "agreement",
        make_agreements,
        {
            **{name: text(name) for name in AGREEMENT_TEXTS},
            "renewal_years": number(),
            "notice_days": number(100),
        },
    ),
    Resource(
        "visit",
        make_visits,
        {
            "title": text("title"),
            "purpose": text("purpose"),
            "goals": text("goals"),
            "notes": text("notes"),
            "responsible_people": one_person,
        },
        stored_value,
    ),
    Resource(
        "meeting",
        make_meetings,
        {
            "title": text("title"),
            "place": text("place"),
            "agenda": text("agenda"),
            "minutes": lambda i, people: (f"<p>Minutes {i}</p>", f"<p>Minutes {i}</p>"),
            "online_link": lambda i, people: (
                f"https://meet.example.org/{i}",
                f"https://meet.example.org/{i}",
            ),
        },
    ),
    Resource(
        "action-item",
        make_action_items,
        {
            "description": text("description"),
            "due_on": day(datetime.date(2026, 7, 1)),
            "owner": owner,
        },
        stored_value,
    ),
]


@pytest.fixture
def world(home, engineering, office_user):
    agh = InstitutionFactory(name="AGH University of Krakow", country="PL", city="Kraków")
    return {"home": home, "engineering": engineering, "agh": agh, "office": office_user}


def run_at_once(jobs: list[Callable]) -> list:
    """Run the jobs in parallel threads, released together; each closes its connection."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index: int, job: Callable) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as error:  # reported by the test, not lost in the thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return results


# --- 50 concurrent writers, no version -----------------------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_fifty_concurrent_patches_without_version_all_stay(resource, world):
    records = resource.make(resource.records_needed(), world)
    people = Person.objects.bulk_create(
        Person(name_native=f"Writer {n}", name_latin=f"Writer {n}", institution=world["home"])
        for n in range(WRITERS)
    )
    names = list(resource.fields)
    # writer i changes one field of one record; no two writers the same field of a record
    plan = [(records[i % len(records)], names[i // len(records)], i) for i in range(WRITERS)]
    clients = writers(WRITERS)

    def job(client, record, name, i):
        value = resource.fields[name](i, people)[0]
        return lambda: client.patch(detail_url(resource.name, record), {name: value}, format="json")

    answers = run_at_once([job(client, *step) for client, step in zip(clients, plan, strict=True)])

    failed = [
        (name, answer)
        for (_record, name, _i), answer in zip(plan, answers, strict=True)
        if getattr(answer, "status_code", None) != 200
    ]
    assert not failed, [(name, getattr(answer, "content", answer)) for name, answer in failed[:3]]
    lost = []
    for record, name, i in plan:
        record.refresh_from_db()
        expected = resource.fields[name](i, people)[1]
        if resource.stored(record, name) != expected:
            lost.append((str(record), name, resource.stored(record, name), expected))
    assert not lost, f"{len(lost)} of {WRITERS} acknowledged changes were lost: {lost[:5]}"


# --- The rule, one request at a time (SQLite and PostgreSQL) -------------------------------------


def snapshot(record) -> dict:
    """What is stored of the record: its columns and its sets."""
    record.refresh_from_db()
    values = {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
    for field in record._meta.many_to_many:
        values[field.name] = sorted(getattr(record, field.name).values_list("pk", flat=True))
    return values


@pytest.fixture
def office_api(office_user):
    return api_for(office_user)


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_a_put_without_version_answers_428_and_writes_nothing(resource, world, office_api):
    record = resource.make(1, world)[0]
    before = snapshot(record)
    name = next(iter(resource.fields))
    body = {name: resource.fields[name](7, [])[0]}

    response = office_api.put(detail_url(resource.name, record), body, format="json")

    assert response.status_code == 428, response.content
    answer = response.json()
    assert answer["error"] == "version_required"
    assert "'version'" in answer["detail"]
    assert snapshot(record) == before


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_a_patch_with_a_stale_version_answers_409_and_writes_nothing(resource, world, office_api):
    record = resource.make(1, world)[0]
    before = snapshot(record)
    name = next(iter(resource.fields))
    body = {name: resource.fields[name](7, [])[0], "version": "2001-01-01T00:00:00+00:00"}

    response = office_api.patch(detail_url(resource.name, record), body, format="json")

    assert response.status_code == 409, response.content
    answer = response.json()
    assert answer["error"] == "conflict"
    assert answer["current"]["id"] == str(record.uuid)
    assert snapshot(record) == before


def test_a_put_with_the_version_changes_the_record(world, office_api):
    agh = world["agh"]
    response = office_api.put(
        detail_url("institution", agh),
        {"name": "AGH", "country": "PL", "version": agh.updated.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    agh.refresh_from_db()
    assert (agh.name, agh.city) == ("AGH", "Kraków")


def test_a_patch_writes_only_the_field_it_names_and_the_audit_shows_only_that(world, office_api):
    # a comma inside an alias and spaces around the notes do not survive the form's round
    # trip (it splits aliases at commas and trims text): a change of the city must keep them
    agh = world["agh"]
    agh.aliases = ["Akademia Górniczo-Hutnicza, Kraków"]
    agh.notes = "  Met in May.  "
    agh.save()
    before = snapshot(agh)

    response = office_api.patch(detail_url("institution", agh), {"city": "Krakow"}, format="json")

    assert response.status_code == 200, response.content
    after = snapshot(agh)
    assert after["aliases"] == ["Akademia Górniczo-Hutnicza, Kraków"]
    assert after["notes"] == "  Met in May.  "
    assert {name for name in after if after[name] != before[name]} == {"city", "updated"}
    entry = LogEntry.objects.get_for_object(agh).order_by("pk").last()
    assert set(entry.changes_dict) == {"city"}
    assert entry.changes_dict["city"] == ["Kraków", "Krakow"]


def test_a_patch_leaves_the_sets_it_does_not_name(world, office_api):
    partnership = PartnershipFactory(partner=world["agh"])
    person = PersonFactory(institution=world["home"])
    partnership.home_units.set([world["engineering"]])
    partnership.responsible_people.set([person])

    response = office_api.patch(
        detail_url("partnership", partnership), {"notes": "Renewed."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert list(partnership.home_units.all()) == [world["engineering"]]
    assert list(partnership.responsible_people.all()) == [person]
    entry = LogEntry.objects.get_for_object(partnership).order_by("pk").last()
    assert set(entry.changes_dict) == {"notes"}


# --- The pages' forms ----------------------------------------------------------------------------


def posted(form) -> dict:
    """The form's fields as a browser would post them unchanged."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field.widget, forms.CheckboxInput):
            if value:
                data[field.html_name] = "on"
            continue
        data[field.html_name] = "" if value is None else value
    return data


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_a_form_post_without_version_is_refused_and_writes_nothing(resource, world, office_client):
    record = resource.make(1, world)[0]
    url = record.get_absolute_url() + "edit/"
    page = office_client.get(url)
    assert page.status_code == 200
    data = posted(page.context["form"])
    assert data["version"], "the edit page carries the record's version"
    name = next(iter(resource.fields))
    data[name] = f"Changed {name}"
    before = snapshot(record)

    refused = office_client.post(url, {**data, "version": ""})

    assert refused.status_code == 428
    assert "came without the version of the record" in refused.content.decode()
    assert snapshot(record) == before
    # the same post with its version saves: only the version was missing
    saved = office_client.post(url, data)
    assert saved.status_code in (302, 303), saved.context and saved.context["form"].errors
    record.refresh_from_db()
    assert getattr(record, name) == f"Changed {name}"
