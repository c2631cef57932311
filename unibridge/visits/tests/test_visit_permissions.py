"""Every page of the visits' core × every role: invisible answers 404, read-only 403.

The office sees and changes every visit; a unit coordinator changes the visits involving
their units (sub-units included) and sees confidential ones only there; viewers and other
coordinators read the non-confidential ones.
"""

import pytest
from django.test import Client

from unibridge.institutions.tests.factories import PersonFactory
from unibridge.visits.models import Visit
from unibridge.visits.tests.factories import ChecklistItemFactory, ParticipantFactory

from .test_visit_pages import make_partner, make_visit, visit_form_data

READ_PAGES = ["", "participants/", "checklist/", "programme/", "meetings/", "history/"]
WRITE_PAGES = [
    "edit/",
    "delete/",
    "cancel/",
    "participants/add/?side=delegation",
    "participants/add/?side=home",
    "participants/{participant}/edit/",
    "participants/{participant}/remove/",
    "checklist/add/",
    "checklist/{item}/edit/",
    "checklist/{item}/delete/",
]
WRITE_POSTS = [
    "status/confirm/",
    "checklist/{item}/toggle/",
    "agreements/link/",
    "participants/{participant}/remove/",
    "checklist/{item}/delete/",
    "delete/",
]


@pytest.fixture
def clients(office_user, coordinator_user, other_coordinator_user, viewer_user):
    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return {
        "office": client_for(office_user),
        "coordinator": client_for(coordinator_user),
        "other": client_for(other_coordinator_user),
        "viewer": client_for(viewer_user),
    }


def make_engineering_visit(home, engineering_department, *, confidential: bool) -> dict:
    partner = make_partner()
    # a sub-unit of the coordinator's faculty: their scope includes it
    visit = make_visit(home, partner, units=[engineering_department], is_confidential=confidential)
    participant = ParticipantFactory(visit=visit, person=PersonFactory(institution=partner))
    item = ChecklistItemFactory(visit=visit)
    return {"visit": visit, "participant": participant.pk, "item": item.pk}


def urls(records: dict, patterns: list[str]) -> list[str]:
    base = f"/visits/{records['visit'].uuid}/"
    return [base + pattern.format(**records) for pattern in patterns]


EXPECTED = {
    # role: (reads a non-confidential visit, writes it, reads a confidential one, writes it)
    "office": (200, 200, 200, 200),
    "coordinator": (200, 200, 200, 200),
    "other": (200, 403, 404, 404),
    "viewer": (200, 403, 404, 404),
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("confidential", [False, True])
def test_every_page_answers_each_role_as_the_rules_say(
    clients, home, engineering_department, economics, role, confidential
):
    records = make_engineering_visit(home, engineering_department, confidential=confidential)
    read, write, read_confidential, write_confidential = EXPECTED[role]
    expected_read = read_confidential if confidential else read
    expected_write = write_confidential if confidential else write
    client = clients[role]
    for url in urls(records, READ_PAGES):
        assert client.get(url).status_code == expected_read, url
    for url in urls(records, WRITE_PAGES):
        assert client.get(url).status_code == expected_write, url


@pytest.mark.parametrize("role", ["other", "viewer"])
def test_read_only_roles_cannot_change_anything_by_posting(
    clients, home, engineering_department, economics, role
):
    records = make_engineering_visit(home, engineering_department, confidential=False)
    visit = records["visit"]
    before = (visit.status, visit.participants.count(), visit.checklist.count())
    for url in urls(records, WRITE_POSTS):
        assert clients[role].post(url, {"done": "1", "reason": "x"}).status_code == 403, url
    visit.refresh_from_db()
    assert (visit.status, visit.participants.count(), visit.checklist.count()) == before
    assert not visit.checklist.filter(done=True).exists()


def test_the_list_shows_confidential_visits_only_to_their_units_and_the_office(
    clients, home, engineering_department, economics
):
    public = make_engineering_visit(home, engineering_department, confidential=False)["visit"]
    secret = make_engineering_visit(home, engineering_department, confidential=True)["visit"]

    def listed(role) -> set:
        return {row[0] for row in clients[role].get("/visits/").context["rows"]}

    assert listed("office") == {public, secret}
    assert listed("coordinator") == {public, secret}
    assert listed("other") == {public}
    assert listed("viewer") == {public}
    csv = clients["viewer"].get("/visits/", {"export": "csv"})
    body = b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode()
    assert public.title in body and secret.title not in body


def test_a_coordinator_edits_their_units_visits_only(
    clients, home, engineering_department, economics
):
    partner = make_partner()
    theirs = make_visit(home, partner, units=[economics])
    assert clients["coordinator"].get(f"/visits/{theirs.uuid}/edit/").status_code == 403
    mine = make_visit(home, partner, units=[engineering_department])
    version = (
        clients["coordinator"].get(f"/visits/{mine.uuid}/edit/").context["form"].initial["version"]
    )
    # dropping their own units would lock them out: refused with the reason
    response = clients["coordinator"].post(
        f"/visits/{mine.uuid}/edit/",
        visit_form_data(partner, home_units=[economics.pk], version=version),
    )
    assert response.status_code == 400
    assert "Include at least one of your own units" in response.content.decode()
    assert list(Visit.objects.get(pk=mine.pk).home_units.all()) == [engineering_department]


def test_anonymous_visitors_are_sent_to_log_in(home, engineering_department):
    records = make_engineering_visit(home, engineering_department, confidential=False)
    client = Client()
    for url in ["/visits/", "/visits/new/", *urls(records, READ_PAGES[:1] + WRITE_PAGES[:1])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
