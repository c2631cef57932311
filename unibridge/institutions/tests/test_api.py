"""The JSON API at /api/v1/: CRUD, filters, auth, permissions, validation, conflicts, audit.

A record the user may not see answers 404; one they see but may not change answers 403;
every failure is JSON: {"error", "detail", "fields"}.
"""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)

RESOURCES = {
    "institution": Institution,
    "unit": OrganizationalUnit,
    "person": Person,
    "partnership": Partnership,
}


def list_url(resource: str) -> str:
    return reverse(f"api-{resource}-list")


def detail_url(record) -> str:
    resource = next(name for name, model in RESOURCES.items() if isinstance(record, model))
    return reverse(f"api-{resource}-detail", args=[record.uuid])


def api_for(user) -> APIClient:
    """A client that authenticates with the user's API token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response has the status and the API's JSON error shape; returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"error", "detail"}, body
    if code:
        assert body["error"] == code, body
    return body


def field_errors(response) -> dict:
    return assert_error(response, 400, "invalid")["fields"]


@pytest.fixture
def world(home, engineering, engineering_department, economics):
    """The home university, two partners (one partnership confidential), units and people."""
    agh = InstitutionFactory(
        name="AGH University of Krakow",
        name_en="AGH University of Krakow",
        acronym="AGH",
        country="PL",
        city="Kraków",
        hei_id="agh.edu.pl",
        pic="999876543",
    )
    tu = InstitutionFactory(name="Technische Universität Berlin", country="DE", city="Berlin")
    company = InstitutionFactory(name="Steel Works", kind="company", country="LU", city="Esch")
    agh_faculty = UnitFactory(institution=agh, name="Faculty of Mining")
    engineer = PersonFactory(name_native="Иван Петров", institution=home, unit=engineering)
    economist = PersonFactory(name_native="Aigerim Economist", institution=home, unit=economics)
    secret_person = PersonFactory(
        name_native="Secret Economist", institution=home, unit=economics, is_confidential=True
    )
    professor = PersonFactory(
        name_native="Jan Kowalski", institution=agh, unit=agh_faculty, languages=["pl", "en"]
    )
    open_partnership = PartnershipFactory(
        partner=agh, status="active", cooperation_areas=["joint_research", "student_exchange"]
    )
    open_partnership.home_units.set([engineering])
    open_partnership.responsible_people.set([engineer, professor])
    secret = PartnershipFactory(
        partner=tu, status="developing", is_confidential=True, cooperation_areas=["staff_exchange"]
    )
    secret.home_units.set([economics])
    return {
        "home": home,
        "agh": agh,
        "tu": tu,
        "company": company,
        "engineering": engineering,
        "department": engineering_department,
        "economics": economics,
        "agh_faculty": agh_faculty,
        "engineer": engineer,
        "economist": economist,
        "secret_person": secret_person,
        "professor": professor,
        "open": open_partnership,
        "secret": secret,
    }


@pytest.fixture
def office_api(office_user):
    return api_for(office_user)


@pytest.fixture
def admin_api(admin_user):
    return api_for(admin_user)


@pytest.fixture
def coordinator_api(coordinator_user):
    return api_for(coordinator_user)


@pytest.fixture
def viewer_api(viewer_user):
    return api_for(viewer_user)


# --- CRUD as the international office ------------------------------------------------------------


def test_office_creates_reads_replaces_patches_and_deletes_an_institution(office_api, home):
    response = office_api.post(
        list_url("institution"),
        {
            "name": "Akademia Górniczo-Hutnicza",
            "name_en": "AGH University of Krakow",
            "aliases": ["AGH", "University of Science and Technology, Kraków"],
            "acronym": "AGH",
            "kind": "university",
            "country": "pl",
            "city": "Kraków",
            "website": "agh.edu.pl",
            "email_domains": ["AGH.edu.pl", "student.agh.edu.pl"],
            "hei_id": "AGH.EDU.PL",
            "erasmus_code": "pl krakow02",
            "pic": "999876543",
            "ror_id": "https://ror.org/00bas1c41",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created.pop("warnings") == []  # no likely duplicate (see test_duplicates.py)
    institution = Institution.objects.get(uuid=created["id"])
    assert created["country"] == "PL"
    assert created["hei_id"] == "agh.edu.pl"
    assert created["erasmus_code"] == "PL KRAKOW02"
    assert created["ror_id"] == "00bas1c41"
    assert created["website"] == "https://agh.edu.pl"
    assert created["aliases"] == ["AGH", "University of Science and Technology, Kraków"]
    assert created["email_domains"] == ["agh.edu.pl", "student.agh.edu.pl"]
    assert created["is_home"] is False
    assert "updated" in created and "created" in created
    assert "pk" not in created

    read = office_api.get(detail_url(institution))
    assert read.status_code == 200
    assert read.json() == created

    replaced = office_api.put(
        detail_url(institution),
        {**created, "name": "AGH", "city": "Krakow", "version": created["updated"]},
        format="json",
    )
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["city"] == "Krakow"
    assert replaced.json()["hei_id"] == "agh.edu.pl"

    patched = office_api.patch(detail_url(institution), {"notes": "Met in May."}, format="json")
    assert patched.status_code == 200, patched.content
    institution.refresh_from_db()
    assert (institution.name, institution.city, institution.notes) == (
        "AGH",
        "Krakow",
        "Met in May.",
    )

    deleted = office_api.delete(detail_url(institution))
    assert deleted.status_code == 204
    assert not Institution.objects.filter(pk=institution.pk).exists()
    assert_error(office_api.get(detail_url(institution)), 404, "not_found")


def test_put_requires_the_required_fields(office_api, world):
    agh = world["agh"]
    response = office_api.put(
        detail_url(agh), {"city": "Krakow", "version": agh.updated.isoformat()}, format="json"
    )
    assert set(field_errors(response)) == {"name", "country"}


def test_put_keeps_fields_the_request_leaves_out(office_api, world):
    agh = world["agh"]
    response = office_api.put(
        detail_url(agh),
        {"name": "AGH", "country": "PL", "version": agh.updated.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    agh.refresh_from_db()
    assert (agh.name, agh.hei_id, agh.city) == ("AGH", "agh.edu.pl", "Kraków")


def test_office_creates_updates_and_deletes_a_unit(office_api, world):
    response = office_api.post(
        list_url("unit"),
        {
            "institution": str(world["home"].uuid),
            "parent": str(world["engineering"].uuid),
            "name": "Laboratory of Robotics",
            "kind": "laboratory",
            "ewp_ounit_id": "lab-robotics",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["institution"] == str(world["home"].uuid)
    assert body["parent"] == str(world["engineering"].uuid)
    unit = OrganizationalUnit.objects.get(uuid=body["id"])
    assert unit.path.startswith(world["engineering"].path)

    moved = office_api.patch(
        detail_url(unit), {"parent": str(world["economics"].uuid)}, format="json"
    )
    assert moved.status_code == 200, moved.content
    unit.refresh_from_db()
    assert unit.parent == world["economics"]
    assert unit.path.startswith(world["economics"].path)

    top = office_api.patch(detail_url(unit), {"parent": None}, format="json")
    assert top.status_code == 200
    assert top.json()["parent"] is None

    assert office_api.delete(detail_url(unit)).status_code == 204
    assert not OrganizationalUnit.objects.filter(pk=unit.pk).exists()


def test_office_creates_updates_and_deletes_a_person(office_api, world):
    response = office_api.post(
        list_url("person"),
        {
            "name_native": "Ержан Сапаров",
            "title": "Prof.",
            "unit": str(world["engineering"].uuid),
            "email": "saparov@example.kz",
            "languages": ["kk", "ru", "en"],
            "research_keywords": "metallurgy, robotics",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name_latin"] == "Erzhan Saparov"
    assert body["institution"] == str(world["home"].uuid)  # from the unit
    assert body["unit"] == str(world["engineering"].uuid)
    assert body["languages"] == ["kk", "ru", "en"]
    person = Person.objects.get(uuid=body["id"])

    changed = office_api.patch(
        detail_url(person), {"languages": ["en"], "unit": None}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["languages"] == ["en"]
    assert changed.json()["unit"] is None
    assert changed.json()["institution"] == str(world["home"].uuid)

    moved = office_api.patch(
        detail_url(person), {"unit": str(world["agh_faculty"].uuid)}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["institution"] == str(world["agh"].uuid)

    assert office_api.delete(detail_url(person)).status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()


def test_office_creates_updates_and_deletes_a_partnership(office_api, world):
    response = office_api.post(
        list_url("partnership"),
        {
            "partner": str(world["company"].uuid),
            "status": "prospect",
            "priority": "high",
            "home_units": [str(world["engineering"].uuid), str(world["economics"].uuid)],
            "responsible_people": [str(world["engineer"].uuid)],
            "cooperation_areas": ["internships", "joint_research"],
            "started_on": "2024-05-20",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partner"] == str(world["company"].uuid)
    assert set(body["home_units"]) == {str(world["engineering"].uuid), str(world["economics"].uuid)}
    assert body["responsible_people"] == [str(world["engineer"].uuid)]
    assert body["cooperation_areas"] == ["internships", "joint_research"]
    assert body["started_on"] == "2024-05-20"
    partnership = Partnership.objects.get(uuid=body["id"])

    changed = office_api.patch(
        detail_url(partnership),
        {"status": "active", "home_units": [str(world["economics"].uuid)], "started_on": None},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    partnership.refresh_from_db()
    assert partnership.status == "active"
    assert list(partnership.home_units.all()) == [world["economics"]]
    assert [p.pk for p in partnership.responsible_people.all()] == [world["engineer"].pk]
    assert partnership.started_on is None

    assert office_api.delete(detail_url(partnership)).status_code == 204
    assert not Partnership.objects.filter(pk=partnership.pk).exists()


def test_records_are_addressed_by_public_ids_only(office_api, world):
    body = office_api.get(detail_url(world["open"])).json()
    assert body["id"] == str(world["open"].uuid)
    assert body["partner"] == str(world["agh"].uuid)
    assert body["home_units"] == [str(world["engineering"].uuid)]
    assert set(body["responsible_people"]) == {
        str(world["engineer"].uuid),
        str(world["professor"].uuid),
    }
    for bad in (f"{list_url('partnership')}{world['open'].pk}/", f"{list_url('partnership')}x/"):
        assert_error(office_api.get(bad), 404, "not_found")


# --- Lists: filters, ordering, pagination -------------------------------------------------------


def test_institutions_filter_by_country_type_text_and_partnership(office_api, world):
    url = list_url("institution")
    assert ids(office_api.get(url, {"country": "PL"})) == {str(world["agh"].uuid)}
    assert ids(office_api.get(url, {"kind": "company"})) == {str(world["company"].uuid)}
    assert ids(office_api.get(url, {"q": "berlin"})) == {str(world["tu"].uuid)}
    partners = ids(office_api.get(url, {"is_partner": "true"}))
    assert partners == {str(world["agh"].uuid), str(world["tu"].uuid)}


def test_institutions_order_by_a_chosen_field_both_ways(office_api, world):
    url = list_url("institution")
    by_city = [row["city"] for row in office_api.get(url, {"ordering": "city"}).json()["results"]]
    assert by_city == sorted(by_city)
    backwards = office_api.get(url, {"ordering": "-city"}).json()["results"]
    assert [row["city"] for row in backwards] == sorted(by_city, reverse=True)


def test_units_filter_by_institution_and_type(office_api, world):
    url = list_url("unit")
    agh_units = ids(office_api.get(url, {"institution": str(world["agh"].uuid)}))
    assert agh_units == {str(world["agh_faculty"].uuid)}
    departments = ids(office_api.get(url, {"kind": "department"}))
    assert departments == {str(world["department"].uuid)}


def test_people_filter_by_unit_country_and_text(office_api, world):
    url = list_url("person")
    assert ids(office_api.get(url, {"unit": str(world["engineering"].uuid)})) == {
        str(world["engineer"].uuid)
    }
    assert ids(office_api.get(url, {"country": "PL"})) == {str(world["professor"].uuid)}
    assert ids(office_api.get(url, {"q": "kowalski"})) == {str(world["professor"].uuid)}


def test_partnerships_filter_by_status_area_country_and_home_unit(office_api, world):
    url = list_url("partnership")
    open_id, secret_id = str(world["open"].uuid), str(world["secret"].uuid)
    assert ids(office_api.get(url, {"status": "active"})) == {open_id}
    assert ids(office_api.get(url, {"area": "staff_exchange"})) == {secret_id}
    assert ids(office_api.get(url, {"country": "DE"})) == {secret_id}
    assert ids(office_api.get(url, {"unit": str(world["economics"].uuid)})) == {secret_id}


def test_the_home_unit_filter_includes_partnerships_of_sub_units(office_api, world):
    world["secret"].home_units.set([world["department"]])
    response = office_api.get(list_url("partnership"), {"unit": str(world["engineering"].uuid)})
    assert ids(response) == {str(world["open"].uuid), str(world["secret"].uuid)}


def test_partnerships_order_by_partner_name(office_api, world):
    url = list_url("partnership")
    forwards = [
        r["id"] for r in office_api.get(url, {"ordering": "partner__name"}).json()["results"]
    ]
    assert forwards == [str(world["open"].uuid), str(world["secret"].uuid)]
    backwards = [
        r["id"] for r in office_api.get(url, {"ordering": "-partner__name"}).json()["results"]
    ]
    assert backwards == list(reversed(forwards))


def test_a_bad_filter_value_is_a_json_field_error(office_api, world):
    assert "country" in field_errors(office_api.get(list_url("institution"), {"country": "XX"}))
    assert "unit" in field_errors(office_api.get(list_url("person"), {"unit": "not-a-uuid"}))
    assert "area" in field_errors(office_api.get(list_url("partnership"), {"area": "tourism"}))


def test_lists_are_paginated(office_api, world):
    url = list_url("institution")
    first = office_api.get(url, {"page_size": 2, "ordering": "name"}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    second = office_api.get(url, {"page_size": 2, "ordering": "name", "page": 2}).json()
    assert not ids_of(first) & ids_of(second)
    assert_error(office_api.get(url, {"page": 99}), 404, "not_found")


def ids_of(page: dict) -> set[str]:
    return {row["id"] for row in page["results"]}


# --- Authentication ------------------------------------------------------------------------------


def test_the_token_endpoint_gives_the_users_token(office_user):
    client = APIClient()
    url = reverse("api-token")
    response = client.post(url, {"username": "office", "password": "password"}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert token == Token.objects.get(user=office_user).key
    again = client.post(url, {"username": "office", "password": "password"}, format="json")
    assert again.json()["token"] == token


def test_the_token_endpoint_rejects_a_wrong_password_in_json(office_user):
    response = APIClient().post(
        reverse("api-token"), {"username": "office", "password": "wrong"}, format="json"
    )
    assert "non_field_errors" in field_errors(response)
    assert not Token.objects.filter(user=office_user).exists()


def test_the_token_endpoint_ignores_a_stale_token_header(office_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token stale")
    response = client.post(
        reverse("api-token"), {"username": "office", "password": "password"}, format="json"
    )
    assert response.status_code == 200


def test_a_token_from_the_endpoint_authenticates_api_calls(office_user, world):
    client = APIClient()
    token = client.post(
        reverse("api-token"), {"username": "office", "password": "password"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(list_url("institution")).status_code == 200


def test_a_bad_token_answers_401_in_json(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = client.get(list_url("institution"))
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_of_a_deactivated_user_answers_401(office_user):
    client = api_for(office_user)
    office_user.is_active = False
    office_user.save()
    assert_error(client.get(list_url("institution")), 401, "authentication_failed")


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_anonymous_requests_answer_401_in_json(db, resource):
    client = APIClient()
    assert_error(client.get(list_url(resource)), 401, "not_authenticated")
    assert_error(client.post(list_url(resource), {}, format="json"), 401, "not_authenticated")


def test_the_browser_session_reads_and_writes(office_client, world):
    read = office_client.get(list_url("institution"))
    assert read.status_code == 200
    response = office_client.patch(
        detail_url(world["agh"]), {"city": "Krakow"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    world["agh"].refresh_from_db()
    assert world["agh"].city == "Krakow"


def test_the_browser_session_needs_the_csrf_token_to_write(office_user, world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(office_user)
    response = client.patch(detail_url(world["agh"]), {"city": "Krakow"}, format="json")
    assert_error(response, 403, "permission_denied")


# --- Permissions: every role × every endpoint ----------------------------------------------------

ROLES = ["anonymous", "viewer", "coordinator", "other_coordinator", "office", "admin"]


def expect(anonymous, viewer, coordinator, other_coordinator, office, admin) -> dict:
    return dict(
        zip(ROLES, (anonymous, viewer, coordinator, other_coordinator, office, admin), strict=True)
    )


READ = expect(401, 200, 200, 200, 200, 200)
HIDDEN = expect(401, 404, 404, 200, 200, 200)  # confidential, of the economics faculty


# (name, method, url builder, payload builder or None, expected status per role)
MATRIX = [
    ("list institutions", "get", lambda w: list_url("institution"), None, READ),
    ("read an institution", "get", lambda w: detail_url(w["agh"]), None, READ),
    (
        "create an institution",
        "post",
        lambda w: list_url("institution"),
        lambda w: {"name": "New University", "country": "DE"},
        expect(401, 403, 403, 403, 201, 201),
    ),
    (
        "change an institution",
        "patch",
        lambda w: detail_url(w["agh"]),
        lambda w: {"city": "Krakow"},
        expect(401, 403, 403, 403, 200, 200),
    ),
    (
        "replace an institution",
        "put",
        lambda w: detail_url(w["agh"]),
        lambda w: {"name": "AGH", "country": "PL", "version": w["agh"].updated.isoformat()},
        expect(401, 403, 403, 403, 200, 200),
    ),
    (
        "delete an institution",
        "delete",
        lambda w: detail_url(w["company"]),
        None,
        expect(401, 403, 403, 403, 204, 204),
    ),
    ("list units", "get", lambda w: list_url("unit"), None, READ),
    ("read a unit", "get", lambda w: detail_url(w["economics"]), None, READ),
    (
        "create a unit in the coordinator's faculty",
        "post",
        lambda w: list_url("unit"),
        lambda w: {
            "institution": str(w["home"].uuid),
            "parent": str(w["engineering"].uuid),
            "name": "Lab",
        },
        expect(401, 403, 201, 400, 201, 201),
    ),
    (
        "create a unit of a partner",
        "post",
        lambda w: list_url("unit"),
        lambda w: {"institution": str(w["agh"].uuid), "name": "Faculty of Physics"},
        expect(401, 403, 403, 403, 201, 201),
    ),
    (
        "change a unit of the coordinator",
        "patch",
        lambda w: detail_url(w["department"]),
        lambda w: {"acronym": "DM"},
        expect(401, 403, 200, 403, 200, 200),
    ),
    (
        "change a partner's unit",
        "patch",
        lambda w: detail_url(w["agh_faculty"]),
        lambda w: {"acronym": "FM"},
        expect(401, 403, 403, 403, 200, 200),
    ),
    (
        "delete a unit of the coordinator",
        "delete",
        lambda w: detail_url(w["department"]),
        None,
        expect(401, 403, 204, 403, 204, 204),
    ),
    ("list people", "get", lambda w: list_url("person"), None, READ),
    ("read a person", "get", lambda w: detail_url(w["engineer"]), None, READ),
    ("read a confidential person", "get", lambda w: detail_url(w["secret_person"]), None, HIDDEN),
    (
        "create a person in the coordinator's faculty",
        "post",
        lambda w: list_url("person"),
        lambda w: {"name_native": "Anna Nowak", "unit": str(w["engineering"].uuid)},
        expect(401, 403, 201, 400, 201, 201),
    ),
    (
        "change a person of the coordinator's faculty",
        "patch",
        lambda w: detail_url(w["engineer"]),
        lambda w: {"position": "Dean"},
        expect(401, 403, 200, 403, 200, 200),
    ),
    (
        "change a partner's person",
        "patch",
        lambda w: detail_url(w["professor"]),
        lambda w: {"position": "Dean"},
        expect(401, 403, 403, 403, 200, 200),
    ),
    (
        "change a confidential person",
        "patch",
        lambda w: detail_url(w["secret_person"]),
        lambda w: {"position": "Dean"},
        expect(401, 404, 404, 200, 200, 200),
    ),
    (
        "delete a person of the coordinator's faculty",
        "delete",
        lambda w: detail_url(w["engineer"]),
        None,
        expect(401, 403, 204, 403, 204, 204),
    ),
    (
        "delete a confidential person",
        "delete",
        lambda w: detail_url(w["secret_person"]),
        None,
        expect(401, 404, 404, 204, 204, 204),
    ),
    ("list partnerships", "get", lambda w: list_url("partnership"), None, READ),
    ("read a partnership", "get", lambda w: detail_url(w["open"]), None, READ),
    ("read a confidential partnership", "get", lambda w: detail_url(w["secret"]), None, HIDDEN),
    (
        "create a partnership with the coordinator's faculty",
        "post",
        lambda w: list_url("partnership"),
        lambda w: {"partner": str(w["company"].uuid), "home_units": [str(w["engineering"].uuid)]},
        expect(401, 403, 201, 400, 201, 201),
    ),
    (
        "change a partnership of the coordinator's faculty",
        "patch",
        lambda w: detail_url(w["open"]),
        lambda w: {"priority": "high"},
        expect(401, 403, 200, 403, 200, 200),
    ),
    (
        "change a confidential partnership",
        "patch",
        lambda w: detail_url(w["secret"]),
        lambda w: {"priority": "high"},
        expect(401, 404, 404, 200, 200, 200),
    ),
    (
        "replace a confidential partnership",
        "put",
        lambda w: detail_url(w["secret"]),
        lambda w: {
            "partner": str(w["tu"].uuid),
            "home_units": [str(w["economics"].uuid)],
            "version": w["secret"].updated.isoformat(),
        },
        expect(401, 404, 404, 200, 200, 200),
    ),
    (
        "delete a partnership of the coordinator's faculty",
        "delete",
        lambda w: detail_url(w["open"]),
        None,
        expect(401, 403, 204, 403, 204, 204),
    ),
    (
        "delete a confidential partnership",
        "delete",
        lambda w: detail_url(w["secret"]),
        None,
        expect(401, 404, 404, 204, 204, 204),
    ),
]


@pytest.fixture
def users(admin_user, office_user, coordinator_user, other_coordinator_user, viewer_user):
    return {
        "anonymous": None,
        "viewer": viewer_user,
        "coordinator": coordinator_user,
        "other_coordinator": other_coordinator_user,
        "office": office_user,
        "admin": admin_user,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "method,build_url,build_payload,expected",
    [case[1:] for case in MATRIX],
    ids=[c[0] for c in MATRIX],
)
def test_each_role_gets_the_status_the_matrix_says(
    world, users, role, method, build_url, build_payload, expected
):
    client = api_for(users[role])
    kwargs = {"format": "json"} if build_payload else {}
    args = (build_payload(world),) if build_payload else ()
    response = getattr(client, method)(build_url(world), *args, **kwargs)
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert_error(response, expected[role])


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_confidential_partnerships_and_people_are_left_out_of_lists(world, users, role):
    client = api_for(users[role])
    partnerships = ids(client.get(list_url("partnership")))
    assert str(world["open"].uuid) in partnerships
    assert str(world["secret"].uuid) not in partnerships
    people = ids(client.get(list_url("person")))
    assert str(world["economist"].uuid) in people
    assert str(world["secret_person"].uuid) not in people


def test_the_coordinator_of_the_involved_unit_lists_the_confidential_partnership(world, users):
    client = api_for(users["other_coordinator"])
    assert str(world["secret"].uuid) in ids(client.get(list_url("partnership")))
    assert str(world["secret_person"].uuid) in ids(client.get(list_url("person")))


def test_a_refused_write_changes_nothing(world, users):
    for role, record in [("viewer", world["open"]), ("coordinator", world["secret"])]:
        api_for(users[role]).patch(detail_url(record), {"status": "ended"}, format="json")
        record.refresh_from_db()
        assert record.status != "ended"


def test_only_an_administrator_sets_the_home_institution(office_api, admin_api, world):
    response = office_api.patch(detail_url(world["agh"]), {"is_home": True}, format="json")
    assert_error(response, 403, "permission_denied")
    created = office_api.post(
        list_url("institution"), {"name": "X", "country": "PL", "is_home": True}, format="json"
    )
    assert_error(created, 403, "permission_denied")
    unchanged = office_api.patch(detail_url(world["home"]), {"is_home": True}, format="json")
    assert unchanged.status_code == 200
    assert (
        admin_api.patch(detail_url(world["home"]), {"is_home": False}, format="json").status_code
        == 200
    )
    assert (
        admin_api.patch(detail_url(world["agh"]), {"is_home": True}, format="json").status_code
        == 200
    )
    world["agh"].refresh_from_db()
    assert world["agh"].is_home


def test_only_one_institution_is_home(admin_api, world):
    response = admin_api.patch(detail_url(world["agh"]), {"is_home": True}, format="json")
    assert field_errors(response) == {"is_home": ["There is already a home institution."]}


def test_a_coordinator_must_keep_one_of_their_units_in_a_partnership(coordinator_api, world):
    response = coordinator_api.patch(
        detail_url(world["open"]), {"home_units": [str(world["economics"].uuid)]}, format="json"
    )
    assert "home_units" in field_errors(response)
    assert list(world["open"].home_units.all()) == [world["engineering"]]


def test_a_coordinator_may_add_another_unit_to_their_partnership(coordinator_api, world):
    units = [str(world["engineering"].uuid), str(world["economics"].uuid)]
    response = coordinator_api.patch(
        detail_url(world["open"]), {"home_units": units}, format="json"
    )
    assert response.status_code == 200, response.content
    assert set(response.json()["home_units"]) == set(units)


def test_a_coordinator_puts_people_only_into_their_units(coordinator_api, world):
    response = coordinator_api.patch(
        detail_url(world["engineer"]), {"unit": str(world["economics"].uuid)}, format="json"
    )
    assert "unit" in field_errors(response)
    created = coordinator_api.post(list_url("person"), {"name_native": "No Unit"}, format="json")
    assert "unit" in field_errors(created)


def test_a_coordinator_keeps_responsible_people_they_cannot_see(coordinator_user, world):
    secret_person = world["secret_person"]
    world["open"].responsible_people.add(secret_person)
    client = api_for(coordinator_user)
    body = client.get(detail_url(world["open"])).json()
    assert str(secret_person.uuid) not in body["responsible_people"]
    response = client.patch(
        detail_url(world["open"]),
        {"responsible_people": [str(world["engineer"].uuid)]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert set(world["open"].responsible_people.all()) == {world["engineer"], secret_person}
    untouched = client.patch(detail_url(world["open"]), {"notes": "ok"}, format="json")
    assert untouched.status_code == 200, untouched.content
    assert set(world["open"].responsible_people.all()) == {world["engineer"], secret_person}


def test_a_hidden_person_cannot_be_named_by_the_coordinator(coordinator_api, world):
    response = coordinator_api.patch(
        detail_url(world["open"]),
        {"responsible_people": [str(world["secret_person"].uuid)]},
        format="json",
    )
    assert "responsible_people" in field_errors(response)


# --- Validation ----------------------------------------------------------------------------------


def new_institution(client, **fields):
    return client.post(
        list_url("institution"),
        {"name": "New University", "country": "PL", **fields},
        format="json",
    )


def test_a_bad_pic_is_a_field_error(office_api, db):
    errors = field_errors(new_institution(office_api, pic="12345"))
    assert errors == {"pic": ["A PIC (Participant Identification Code) has exactly 9 digits."]}


def test_a_ror_id_with_wrong_check_digits_is_a_field_error(office_api, db):
    errors = field_errors(new_institution(office_api, ror_id="00bas1c42"))
    assert errors == {
        "ror_id": ["This ROR id's check digits are wrong; copy it again from ror.org."]
    }


def test_a_bad_hei_id_and_erasmus_code_are_field_errors(office_api, db):
    errors = field_errors(new_institution(office_api, hei_id="not a domain", erasmus_code="KRAKOW"))
    assert set(errors) == {"hei_id", "erasmus_code"}


def test_a_duplicate_hei_id_is_a_field_error_not_a_500(office_api, world):
    errors = field_errors(new_institution(office_api, hei_id="AGH.edu.pl"))
    assert errors == {"hei_id": ["Another institution already has this hei-id."]}
    assert Institution.objects.filter(hei_id="agh.edu.pl").count() == 1


def test_a_duplicate_pic_on_update_is_a_field_error(office_api, world):
    response = office_api.patch(detail_url(world["tu"]), {"pic": "999876543"}, format="json")
    assert field_errors(response) == {"pic": ["Another institution already has this PIC."]}


def test_saving_an_institution_with_its_own_identifiers_is_no_duplicate(office_api, world):
    response = office_api.patch(detail_url(world["agh"]), {"hei_id": "agh.edu.pl"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["hei_id"] == "agh.edu.pl"
    world["agh"].refresh_from_db()
    assert world["agh"].hei_id == "agh.edu.pl"


def test_a_duplicate_ewp_ounit_id_is_a_field_error(office_api, world):
    world["agh_faculty"].ewp_ounit_id = "mining"
    world["agh_faculty"].save()
    response = office_api.post(
        list_url("unit"),
        {"institution": str(world["agh"].uuid), "name": "Other", "ewp_ounit_id": "mining"},
        format="json",
    )
    assert list(field_errors(response)) == ["ewp_ounit_id"]


def test_an_unknown_country_is_a_field_error(office_api, db):
    errors = field_errors(new_institution(office_api, country="XX"))
    assert list(errors) == ["country"]
    assert "ISO 3166" in errors["country"][0]


def test_unknown_cooperation_area_and_language_codes_are_field_errors(office_api, world):
    response = office_api.patch(
        detail_url(world["open"]),
        {"cooperation_areas": ["joint_research", "tourism"]},
        format="json",
    )
    assert field_errors(response) == {"cooperation_areas": ['"tourism" is not a valid choice.']}
    response = office_api.patch(detail_url(world["engineer"]), {"languages": ["xx"]}, format="json")
    assert list(field_errors(response)) == ["languages"]


def test_unknown_and_malformed_ids_are_field_errors(office_api, world):
    unknown = "00000000-0000-4000-8000-000000000000"
    response = office_api.post(
        list_url("unit"), {"institution": unknown, "name": "X"}, format="json"
    )
    assert field_errors(response) == {"institution": [f"No record with the id {unknown} exists."]}
    response = office_api.patch(
        detail_url(world["open"]), {"home_units": ["nonsense", 7]}, format="json"
    )
    assert list(field_errors(response)) == ["home_units"]
    response = office_api.patch(detail_url(world["engineer"]), {"unit": 12}, format="json")
    assert list(field_errors(response)) == ["unit"]


def test_a_confidential_person_is_an_unknown_id_to_those_who_cannot_see_them(
    coordinator_api, world
):
    response = coordinator_api.post(
        list_url("person"),
        {"name_native": "X", "unit": str(world["economics"].uuid)},
        format="json",
    )
    assert "unit" in field_errors(response)
    response = coordinator_api.patch(
        detail_url(world["open"]),
        {"responsible_people": [str(world["secret_person"].uuid)]},
        format="json",
    )
    assert field_errors(response)["responsible_people"][0].startswith("No record with the id")


@pytest.mark.parametrize(
    "body",
    ['{"name": "X", ', b'{"name": "\xff"}', '{"name": NaN}', "[" * 100_000 + "]" * 100_000],
    ids=["truncated", "not utf-8", "NaN", "nested too deeply"],
)
def test_malformed_json_is_a_json_400(office_api, db, body):
    response = office_api.generic(
        "POST", list_url("institution"), body, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_the_token_endpoint_answers_malformed_json_with_a_json_400(db):
    response = APIClient().generic(
        "POST", reverse("api-token"), "[" * 100_000, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {"name": ["not", "a", "string"], "country": "PL"},
        {"name": "X", "country": "PL", "aliases": "not a list"},
        {"name": "X", "country": "PL", "email_domains": ["not a domain"]},
        {"name": "X", "country": "PL", "website": "http://"},
        {"name": "X", "country": 48},
        {"name": "X" * 301, "country": "PL"},
        {"name": "Nul\x00byte", "country": "PL"},
        {"name": "X", "country": "PL", "is_home": "perhaps"},
        {"name": "X", "country": "PL", "version": "yesterday"},
    ],
)
def test_wrong_types_are_json_field_errors(office_api, db, body):
    response = office_api.post(list_url("institution"), body, format="json")
    assert field_errors(response)
    assert not Institution.objects.exists()


def test_other_media_types_than_json_are_refused(office_api, db):
    response = office_api.post(list_url("institution"), {"name": "X", "country": "PL"})
    assert_error(response, 415, "unsupported_media_type")


def test_a_person_unit_must_belong_to_the_persons_institution(office_api, world):
    response = office_api.patch(
        detail_url(world["professor"]),
        {"institution": str(world["agh"].uuid), "unit": str(world["engineering"].uuid)},
        format="json",
    )
    assert list(field_errors(response)) == ["unit"]


def test_a_unit_parent_must_belong_to_the_same_institution(office_api, world):
    response = office_api.patch(
        detail_url(world["agh_faculty"]), {"parent": str(world["engineering"].uuid)}, format="json"
    )
    assert list(field_errors(response)) == ["parent"]


def test_a_unit_cannot_become_its_own_descendant(office_api, world):
    response = office_api.patch(
        detail_url(world["engineering"]), {"parent": str(world["department"].uuid)}, format="json"
    )
    assert list(field_errors(response)) == ["parent"]


def test_a_unit_never_moves_to_another_institution(office_api, world):
    response = office_api.patch(
        detail_url(world["engineering"]), {"institution": str(world["agh"].uuid)}, format="json"
    )
    assert list(field_errors(response)) == ["institution"]


def test_a_partnership_needs_a_partner_other_than_home_and_without_one(office_api, world):
    home = office_api.post(
        list_url("partnership"), {"partner": str(world["home"].uuid)}, format="json"
    )
    assert field_errors(home) == {"partner": ["The home institution cannot be its own partner."]}
    again = office_api.post(
        list_url("partnership"), {"partner": str(world["agh"].uuid)}, format="json"
    )
    assert field_errors(again) == {"partner": ["This institution already has a partnership."]}
    moved = office_api.patch(
        detail_url(world["open"]), {"partner": str(world["company"].uuid)}, format="json"
    )
    assert list(field_errors(moved)) == ["partner"]


def test_responsible_people_come_from_the_home_or_partner_institution(office_api, world):
    stranger = PersonFactory(institution=world["company"])
    response = office_api.patch(
        detail_url(world["open"]), {"responsible_people": [str(stranger.uuid)]}, format="json"
    )
    assert field_errors(response)["responsible_people"] == [
        f"“{stranger.uuid}” cannot be chosen here: it belongs elsewhere or is outside what you may"
        " change."
    ]


# --- Concurrent edits ----------------------------------------------------------------------------


def test_a_stale_version_answers_409_with_the_current_record_and_writes_nothing(office_api, world):
    agh = world["agh"]
    read = office_api.get(detail_url(agh)).json()
    someone_else = api_for(UserFactory(role=Role.OFFICE))
    assert someone_else.patch(detail_url(agh), {"city": "Cracow"}, format="json").status_code == 200

    response = office_api.patch(
        detail_url(agh), {"city": "Krakow", "version": read["updated"]}, format="json"
    )
    body = assert_error(response, 409, "conflict")
    assert body["current"]["city"] == "Cracow"
    assert body["current"]["updated"] != read["updated"]
    agh.refresh_from_db()
    assert agh.city == "Cracow"

    retry = office_api.patch(
        detail_url(agh), {"city": "Krakow", "version": body["current"]["updated"]}, format="json"
    )
    assert retry.status_code == 200, retry.content
    assert retry.json()["city"] == "Krakow"


def test_a_stale_version_of_a_partnership_keeps_its_units(office_api, world):
    partnership = world["open"]
    read = office_api.get(detail_url(partnership)).json()
    office_api.patch(detail_url(partnership), {"notes": "first"}, format="json")
    response = office_api.put(
        detail_url(partnership),
        {**read, "home_units": [str(world["economics"].uuid)], "version": read["updated"]},
        format="json",
    )
    body = assert_error(response, 409, "conflict")
    assert body["current"]["notes"] == "first"
    assert list(partnership.home_units.all()) == [world["engineering"]]


def test_a_version_in_another_time_zone_is_the_same_moment(office_api, world):
    agh = world["agh"]
    version = agh.updated.astimezone(datetime.UTC).isoformat()
    response = office_api.patch(detail_url(agh), {"city": "X", "version": version}, format="json")
    assert response.status_code == 200, response.content
    agh.refresh_from_db()
    assert agh.city == "X"


# --- Deleting records others depend on -----------------------------------------------------------


def test_an_institution_with_people_or_a_partnership_is_not_deleted(office_api, world):
    body = assert_error(office_api.delete(detail_url(world["agh"])), 409, "protected")
    assert "cannot be deleted" in body["detail"]
    assert Institution.objects.filter(pk=world["agh"].pk).exists()


def test_a_unit_with_sub_units_is_not_deleted(office_api, world):
    body = assert_error(office_api.delete(detail_url(world["engineering"])), 409, "protected")
    assert "organisational units" in body["detail"]
    assert OrganizationalUnit.objects.filter(pk=world["engineering"].pk).exists()


# --- Audit trail ---------------------------------------------------------------------------------


def test_the_audit_trail_names_the_token_user(office_user, world):
    # the auditlog middleware runs before DRF authenticates the token: save_record names the user
    client = api_for(office_user)
    earlier = LogEntry.objects.order_by("pk").last().pk
    created = client.post(
        list_url("institution"), {"name": "Audited", "country": "PL"}, format="json"
    )
    institution = Institution.objects.get(uuid=created.json()["id"])
    client.patch(detail_url(institution), {"city": "Gdańsk"}, format="json")
    client.patch(
        detail_url(world["open"]), {"home_units": [str(world["economics"].uuid)]}, format="json"
    )
    client.delete(detail_url(institution))

    entries = LogEntry.objects.filter(
        object_pk=str(institution.pk), content_type__model="institution"
    )
    assert [e.action for e in entries.order_by("timestamp")] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert {e.actor for e in entries} == {office_user}
    update = entries.get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["city"] == ["", "Gdańsk"]
    partnership_entries = LogEntry.objects.get_for_object(world["open"]).filter(pk__gt=earlier)
    assert partnership_entries.exists()
    assert {e.actor for e in partnership_entries} == {office_user}


# --- Query counts --------------------------------------------------------------------------------


def make_rows(resource: str, n: int, home) -> None:
    for _i in range(n):
        partner = InstitutionFactory()
        unit = UnitFactory(institution=partner)
        UnitFactory(institution=partner, parent=unit)
        person = PersonFactory(institution=partner, unit=unit, languages=["en"])
        if resource == "partnership":
            partnership = PartnershipFactory(partner=partner, cooperation_areas=["other"])
            home_unit = UnitFactory(institution=home)
            partnership.home_units.set([home_unit])
            partnership.responsible_people.set([person, PersonFactory(institution=home)])


# token lookup, count, page, and for partnerships the two prefetches
QUERIES = {"institution": 3, "unit": 3, "person": 3, "partnership": 5}


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_a_list_takes_the_same_number_of_queries_for_few_and_many_rows(
    resource, office_user, home, django_assert_num_queries
):
    client = api_for(office_user)
    for batch in (2, 6):
        make_rows(resource, batch, home)
        with django_assert_num_queries(QUERIES[resource]):
            response = client.get(list_url(resource))
        assert response.status_code == 200
        assert len(response.json()["results"]) >= batch


def test_a_coordinators_partnership_list_takes_constant_queries(
    coordinator_user, home, django_assert_num_queries
):
    client = api_for(coordinator_user)
    for batch in (2, 6):
        make_rows("partnership", batch, home)
        # and the coordinator's unit scope: their units, then the subtree below them
        with django_assert_num_queries(QUERIES["partnership"] + 2):
            assert client.get(list_url("partnership")).status_code == 200


def test_an_administrator_patching_a_person_keeps_the_linked_user_account(
    admin_user, office_user, home
):
    from rest_framework.test import APIClient

    from unibridge.institutions.tests.factories import PersonFactory

    person = PersonFactory(institution=home, user=office_user)
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.patch(f"/api/v1/people/{person.uuid}/", {"position": "Head"}, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.position, person.user) == ("Head", office_user)
