"""Saved filters on every list page: save, list, apply, delete; each user sees only theirs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from unibridge.accounts.tests.factories import UserFactory
from unibridge.core.models import SavedFilter
from unibridge.institutions.tests.factories import InstitutionFactory

CREATE_URL = "core:saved_filter_create"
LISTS = [
    ("institutions:institution_list", "/institutions/"),
    ("institutions:person_list", "/people/"),
    ("institutions:partnership_list", "/partnerships/"),
    ("agreements:agreement_list", "/agreements/"),
]


def save(client, name: str, query: str, list_name: str = "institutions:institution_list"):
    return client.post(reverse(CREATE_URL), {"list_name": list_name, "name": name, "query": query})


@pytest.mark.parametrize(("list_name", "url"), LISTS)
def test_every_list_page_offers_to_save_its_filters(office_client, list_name, url):
    assert reverse(list_name) == url
    page = office_client.get(f"{url}?q=krakow&page=2").content.decode()
    assert 'action="/saved-filters/"' in page
    assert f'name="list_name" value="{list_name}"' in page
    assert 'name="query" value="q=krakow"' in page  # without the page number
    assert '<label for="saved-filter-name">' in page


def test_a_user_saves_the_filters_and_the_list_links_to_them(office_client, office_user):
    response = save(office_client, "Polish partners", "country=PL&sort=name&page=3&export=csv")

    assert response.status_code == 302
    assert response["Location"] == "/institutions/?country=PL&sort=name"
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.list_name, saved.name, saved.query) == (
        office_user,
        "institutions:institution_list",
        "Polish partners",
        "country=PL&sort=name",
    )
    page = office_client.get("/institutions/").content.decode()
    assert '<a href="/institutions/?country=PL&amp;sort=name">Polish partners</a>' in page
    # applying it marks it as the current one
    page = office_client.get("/institutions/?country=PL&sort=name").content.decode()
    assert 'aria-current="true">Polish partners</a>' in page


def test_the_saved_filter_applies_its_query(office_client):
    InstitutionFactory(name="Uniwersytet Warszawski", country="PL")
    InstitutionFactory(name="Humboldt-Universität", country="DE")
    save(office_client, "German", "country=DE")
    link = SavedFilter.objects.get().query

    response = office_client.get(f"/institutions/?{link}")
    names = [str(obj) for obj, _cells in response.context["rows"]]
    assert names == ["Humboldt-Universität"]


def test_saved_filters_are_per_list(office_client):
    save(office_client, "Mine", "q=a", list_name="agreements:agreement_list")
    assert ">Mine</a>" not in office_client.get("/institutions/").content.decode()
    assert ">Mine</a>" in office_client.get("/agreements/").content.decode()


def test_a_duplicate_name_is_explained(office_client):
    save(office_client, "Polish partners", "country=PL")
    response = save(office_client, "Polish partners", "country=DE")

    assert response.status_code == 302
    page = office_client.get(response["Location"]).content.decode()
    assert "You already have a saved filter with this name." in page
    assert SavedFilter.objects.get().query == "country=PL"


def test_another_user_may_use_the_same_name(office_client, viewer_client):
    save(office_client, "Polish partners", "country=PL")
    save(viewer_client, "Polish partners", "country=PL")
    assert SavedFilter.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", "country=PL", "Give the saved filter a name."),
        ("x" * 101, "country=PL", "at most 100 characters"),
        ("Nothing", "page=2", "nothing to save"),
        ("Long", "q=" + "x" * 2100, "too long"),
    ],
)
def test_bad_input_is_explained(office_client, name, query, message):
    response = save(office_client, name, query)
    page = office_client.get(response["Location"]).content.decode()
    assert message in page
    assert SavedFilter.objects.count() == 0


@pytest.mark.parametrize(
    "list_name", ["", "home", "nope:nothing", "institutions:institution_detail"]
)
def test_only_list_pages_take_saved_filters(office_client, list_name):
    response = save(office_client, "x", "q=a", list_name=list_name)
    assert response.status_code == 400
    assert SavedFilter.objects.count() == 0


def test_a_user_deletes_their_saved_filter(office_client):
    save(office_client, "Polish partners", "country=PL")
    saved = SavedFilter.objects.get()

    response = office_client.post(reverse("core:saved_filter_delete", args=[saved.pk]))
    assert response.status_code == 302 and response["Location"] == "/institutions/"
    assert not SavedFilter.objects.exists()
    page = office_client.get("/institutions/").content.decode()
    assert "Deleted the saved filter" in page


def test_another_users_saved_filter_is_invisible_and_cannot_be_deleted(
    office_client, viewer_client
):
    save(office_client, "Office only", "country=PL")
    saved = SavedFilter.objects.get()

    assert "Office only" not in viewer_client.get("/institutions/").content.decode()
    response = viewer_client.post(reverse("core:saved_filter_delete", args=[saved.pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_saving_and_deleting_need_post_and_a_login(client, office_client, db):
    assert office_client.get(reverse(CREATE_URL)).status_code == 405
    assert office_client.get(reverse("core:saved_filter_delete", args=[1])).status_code == 405
    response = client.post(reverse(CREATE_URL), {"list_name": "institutions:institution_list"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_saving_needs_the_csrf_token(office_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    response = client.post(
        reverse(CREATE_URL),
        {"list_name": "institutions:institution_list", "name": "x", "query": "q=a"},
    )
    assert response.status_code == 403


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_saved_filters_cost_one_query_however_many_there_are(office_client):
    none_saved = count_queries(office_client, "/institutions/")
    for n in range(5):
        save(office_client, f"Filter {n}", f"q={n}")
    office_client.get("/institutions/")  # shows (and consumes) the messages of the saves
    with CaptureQueriesContext(connection) as queries:
        office_client.get("/institutions/")
    assert len(queries) == none_saved
    reads = [q for q in queries.captured_queries if "core_savedfilter" in q["sql"]]
    assert len(reads) == 1


def test_the_htmx_results_partial_reads_no_saved_filters(office_client):
    save(office_client, "Polish partners", "country=PL")
    headers = {"HX-Request": "true", "HX-Target": "results"}
    with CaptureQueriesContext(connection) as queries:
        office_client.get("/institutions/?country=PL", headers=headers)
    assert not any("core_savedfilter" in query["sql"] for query in queries.captured_queries)


def test_a_deleted_users_filters_go_with_them(db):
    user = UserFactory()
    SavedFilter.objects.create(
        user=user, list_name="institutions:institution_list", name="a", query="q=a"
    )
    user.delete()
    assert not SavedFilter.objects.exists()
