"""The duplicate check: identifiers, domains, acronyms and similar names, with their reasons."""

import pytest

from unibridge.institutions.duplicates import institution_duplicates
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory


@pytest.fixture
def samarkand(db):
    return InstitutionFactory(
        name="Samarkand State University",
        name_en="Samarkand State University",
        country="UZ",
        city="Samarkand",
        website="https://www.samdu.uz/",
        email_domains=["samdu.uz"],
    )


@pytest.fixture
def directory(samarkand):
    """Neighbours a loose check would confuse with Samarkand or with each other."""
    for name, country in [
        ("Tashkent State University of Economics", "UZ"),
        ("Samara State Technical University", "RU"),
        ("Omsk State University", "RU"),
        ("Tomsk State University", "RU"),
        ("Tver State University", "RU"),
        ("National University of Uzbekistan", "UZ"),
    ]:
        InstitutionFactory(name=name, name_en=name, country=country, city="")


def found(user, **values) -> dict[str, list[str]]:
    institution = Institution(**{"country": "UZ", **values})
    return {
        d.institution.name: d.messages
        for d in institution_duplicates(user=user, institution=institution)
    }


def test_the_same_name_with_the_country_after_a_comma_is_a_duplicate(office_user, directory):
    assert found(office_user, name="Samarkand State University, Uzbekistan") == {
        "Samarkand State University": ["same name: Samarkand State University"]
    }


def test_another_transliteration_and_script_is_a_similar_name(office_user, directory):
    assert "Samarkand State University" in found(office_user, name="Samarqand State Universitety")
    assert "Samarkand State University" in found(office_user, name="Самарканд State University")


def test_names_that_share_only_common_words_are_not_duplicates(office_user, directory):
    assert found(office_user, name="Bukhara State University") == {}
    assert found(office_user, name="Omsk State University", country="RU") == {
        "Omsk State University": ["same name: Omsk State University"]
    }


def test_the_same_name_in_another_country_is_still_shown(office_user, directory):
    assert "Samarkand State University" in found(
        office_user, name="Samarkand State University", country="KZ"
    )


def test_the_same_erasmus_code_with_other_spacing_is_a_duplicate(office_user, db):
    agh = InstitutionFactory(name="AGH", erasmus_code="PL KRAKOW02", country="PL")
    assert found(office_user, name="Something else", erasmus_code="PL  KRAKOW02") == {
        agh.name: ["same Erasmus code: PL KRAKOW02"]
    }


def test_other_identifiers_are_duplicates_too(office_user, db):
    InstitutionFactory(name="AGH", hei_id="agh.edu.pl", pic="999885306", ror_id="00bas1c41")
    assert found(
        office_user, name="X", hei_id="agh.edu.pl", pic="999885306", ror_id="00bas1c41"
    ) == {
        "AGH": [
            "same SCHAC / EWP hei-id: agh.edu.pl",
            "same PIC: 999885306",
            "same ROR id: 00bas1c41",
        ]
    }


def test_an_email_or_web_domain_of_another_is_a_duplicate(office_user, samarkand):
    assert found(office_user, name="SamSU", email_domains=["samdu.uz"]) == {
        samarkand.name: ["same e-mail domain: samdu.uz"]
    }
    assert found(office_user, name="SamSU", website="http://samdu.uz") == {
        samarkand.name: ["same e-mail domain: samdu.uz"]
    }
    InstitutionFactory(name="Other", website="https://www.example.edu/", country="US")
    assert found(office_user, name="Y", website="https://example.edu/about") == {
        "Other": ["same web domain: example.edu"]
    }


def test_a_longer_domain_that_contains_another_is_not_the_same(office_user, samarkand):
    assert found(office_user, name="Q", website="https://physics.samdu.uz.example.com") == {}


def test_the_same_acronym_in_the_same_country_is_a_duplicate(office_user, db):
    InstitutionFactory(name="Karaganda Industrial University", acronym="KarIU", country="KZ")
    assert found(office_user, name="Темиртау", acronym="KARIU", country="KZ") == {
        "Karaganda Industrial University": ["same acronym in the same country: KarIU"]
    }
    assert found(office_user, name="Темиртау", acronym="KARIU", country="PL") == {}


def test_an_alias_counts_as_a_name(office_user, db):
    InstitutionFactory(name="AGH University of Krakow", aliases=["Stanisław Staszic AGH"])
    assert found(office_user, name="Stanislaw Staszic AGH", country="PL") == {
        "AGH University of Krakow": ["same name: Stanisław Staszic AGH"]
    }


def test_a_saved_institution_is_not_its_own_duplicate(office_user, samarkand):
    assert institution_duplicates(user=office_user, institution=samarkand) == []


