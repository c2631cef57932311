"""The one table of every list page: sorting, the column chooser, row selection and actions."""

import pytest
from django.test import Client

from unibridge.core.models import ListColumns
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory

LISTS = ["/institutions/", "/units/", "/people/", "/partnerships/", "/agreements/", "/visits/",
         "/meetings/"]  # fmt: skip


def names(response) -> list[str]:
    return [str(row[1][0][0]) for row in response.context["rows"]]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_renders_the_same_table_with_a_chooser_and_bulk_form(office_client, home, url):
    response = office_client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "data-column-chooser" in content
    assert 'name="choose_columns"' in content


def test_a_sortable_header_sorts_and_says_so_with_aria_sort(office_client, home):
    for name in ("Beta", "Alpha", "Gamma"):
        InstitutionFactory(name=name, country="DE")
    response = office_client.get("/institutions/", {"country": "DE", "sort": "-name"})
    assert names(response) == ["Gamma", "Beta", "Alpha"]
    content = response.content.decode()
    assert 'aria-sort="descending"' in content
    # the header's link sorts the other way and keeps the filter
    name_header = next(h for h in response.context["headers"] if h.aria_sort)
    assert name_header.url == "?country=DE&sort=name"
    response = office_client.get("/institutions/" + name_header.url)
    assert names(response) == ["Alpha", "Beta", "Gamma"]
    assert 'aria-sort="ascending"' in response.content.decode()


def test_a_column_not_on_the_whitelist_does_not_sort(office_client, home):
    # "Cooperation areas" has no ordering: the default order is kept, nothing breaks
    response = office_client.get("/partnerships/", {"sort": "areas"})
    assert response.status_code == 200
    assert response.context["table"].sort == "partner"
    response = office_client.get("/institutions/", {"sort": "notes"})
    assert response.context["table"].sort == "name"


def test_the_column_chooser_hides_a_column_and_remembers_it(office_client, office_user, home):
    InstitutionFactory(name="Politechnika", city="Gliwice", country="PL")
    response = office_client.get(
        "/institutions/",
        {"country": "PL", "choose_columns": "1", "columns": ["acronym", "country", "kind"]},
    )
    # back to the list with its filters only
    assert response.status_code == 302
    assert response["Location"] == "/institutions/?country=PL"
    stored = ListColumns.objects.get(user=office_user)
    assert stored.list_name == "institutions:institution_list"
    assert stored.columns == ["acronym", "country", "kind"]
    response = office_client.get(response["Location"])
    labels = [str(h.label) for h in response.context["headers"]]
    assert labels == ["Name", "Acronym", "Country", "Type"]
    content = response.content.decode()
    assert "Gliwice" not in content  # the City column is gone
    # the chooser shows City unticked, Name always on
    assert 'value="city"><span' in content
    assert 'value="name" checked disabled' in content
    # the other lists keep all their columns
    people = office_client.get("/people/")
    assert len(people.context["headers"]) == 6


def test_the_column_choice_belongs_to_its_user(office_client, viewer_client, home):
    InstitutionFactory(name="Politechnika", city="Gliwice")
    office_client.get("/institutions/", {"choose_columns": "1", "columns": ["country"]})
    assert "Gliwice" not in office_client.get("/institutions/").content.decode()
    assert "Gliwice" in viewer_client.get("/institutions/").content.decode()


def test_an_htmx_column_choice_answers_with_the_results(office_client, office_user, home):
    InstitutionFactory(name="Politechnika", city="Gliwice")
    response = office_client.get(
        "/institutions/",
        {"choose_columns": "1", "columns": ["city"]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content and "Gliwice" in content
    assert [str(h.label) for h in response.context["headers"]] == ["Name", "City"]
    assert ListColumns.objects.get(user=office_user).columns == ["city"]


def test_unknown_column_keys_are_ignored(office_client, office_user, home):
    office_client.get("/institutions/", {"choose_columns": "1", "columns": ["city", "secret"]})
    assert ListColumns.objects.get(user=office_user).columns == ["city"]


def test_rows_have_checkboxes_and_icon_buttons_named_for_screen_readers(
    office_client, viewer_client, home
):
    person = PersonFactory(name_native="Анна Иванова", institution=home)
    content = office_client.get("/people/").content.decode()
    assert f'value="{person.uuid}" data-bulk-row aria-label="Select Анна Иванова"' in content
    assert f'href="{person.get_absolute_url()}edit/"' in content
    assert '<span class="visually-hidden">Edit Анна Иванова</span>' in content
    assert '<span class="visually-hidden">Delete Анна Иванова</span>' in content
    assert 'aria-label="Select all rows on this page"' in content
    # a viewer may change nothing: no edit buttons, but rows may still be exported
    content = viewer_client.get("/people/").content.decode()
    assert f'href="{person.get_absolute_url()}edit/"' not in content
    assert 'data-bulk-row aria-label="Select Анна Иванова"' in content


def test_an_empty_list_offers_the_action_that_fills_it(office_client, home):
    content = office_client.get("/people/").content.decode()
    assert "Nothing here yet." in content and "/people/new/" in content
    content = office_client.get("/people/", {"q": "nobody at all"}).content.decode()
    assert "Nothing matches these filters." in content and "Clear the filters" in content


def test_export_selected_downloads_only_the_ticked_rows(office_client, home):
    chosen = [InstitutionFactory(name=f"Chosen {n}") for n in range(2)]
    InstitutionFactory(name="Left out")
    response = office_client.post(
        "/institutions/?sort=-name",
        {"action": "export_csv", "selected": [str(i.uuid) for i in chosen]},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["Chosen 1", "Chosen 0"]


def test_export_selected_as_xlsx(office_client, home):
    chosen = InstitutionFactory(name="Chosen")
    response = office_client.post(
        "/institutions/", {"action": "export_xlsx", "selected": [str(chosen.uuid)]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_export_selected_leaves_out_records_the_user_may_not_see(viewer_client, home):
    hidden = PersonFactory(name_native="Тайный Человек", is_confidential=True, institution=home)
    shown = PersonFactory(name_native="Открытый Человек", institution=home)
    response = viewer_client.post(
        "/people/", {"action": "export_csv", "selected": [str(hidden.uuid), str(shown.uuid)]}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Открытый Человек" in text and "Тайный Человек" not in text


def test_a_bulk_action_without_rows_says_what_to_do(office_client, home):
    response = office_client.post("/institutions/?q=x", {"action": "export_csv"}, follow=True)
    assert response.redirect_chain[0] == ("/institutions/?q=x", 303)
    assert "Select at least one row first." in response.content.decode()


def test_an_unknown_bulk_action_is_refused_clearly(office_client, home):
    chosen = InstitutionFactory(name="Chosen")
    response = office_client.post(
        "/institutions/", {"action": "burn", "selected": [str(chosen.uuid)]}, follow=True
    )
    assert "Select a valid choice." in response.content.decode()


def test_a_bulk_action_needs_the_csrf_token(office_user, home):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    chosen = InstitutionFactory(name="Chosen")
    response = client.post(
        "/institutions/", {"action": "export_csv", "selected": [str(chosen.uuid)]}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/institutions/", "/people/"])
def test_selection_and_row_actions_keep_the_query_count_constant(office_client, home, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office_client.get(url).status_code == 200
        return len(queries)

    for n in range(3):
        PersonFactory(institution=InstitutionFactory(name=f"Few {n}"))
    few = count()
    for n in range(20):
        PersonFactory(institution=InstitutionFactory(name=f"Many {n}"))
    assert count() == few
