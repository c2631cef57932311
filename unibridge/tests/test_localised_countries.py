"""Country and language names from CLDR in the reader's language, wherever they are shown.

The database keeps ISO codes; a Kazakh, Russian or Polish reader sees the country's own name
in their language on forms, filters, lists, exports, detail pages, the home page and the API,
finds institutions by it and may write it in an import file.
"""

import csv
import io
import re

import openpyxl
import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.agreements import import_values
from unibridge.agreements import importing as agreement_importing
from unibridge.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementType,
    CooperationCondition,
    LanguageRequirement,
)
from unibridge.core import cldr, search
from unibridge.core.testing import assert_accessible, log_in
from unibridge.institutions import importing, selectors
from unibridge.institutions.models import Institution
from unibridge.institutions.tables import INSTITUTION_COLUMNS
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
)
from unibridge.visits.tests.factories import VisitFactory

# Kazakhstan, Poland and Germany as each reader names them.
NAMES = {
    "en": {"KZ": "Kazakhstan", "PL": "Poland", "DE": "Germany"},
    "ru": {"KZ": "Казахстан", "PL": "Польша", "DE": "Германия"},
    "kk": {"KZ": "Қазақстан", "PL": "Польша", "DE": "Германия"},
    "pl": {"KZ": "Kazachstan", "PL": "Polska", "DE": "Niemcy"},
}
READERS = ["ru", "kk", "pl"]


def read(client, url: str, language: str, **kwargs):
    client.cookies["django_language"] = language
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response


def options(html: str, select_name: str) -> list[tuple[str, str]]:
    """The (value, label) options of the named <select> in the page."""
    match = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select named {select_name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))


def streamed(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_column(response, label: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(streamed(response).decode("utf-8-sig"))))
    column = rows[0].index(label)
    return [row[column] for row in rows[1:]]