def test_the_check_runs_a_constant_number_of_queries(
    office_user, directory, django_assert_max_num_queries
):
    new = Institution(name="Samarkand State University, Uzbekistan", country="UZ")
    with django_assert_max_num_queries(6):
        assert institution_duplicates(user=office_user, institution=new)
    for i in range(30):
        InstitutionFactory(name=f"Samarkand Institute {i}", country="UZ")
    with django_assert_max_num_queries(6):
        assert institution_duplicates(user=office_user, institution=new)


def test_nobody_signed_out_sees_duplicates(samarkand):
    from django.contrib.auth.models import AnonymousUser

    new = Institution(name="Samarkand State University", country="UZ")
    assert institution_duplicates(user=AnonymousUser(), institution=new) == []


# --- The create form ------------------------------------------------------------------------------

NEW = {"name": "Samarkand State University, Uzbekistan", "kind": "university", "country": "UZ"}


def test_the_create_form_lists_duplicates_and_saves_nothing_until_confirmed(
    office_client, samarkand
):
    response = office_client.post("/institutions/new/", NEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This institution may already be recorded: 1 likely duplicate" in page
    assert f'href="{samarkand.get_absolute_url()}"' in page
    assert "same name: Samarkand State University" in page
    assert 'type="checkbox" name="confirm_duplicates"' in page
    assert Institution.objects.count() == 1

    response = office_client.post("/institutions/new/", {**NEW, "confirm_duplicates": "on"})
    assert response.status_code == 302
    created = Institution.objects.get(name=NEW["name"])
    assert response["Location"] == created.get_absolute_url()


def test_the_create_anyway_checkbox_appears_only_when_duplicates_were_found(
    office_client, samarkand
):
    page = office_client.get("/institutions/new/").content.decode()
    assert 'type="checkbox" name="confirm_duplicates"' not in page
    assert "likely duplicate" not in page
    response = office_client.post("/institutions/new/", {**NEW, "name": "Bukhara University"})
    assert response.status_code == 302


def test_an_identifier_taken_by_another_shows_the_field_error_and_the_institution(
    office_client, db
):
    agh = InstitutionFactory(name="AGH", erasmus_code="PL KRAKOW02", country="PL")
    response = office_client.post(
        "/institutions/new/", {**NEW, "name": "Other", "erasmus_code": "PL KRAKOW02"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another institution already has this Erasmus code." in page
    assert f'href="{agh.get_absolute_url()}"' in page
    assert "same Erasmus code: PL KRAKOW02" in page


def test_editing_an_institution_asks_nothing_about_duplicates(office_client, samarkand):
    twin = InstitutionFactory(name="Samarkand State University (Samarkand)", country="UZ")
    page = office_client.get(twin.get_absolute_url() + "edit/").content.decode()
    assert "confirm_duplicates" not in page


# --- The API --------------------------------------------------------------------------------------


@pytest.fixture
def office_api(office_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(office_user)
    return client


def test_the_api_creates_and_warns_of_likely_duplicates(office_api, samarkand):
    response = office_api.post(
        "/api/v1/institutions/",
        {
            "name": "Samarkand State University, Uzbekistan",
            "country": "UZ",
            "email_domains": ["samdu.uz"],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert Institution.objects.filter(uuid=body["id"]).exists()
    assert body["warnings"] == [
        {
            "code": "possible_duplicate",
            "institution": str(samarkand.uuid),
            "name": "Samarkand State University",
            "reasons": [
                {
                    "code": "email_domain",
                    "value": "samdu.uz",
                    "message": "same e-mail domain: samdu.uz",
                },
                {
                    "code": "same_name",
                    "value": "Samarkand State University",
                    "message": "same name: Samarkand State University",
                },
            ],
        }
    ]


def test_the_api_answers_no_warnings_for_a_new_institution(office_api, samarkand):
    response = office_api.post(
        "/api/v1/institutions/", {"name": "Bukhara University", "country": "UZ"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == []


def test_the_schema_documents_the_warnings(office_api):
    schema = office_api.get("/api/v1/schema/?format=json").json()
    created = schema["paths"]["/api/v1/institutions/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/InstitutionCreated")
    fields = schema["components"]["schemas"]["InstitutionCreated"]["properties"]
    assert "warnings" in fields and "name" in fields


# --- The import preview ---------------------------------------------------------------------------


def test_the_import_preview_names_the_possible_duplicate_of_a_row_to_create(
    office_client, samarkand, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase

    settings.MEDIA_ROOT = tmp_path
    data = "name,country\nSamarkand State University (Uzbekistan),UZ\nBukhara University,UZ\n"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = office_client.post(
            "/institutions/import/",
            {"file": SimpleUploadedFile("new.csv", data.encode()), "file_format": ""},
        )
    page = office_client.get(response["Location"]).content.decode()
    assert "Possible duplicate of" in page
    assert "1 row to create may duplicate an institution already recorded" in page
    assert (
        f'<a href="{samarkand.get_absolute_url()}">Samarkand State University</a> '
        "(same name: Samarkand State University)" in page
    )
    assert page.count("same name:") == 1  # Bukhara is new
