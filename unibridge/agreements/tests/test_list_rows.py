"""The agreements list endpoint builds its rows by hand (api/summaries.py): the same JSON as
the summary serializer that documents them, confidential relations hidden the same way."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from unibridge.agreements import selectors
from unibridge.agreements.api.serializers import AgreementSummarySerializer
from unibridge.agreements.api.summaries import agreement_summaries, summary_rows
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory

from .factories import AgreementFactory, AgreementPartyFactory, SignatureFactory

LIST_URL = reverse("api-agreement-list")


@pytest.fixture
def agreements(home, engineering, office_user):
    """Umbrellas and predecessors, one of them confidential; parties with units, signatories
    (one confidential, with a signature naming them) and responsible people."""
    partner = InstitutionFactory(name="Uniwersytet Jagielloński", name_en="Jagiellonian University")
    partner_unit = UnitFactory(institution=partner, name="Wydział Chemii")
    hidden_person = PersonFactory(name_native="Тайный Подписант", is_confidential=True)
    shown_person = PersonFactory(name_native="Анна Иванова", name_latin="Anna Ivanova")
    secret_umbrella = AgreementFactory(reference="SECRET-1", is_confidential=True)
    open_umbrella = AgreementFactory(reference="OPEN-1")
    rows = []
    for n, (parent, signatory) in enumerate(
        [(secret_umbrella, hidden_person), (open_umbrella, shown_person), (None, None)]
    ):
        agreement = AgreementFactory(
            reference=f"ROW-{n}",
            parent=parent,
            predecessor=secret_umbrella if n == 1 else None,
            cooperation_areas=["education", "research"] if n else [],
            termination_requested_by=partner if n == 2 else None,
            notes=f"note {n}",
        )
        agreement.responsible_people.set([hidden_person, shown_person][: n + 1])
        AgreementPartyFactory(agreement=agreement, institution=home, order=0, units=[engineering])
        party = AgreementPartyFactory(
            agreement=agreement,
            institution=partner,
            order=1,
            units=[partner_unit],
            signatory=signatory,
            signatory_position="Rector",
        )
        if signatory:
            SignatureFactory(party=party, signatory_name=str(signatory))
        rows.append(agreement)
    return rows


def serializer_rows(user) -> list[dict]:
    queryset = selectors.agreement_detail(user).select_related("termination_requested_by")
    data = AgreementSummarySerializer(queryset.order_by("pk"), many=True).data
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("role", ["office", "coordinator", "viewer"])
def test_rows_are_the_serializers_json_for_every_role(role, agreements, request):
    user = request.getfixturevalue(f"{role}_user")
    rows = summary_rows(list(agreement_summaries(user).order_by("pk")), user)
    assert json.loads(json.dumps(rows)) == serializer_rows(user)


def test_the_list_hides_a_confidential_umbrella_and_signatory_from_a_viewer(
    agreements, viewer_user
):
    client = APIClient()
    client.force_authenticate(viewer_user)
    body = client.get(LIST_URL, {"ordering": "reference"}).content.decode()
    assert "SECRET-1" not in body
    assert "Тайный" not in body
    row = next(r for r in json.loads(body)["results"] if r["reference"] == "ROW-0")
    assert row["parent"] is None
    signed = row["parties"][1]
    assert signed["signatory"] is None
    assert signed["signature"]["signatory_name"] == ""
    assert row["responsible_people"] == []


def test_the_office_sees_every_relation(agreements, office_user):
    client = APIClient()
    client.force_authenticate(office_user)
    rows = {r["reference"]: r for r in client.get(LIST_URL).json()["results"]}
    assert rows["ROW-0"]["parent"] == str(agreements[0].parent.uuid)
    assert rows["ROW-1"]["predecessor"] == str(agreements[1].predecessor.uuid)
    assert rows["ROW-0"]["parties"][1]["signatory"]["name"].startswith("Тайный Подписант")
    assert rows["ROW-2"]["termination_requested_by"] == str(
        agreements[2].termination_requested_by.uuid
    )
    assert len(rows["ROW-1"]["responsible_people"]) == 2


def test_the_list_page_badges_a_confidential_agreement_the_office_sees(agreements, office_client):
    page = office_client.get("/agreements/", {"sort": "reference"}).content.decode()
    row = page[page.index(">SECRET-1</a>") :].split("</td>")[0]
    assert 'class="badge badge-confidential">confidential</span>' in row
    open_row = page[page.index(">OPEN-1</a>") :].split("</td>")[0]
    assert "badge-confidential" not in open_row
