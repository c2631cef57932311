"""The agreements list and detail pages: filters, tabs, permissions, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unibridge.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementType,
    CooperationCondition,
    SubjectArea,
)
from unibridge.agreements.tables import AGREEMENT_COLUMNS
from unibridge.institutions.tests.factories import InstitutionFactory


def make_agreement(home, partner, number, *, units=(), **fields):
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code=fields.pop("code", "mou")),
        reference=f"MoU-2026-{number:03d}",
        title=f"Memorandum {number}",
        **fields,
    )
    home_party = AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    home_party.units.set(units)
    AgreementParty.objects.create(agreement=agreement, institution=partner, order=1)
    return agreement


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_uses_the_same_number_of_queries_for_3_and_30_agreements(office_client, home):
    for i in range(3):
        make_agreement(home, InstitutionFactory(), i)
    few = count_queries(office_client, "/agreements/")
    for i in range(3, 30):
        make_agreement(home, InstitutionFactory(), i)
    assert count_queries(office_client, "/agreements/") == few


def test_list_filters_by_expiry_window_country_and_unit(office_client, home, engineering):
    today = timezone.localdate()
    german = InstitutionFactory(country="DE")
    soon = make_agreement(
        home,
        german,
        1,
        status="active",
        effective_date=today - datetime.timedelta(days=400),
        expiry_date=today + datetime.timedelta(days=20),
        units=[engineering],
    )
    make_agreement(
        home,
        InstitutionFactory(country="PL"),
        2,
        status="active",
        effective_date=today - datetime.timedelta(days=400),
        expiry_date=today + datetime.timedelta(days=200),
    )

    def references(params):
        response = office_client.get("/agreements/", params)
        return [row[0].reference for row in response.context["rows"]]

    assert references({"expiring_within": 30}) == [soon.reference]
    assert references({"country": "DE"}) == [soon.reference]
    assert references({"unit": engineering.uuid}) == [soon.reference]
    assert len(references({})) == 2


def test_confidential_agreement_is_404_for_viewers_and_visible_to_its_units(
    viewer_client, coordinator_client, office_client, home, engineering
):
    secret = make_agreement(
        home, InstitutionFactory(), 1, is_confidential=True, units=[engineering]
    )
    url = secret.get_absolute_url()
    assert viewer_client.get(url).status_code == 404
    assert coordinator_client.get(url).status_code == 200
    assert office_client.get(url).status_code == 200
    assert secret.reference not in viewer_client.get("/agreements/").content.decode()


def test_detail_tabs_show_parties_conditions_and_history(office_client, home):
    partner = InstitutionFactory(name="AGH")
    agreement = make_agreement(home, partner, 7, code="erasmus-ka171")
    condition = CooperationCondition.objects.create(
        agreement=agreement,
        mobility_type="student-studies",
        sending_institution=home,
        receiving_institution=partner,
        mobilities_per_year=2,
        total_months_per_year=10,
        first_academic_year="2026/2027",
        last_academic_year="2028/2029",
    )
    SubjectArea.objects.create(condition=condition, isced_code="0724")
    url = agreement.get_absolute_url()
    assert "MoU-2026-007" in office_client.get(url).content.decode()
    assert "AGH" in office_client.get(url + "parties/").content.decode()
    conditions = office_client.get(url + "conditions/").content.decode()
    assert "0724" in conditions and "2026/2027" in conditions
    assert office_client.get(url + "approvals/").status_code == 200
    assert office_client.get(url + "history/").status_code == 200
    assert office_client.get(url + "nonsense/").status_code == 404


@pytest.mark.parametrize("tab", ["", "parties/", "conditions/", "approvals/"])
def test_detail_tabs_have_constant_query_counts(office_client, home, tab):
    partner = InstitutionFactory()
    agreement = make_agreement(home, partner, 1)

    def add_condition():
        condition = CooperationCondition.objects.create(
            agreement=agreement,
            mobility_type="staff-teacher",
            sending_institution=home,
            receiving_institution=partner,
            mobilities_per_year=1,
            total_days_per_year=5,
            first_academic_year="2026/2027",
            last_academic_year="2027/2028",
        )
        SubjectArea.objects.create(condition=condition, isced_code="0713")

    add_condition()
    before = count_queries(office_client, agreement.get_absolute_url() + tab)
    for i in range(5):
        AgreementParty.objects.create(
            agreement=agreement, institution=InstitutionFactory(), order=i + 2
        )
        add_condition()
    assert count_queries(office_client, agreement.get_absolute_url() + tab) == before


def test_agreements_are_found_by_reference_title_and_partner_in_any_script(office_client, home):
    partner = InstitutionFactory(
        name="Akademia Górniczo-Hutnicza", name_en="AGH University of Krakow"
    )
    agreement = make_agreement(home, partner, 14)
    for query in ("MoU-2026-014", "memorandum", "Краков", "AGH"):
        response = office_client.get("/agreements/", {"q": query})
        assert [row[0] for row in response.context["rows"]] == [agreement], query
    hits = office_client.get("/search/", {"q": "Krakow memorandum"}).context["results"]
    assert [hit.object for hit in hits if hit.kind == "agreement"] == [agreement]


def test_agreement_hits_in_the_search_read_no_parties(office_client, home):
    """A hit shows the reference, the title and the status: the search re-reads agreements
    without the parties its index was built from (``shown_queryset``)."""
    partner = InstitutionFactory(name="Akademia Górniczo-Hutnicza", name_en="AGH University")
    agreements = [make_agreement(home, partner, n) for n in (21, 22, 23)]
    with CaptureQueriesContext(connection) as queries:
        response = office_client.get("/search/", {"q": "AGH memorandum"})
    hits = [hit for hit in response.context["results"] if hit.kind == "agreement"]
    assert sorted(hit.object.pk for hit in hits) == sorted(a.pk for a in agreements)
    assert {hit.title.split()[0] for hit in hits} == {a.reference for a in agreements}
    assert "MoU-2026-021" in response.content.decode()
    party_table = AgreementParty._meta.db_table
    assert not [q["sql"] for q in queries if f'FROM "{party_table}"' in q["sql"]]


def test_the_list_names_the_partners_in_the_readers_language_and_the_parties_order(
    office_client, home
):
    agh = InstitutionFactory(name="Akademia Górniczo-Hutnicza", name_ru="Краковская академия")
    vilnius = InstitutionFactory(name="Vilniaus universitetas", name_en="Vilnius University")
    agreement = make_agreement(home, agh, 31)
    AgreementParty.objects.create(agreement=agreement, institution=vilnius, order=2)
    column = [c.key for c in AGREEMENT_COLUMNS].index("partners")

    def partners(language: str) -> str:
        office_client.cookies["django_language"] = language
        (row,) = office_client.get("/agreements/").context["rows"]
        return row[1][column][0]

    # the home institution is no partner; Vilnius has no Russian name, so its English one
    assert partners("ru") == "Краковская академия, Vilnius University"
    assert partners("pl") == "Akademia Górniczo-Hutnicza, Vilnius University"
