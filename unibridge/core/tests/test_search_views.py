"""The search page, its HTMX popup and GET /api/v1/search/."""

import pytest
from rest_framework.test import APIClient

from unibridge.institutions.tests.factories import InstitutionFactory, PartnershipFactory

QUERIES = ["Караганда", "Qaraǵandy", "Karaganda", "Karagnda"]


@pytest.fixture
def agh(db):
    return InstitutionFactory(
        name="Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        name_en="AGH University of Krakow",
        city="Kraków",
        country="PL",
        hei_id="agh.edu.pl",
    )


@pytest.mark.parametrize("query", QUERIES)
def test_every_spelling_finds_the_home_university(office_client, home, query):
    response = office_client.get("/search/", {"q": query})
    titles = [result.title for result in response.context["results"]]
    assert titles[0] == "Karaganda Industrial University"


@pytest.mark.parametrize("query", ["Krakow", "Kraków", "Краков", "Krakw"])
def test_krakow_in_every_spelling_finds_agh(office_client, agh, query):
    response = office_client.get("/search/", {"q": query})
    assert "AGH University of Krakow" in [r.title for r in response.context["results"]]


def test_htmx_popup_gets_a_short_fragment(office_client, agh):
    response = office_client.get(
        "/search/", {"q": "AGH"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="global-search-results"
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "AGH University of Krakow" in content
    assert "All results" in content


def test_empty_query_shows_help_not_results(office_client):
    response = office_client.get("/search/")
    assert response.status_code == 200
    assert response.context["results"] == []


def test_confidential_partnership_is_hidden_from_a_viewer(viewer_client, office_client, agh):
    PartnershipFactory(partner=agh, is_confidential=True)
    office_kinds = [r.kind for r in office_client.get("/search/", {"q": "AGH"}).context["results"]]
    viewer_kinds = [r.kind for r in viewer_client.get("/search/", {"q": "AGH"}).context["results"]]
    assert "partnership" in office_kinds
    assert "partnership" not in viewer_kinds


def test_search_requires_login(client, db):
    assert client.get("/search/", {"q": "x"}).status_code == 302


def test_api_returns_ranked_hits(office_user, agh):
    client = APIClient()
    client.force_authenticate(office_user)
    response = client.get("/api/v1/search/", {"q": "Краков", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Краков"
    first = body["results"][0]
    assert first["title"] == "AGH University of Krakow"
    assert first["id"] == str(agh.uuid)
    assert set(first) == {"kind", "id", "title", "subtitle", "url", "score"}


@pytest.mark.parametrize(
    "params,field", [({}, "q"), ({"q": "x" * 500}, "q"), ({"q": "agh", "limit": 0}, "limit")]
)
def test_api_rejects_bad_parameters_with_field_errors(office_user, params, field):
    client = APIClient()
    client.force_authenticate(office_user)
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_api_requires_authentication(db):
    response = APIClient().get("/api/v1/search/", {"q": "agh"})
    assert response.status_code == 401


def test_name_filter_matches_many_records_on_every_database(office_client, home):
    from unibridge.core import search
    from unibridge.institutions.models import Institution

    Institution.objects.bulk_create(
        [Institution(name=f"Common College {i}", country="PL") for i in range(60)]
    )
    search.reindex(Institution, Institution.objects.values_list("pk", flat=True))
    response = office_client.get("/institutions/", {"q": "common colege"})
    assert response.context["page"].paginator.count == 60
    assert len(response.context["rows"]) == 50
