"""The permission matrix: every page of the institutions app × every role.

A record the user may not see answers 404; one they see but may not change answers 403.
"""

import pytest
from django.test import Client

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)

ROLES = ["anonymous", "admin", "office", "coordinator", "viewer"]


@pytest.fixture
def world(home, engineering, economics, coordinator_user):
    agh = InstitutionFactory(name="AGH", hei_id="agh.edu.pl")
    other = InstitutionFactory(name="Other University")
    candidate = InstitutionFactory(name="Candidate University")
    open_partnership = PartnershipFactory(partner=agh)
    open_partnership.home_units.set([engineering])
    secret_partnership = PartnershipFactory(partner=other, is_confidential=True)
    secret_partnership.home_units.set([economics])
    return {
        "home": home,
        "agh": agh,
        "candidate": candidate,
        "engineering": engineering,
        "economics": economics,
        "agh_unit": UnitFactory(institution=agh, name="Faculty of Mining"),
        "engineer": PersonFactory(institution=home, unit=engineering),
        "economist": PersonFactory(institution=home, unit=economics),
        "secret_person": PersonFactory(institution=home, unit=economics, is_confidential=True),
        "open": open_partnership,
        "secret": secret_partnership,
    }


def client_for(role: str, world) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    units = [world["engineering"]] if role == "coordinator" else []
    client.force_login(UserFactory(username=f"{role}-m", role=Role(role), units=units))
    return client


# (url builder, expected status per role: anonymous, admin, office, coordinator, viewer)
READ_ALL = (302, 200, 200, 200, 200)
OFFICE_ONLY = (302, 200, 200, 403, 403)
WRITERS = (302, 200, 200, 200, 403)
HIDDEN = (302, 200, 200, 404, 404)


def detail_tabs(key: str, tabs: list[str]) -> list:
    return [
        (lambda w, t=t: w[key].get_absolute_url() + (f"{t}/" if t else ""), READ_ALL) for t in tabs
    ]


MATRIX = [
    (lambda w: "/", READ_ALL),
    (lambda w: "/institutions/", READ_ALL),
    (lambda w: "/units/", READ_ALL),
    (lambda w: "/people/", READ_ALL),
    (lambda w: "/partnerships/", READ_ALL),
    *detail_tabs("agh", ["", "units", "people", "history"]),
    *detail_tabs("engineering", ["", "units", "people", "history"]),
    *detail_tabs("engineer", ["", "history"]),
    *detail_tabs("open", ["", "units", "people", "timeline", "history"]),
    (lambda w: "/institutions/new/", OFFICE_ONLY),
    (lambda w: w["agh"].get_absolute_url() + "edit/", OFFICE_ONLY),
    (lambda w: w["agh"].get_absolute_url() + "delete/", OFFICE_ONLY),
    (lambda w: "/institutions/import/", OFFICE_ONLY),
    (lambda w: f"/institutions/{w['home'].uuid}/units/new/", WRITERS),
    (lambda w: f"/institutions/{w['agh'].uuid}/units/new/", OFFICE_ONLY),
    (lambda w: w["engineering"].get_absolute_url() + "edit/", WRITERS),
    (lambda w: w["economics"].get_absolute_url() + "edit/", OFFICE_ONLY),
    (lambda w: w["agh_unit"].get_absolute_url() + "edit/", OFFICE_ONLY),
    (lambda w: "/people/new/", WRITERS),
    (lambda w: w["engineer"].get_absolute_url() + "edit/", WRITERS),
    (lambda w: w["engineer"].get_absolute_url() + "delete/", WRITERS),
    (lambda w: w["economist"].get_absolute_url() + "edit/", OFFICE_ONLY),
    (lambda w: w["secret_person"].get_absolute_url(), HIDDEN),
    (lambda w: w["secret_person"].get_absolute_url() + "edit/", HIDDEN),
    (lambda w: "/partnerships/new/", WRITERS),
    (lambda w: f"/institutions/{w['candidate'].uuid}/partnership/new/", WRITERS),
    (lambda w: w["open"].get_absolute_url() + "edit/", WRITERS),
    (lambda w: w["open"].get_absolute_url() + "delete/", WRITERS),
    (lambda w: w["secret"].get_absolute_url(), HIDDEN),
    (lambda w: w["secret"].get_absolute_url() + "timeline/", HIDDEN),
    (lambda w: w["secret"].get_absolute_url() + "edit/", HIDDEN),
    (lambda w: w["secret"].get_absolute_url() + "delete/", HIDDEN),
]


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_every_page_answers_each_role_as_the_matrix_says(world, role_index, role):
    client = client_for(role, world)
    failures = []
    for build_url, expected in MATRIX:
        url = build_url(world)
        status = client.get(url).status_code
        if status != expected[role_index]:
            failures.append(f"{url}: expected {expected[role_index]}, got {status}")
    assert not failures, "\n".join(failures)


def test_posting_to_a_hidden_record_is_404_and_changes_nothing(world):
    client = client_for("coordinator", world)
    secret = world["secret"]
    response = client.post(
        secret.get_absolute_url() + "edit/", {"status": "ended", "priority": "low"}
    )
    assert response.status_code == 404
    secret.refresh_from_db()
    assert secret.status != "ended"


def test_viewer_cannot_delete_by_posting(world):
    client = client_for("viewer", world)
    response = client.post(world["open"].get_absolute_url() + "delete/")
    assert response.status_code == 403
    assert world["open"].__class__.objects.filter(pk=world["open"].pk).exists()


def test_unknown_tab_is_404(world):
    client = client_for("office", world)
    assert client.get(world["agh"].get_absolute_url() + "nonsense/").status_code == 404