def xlsx_column(response, label: str) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(streamed(response)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    column = rows[0].index(label)
    return [row[column] for row in rows[1:]]


@pytest.fixture
def partners(home):
    agh = InstitutionFactory(name="Akademia Górniczo-Hutnicza", country="PL", city="Kraków")
    tu = InstitutionFactory(name="Technische Universität Berlin", country="DE", city="Berlin")
    for partner in (agh, tu):
        PartnershipFactory(partner=partner)
    return agh, tu


# --- Sorting and looking up (core.cldr) ----------------------------------------------------


def test_countries_are_sorted_by_the_readers_alphabet():
    kazakh = [name for _code, name in cldr.country_choices("kk")]
    # Kazakh letters sort after their Russian neighbours, not after Я as code points would
    assert kazakh.index("Аустрия") < kazakh.index("Әзірбайжан") < kazakh.index("Бахрейн")
    assert kazakh.index("Катар") < kazakh.index("Қазақстан") < kazakh.index("Ливан")
    assert kazakh.index("Өзбекстан") < kazakh.index("Панама")
    polish = [name for _code, name in cldr.country_choices("pl")]
    assert polish.index("Litwa") < polish.index("Łotwa") < polish.index("Madagaskar")
    assert polish.index("Sint Maarten") < polish.index("Słowacja") < polish.index("Somalia")
    russian = [name for _code, name in cldr.country_choices("ru")]
    assert russian[0] == "Австралия" and russian[-1] == "Япония"
    english = [name for _code, name in cldr.country_choices("en")]
    assert english.index("Afghanistan") < english.index("Åland Islands") < english.index("Albania")


@pytest.mark.parametrize(
    "written",
    ["Қазақстан", "қазақстан", "Казахстан", "Kazachstan", "Kazakhstan", "KZ", "kz", "KAZ", "398"],
)
def test_a_country_is_found_by_its_code_or_its_name_in_any_interface_language(written):
    assert cldr.country_code(written) == "KZ"


def test_an_unknown_country_is_not_guessed():
    assert cldr.country_code("Atlantis") is None
    assert cldr.country_code("QQ") is None
    assert cldr.country_code("") is None


def test_a_country_field_names_its_country_in_the_active_language():
    institution = Institution(country="KZ")
    for language, names in NAMES.items():
        with translation.override(language):
            assert institution.country.name == names["KZ"]
            choices = dict(Institution._meta.get_field("country").formfield().choices)
            assert choices["KZ"] == names["KZ"]


# --- Forms and filters ---------------------------------------------------------------------


@pytest.mark.parametrize("language", READERS)
def test_the_institution_forms_country_choices_are_in_the_readers_language_and_alphabet(
    office_client, home, language
):
    html = read(office_client, "/institutions/new/", language).content.decode()
    choices = [choice for choice in options(html, "country") if choice[0]]
    assert choices == cldr.country_choices(language)
    assert ("KZ", NAMES[language]["KZ"]) in choices
    assert re.search(r'<select[^>]*name="country"[^>]*data-searchable', html)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_kazakh_reader_finds_a_country_by_typing_its_kazakh_name(page, live_server, office_user):
    log_in(page, "office")
    page.context.add_cookies([{"name": "django_language", "value": "kk", "url": live_server.url}])
    page.goto("/institutions/new/")
    box = page.locator("input[role=combobox]").and_(
        page.get_by_role("combobox", name=re.compile("^Ел"))
    )
    box.focus()
    page.keyboard.type("Қаза")
    page.get_by_role("listbox").get_by_role("option", name="Қазақстан").click()
    assert page.locator("select[name=country]").input_value() == "KZ"
    assert_accessible(page)


def test_the_edit_form_keeps_the_stored_country_selected(office_client, home):
    html = read(office_client, f"{home.get_absolute_url()}edit/", "kk").content.decode()
    assert '<option value="KZ" selected>Қазақстан</option>' in html


@pytest.mark.parametrize("language", READERS)
@pytest.mark.parametrize("url", ["/institutions/", "/partnerships/", "/agreements/", "/visits/"])
def test_list_filters_offer_countries_in_the_readers_language(office_client, home, language, url):
    html = read(office_client, url, language).content.decode()
    assert options(html, "country")[1:] == cldr.country_choices(language)


def test_a_filter_by_country_still_takes_the_iso_code(office_client, partners):
    response = read(office_client, "/partnerships/?country=DE", "kk")
    assert [row[0].partner.name for row in response.context["rows"]] == [
        "Technische Universität Berlin"
    ]


# --- Lists, their sort and their exports ---------------------------------------------------


@pytest.mark.parametrize("language", READERS)
def test_the_institution_list_names_countries_in_the_readers_language(
    office_client, partners, language
):
    html = read(office_client, "/institutions/", language).content.decode()
    for code in ("KZ", "PL", "DE"):
        assert f"<td>{NAMES[language][code]}</td>" in html


def test_sorting_by_country_follows_the_names_the_reader_sees(office_client, home):
    InstitutionFactory(name="Universität Wien", country="AT")
    InstitutionFactory(name="Technische Universität Berlin", country="DE")

    column = [c.key for c in INSTITUTION_COLUMNS].index("country")

    def countries(language: str, sort: str = "country") -> list[str]:
        response = read(office_client, f"/institutions/?sort={sort}", language)
        return [str(cells[column][0]) for _obj, cells in response.context["rows"]]

    assert countries("ru") == ["Австрия", "Германия", "Казахстан"]
    assert countries("pl") == ["Austria", "Kazachstan", "Niemcy"]
    assert countries("pl", "-country") == ["Niemcy", "Kazachstan", "Austria"]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_name_countries_in_the_readers_language_in_every_list(
    office_client, home, partners, export_format
):
    agh, tu = partners
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"),
        reference="MoU-2026-001",
        title="Memorandum",
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    AgreementParty.objects.create(agreement=agreement, institution=agh, order=1)
    AgreementParty.objects.create(agreement=agreement, institution=tu, order=2)
    VisitFactory(visiting_institution=tu, host_institution=home)
    column_of = csv_column if export_format == "csv" else xlsx_column
    office_client.cookies["django_language"] = "kk"
    label = "Ел"  # "Country" in Kazakh

    def export(url: str, column: str = label) -> list[str]:
        return column_of(office_client.get(f"{url}?export={export_format}&sort=country"), column)

    # sorted by the Kazakh names: Г, Қ, П (Қ follows К in the Kazakh alphabet, not Я)
    assert export("/institutions/") == ["Германия", "Қазақстан", "Польша"]
    assert export("/partnerships/") == ["Германия", "Польша"]
    assert export("/agreements/", "Елдер") == ["Польша, Германия"]
    assert export("/visits/") == ["Германия"]


# --- Detail pages, the home page and the API -----------------------------------------------


@pytest.mark.parametrize("language", READERS)
def test_detail_pages_name_the_country_in_the_readers_language(office_client, partners, language):
    agh, _tu = partners
    html = read(office_client, agh.get_absolute_url(), language).content.decode()
    assert f"<dd>{NAMES[language]['PL']}</dd>" in html
    html = read(office_client, agh.partnership.get_absolute_url(), language).content.decode()
    assert NAMES[language]["PL"] in html


def test_the_home_pages_partners_by_country_are_named_for_the_reader(office_user, partners):
    for language, names in NAMES.items():
        with translation.override(language):
            countries = selectors.home_dashboard(office_user)["partner_countries"]
        assert sorted((country.code, country.name, n) for country, n in countries) == [
            ("DE", names["DE"], 1),
            ("PL", names["PL"], 1),
        ]
        assert sorted(str(country) for country, _n in countries) == sorted(
            [names["DE"], names["PL"]]
        )


@pytest.mark.parametrize("language", READERS)
def test_the_home_page_shows_partners_by_country_in_the_readers_language(
    office_client, partners, language
):
    html = read(office_client, "/", language).content.decode()
    assert f'?country=PL"><span>{NAMES[language]["PL"]}</span>' in html


@pytest.mark.parametrize("language", ["en", *READERS])
def test_the_api_names_the_country_in_the_requests_language(office_user, home, language):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=office_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    detail = client.get(f"/api/v1/institutions/{home.uuid}/", HTTP_ACCEPT_LANGUAGE=language)
    assert detail.status_code == 200
    assert (detail.json()["country"], detail.json()["country_name"]) == (
        "KZ",
        NAMES[language]["KZ"],
    )
    listed = client.get("/api/v1/institutions/", HTTP_ACCEPT_LANGUAGE=language).json()
    assert [row["country_name"] for row in listed["results"]] == [NAMES[language]["KZ"]]


# --- Search and imports --------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Қазақстан", "Kazachstan", "Казахстан", "Kazakhstan"])
def test_an_institution_is_found_by_its_countrys_name_in_any_language(office_user, home, query):
    InstitutionFactory(name="Politechnika Warszawska", country="PL")
    assert [hit.title for hit in search.search(query, office_user)] == [home.display_name]


@pytest.mark.parametrize("query", ["Niemcy", "Германия"])
def test_a_partnership_is_found_by_its_countrys_name(office_user, partners, query):
    kinds = {hit.kind for hit in search.search(query, office_user)}
    assert {"institution", "partnership"} <= kinds


def test_the_institution_import_takes_country_names_in_kazakh_and_polish(db):
    data = (
        "name,country\n"
        "Астана IT университеті,Қазақстан\n"
        "Өзбекстан ұлттық университеті,Өзбекстан\n"
        "Uniwersytet Wileński,Litwa\n"
        "Politechnika Łódzka,Polska\n"
    ).encode()
    plan = importing.plan_import(data, file_format="csv")
    assert plan.errors == []
    importing.apply(plan, None)
    assert dict(Institution.objects.values_list("name", "country")) == {
        "Астана IT университеті": "KZ",
        "Өзбекстан ұлттық университеті": "UZ",
        "Uniwersytet Wileński": "LT",
        "Politechnika Łódzka": "PL",
    }


def test_the_agreement_register_takes_country_names_in_kazakh(home, office_user):
    partner = InstitutionFactory(name="Ташкентский государственный технический университет")
    partner.country = "UZ"
    partner.save()
    assert import_values.parse_country("Өзбекстан") == "UZ"
    assert import_values.parse_country("Ресей") == "RU"
    assert import_values.parse_country("Niemcy") == "DE"
    data = (
        "Серіктес;Ел;Түрі;Атауы\n"
        "Ташкентский государственный технический университет;Өзбекстан;MoU;Меморандум\n"
        "Жаңа университет;Қырғызстан;MoU;Жаңа меморандум\n"
    ).encode("utf-8-sig")
    plan = agreement_importing.plan_import(data, file_format="csv")
    assert plan.errors == []
    (unknown,) = plan.unresolved
    assert (unknown.country, unknown.can_create) == ("KG", True)
    with translation.override("kk"):
        assert unknown.country_name == "Қырғызстан"
    result = agreement_importing.apply(plan, office_user, {unknown.key: "new"})
    assert result.created == 2
    assert Institution.objects.get(name="Жаңа университет").country.code == "KG"


# --- Language names ------------------------------------------------------------------------


def test_a_persons_languages_are_named_in_the_readers_language(office_client, home):
    person = PersonFactory(institution=home, languages=["kk", "pl"])
    html = read(office_client, person.get_absolute_url(), "ru").content.decode()
    assert "казахский, польский" in html
    html = read(office_client, person.get_absolute_url(), "pl").content.decode()
    assert "kazachski, polski" in html
    form = read(office_client, f"{person.get_absolute_url()}edit/", "kk").content.decode()
    assert "қазақ тілі" in form and "поляк тілі" in form


def test_agreement_language_requirements_are_named_in_the_readers_language(
    office_client, home, partners
):
    agh, _tu = partners
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"),
        reference="MoU-2026-002",
        title="Memorandum",
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    AgreementParty.objects.create(agreement=agreement, institution=agh, order=1)
    condition = CooperationCondition.objects.create(
        agreement=agreement,
        mobility_type="student-studies",
        sending_institution=home,
        receiving_institution=agh,
        mobilities_per_year=2,
    )
    LanguageRequirement.objects.create(condition=condition, language="pl", cefr_level="B2")
    url = f"{agreement.get_absolute_url()}conditions/"
    assert "польский</span> B2" in read(office_client, url, "ru").content.decode()
    assert "polski</span> B2" in read(office_client, url, "pl").content.decode()


def test_the_visit_documents_name_the_host_languages_in_the_readers_language(
    office_client, home, partners
):
    _agh, tu = partners
    visit = VisitFactory(visiting_institution=tu, host_institution=home)
    url = f"/visits/{visit.uuid}/documents/"
    assert "(английский, русский)" in read(office_client, url, "ru").content.decode()
    assert "(angielski, rosyjski)" in read(office_client, url, "pl").content.decode()
