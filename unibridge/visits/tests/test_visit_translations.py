"""A visit's texts in the languages it needs: the edit page's inputs and hint, and the API."""

import lxml.html
import pytest

from unibridge.visits.models import Visit
from unibridge.visits.tests.test_api import api_for, visit_url
from unibridge.visits.tests.test_visit_pages import make_partner, make_visit, visit_form_data

RU_PURPOSE = "Круглый стол по совместным исследованиям"
KK_PURPOSE = "Бірлескен зерттеулер бойынша дөңгелек үстел"
PL_PURPOSE = "Okrągły stół o wspólnych badaniach"


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def visit(home, partner, engineering) -> Visit:
    return make_visit(
        home,
        partner,
        units=[engineering],
        purpose="Round table on joint research",
        translations={"purpose": {"ru": RU_PURPOSE}},
    )


def edit_page(client, visit):
    response = client.get(f"/visits/{visit.uuid}/edit/")
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def one(page, xpath: str):
    (element,) = page.xpath(xpath)
    return element


def test_the_edit_page_has_an_input_per_language_the_visit_needs_under_each_text(
    office_client, visit
):
    page = edit_page(office_client, visit)
    # Kazakhstan and Poland: Russian, Kazakh and Polish besides the English original
    names = page.xpath("//*[starts-with(@name, 'translations.purpose.')]/@name")
    assert names == [
        "translations.purpose.ru",
        "translations.purpose.kk",
        "translations.purpose.pl",
    ]
    assert one(page, "//*[@name='translations.purpose.ru']").text.strip() == RU_PURPOSE
    assert one(page, "//*[@name='translations.purpose.kk']").get("lang") == "kk"
    label = one(page, "//label[@for='id_translations.purpose.pl']").text_content()
    assert label == "Polish: Purpose"


def test_the_edit_page_says_which_languages_a_text_is_missing_in(office_client, visit):
    page = edit_page(office_client, visit)
    hint = one(page, "//*[@id='id_purpose_helptext']").text_content()
    assert "Missing: Kazakh, Polish." in hint


def test_saving_the_edit_page_stores_each_language(office_client, visit, partner, engineering):
    version = office_client.get(f"/visits/{visit.uuid}/edit/").context["form"].initial["version"]
    data = visit_form_data(
        partner,
        purpose="Round table on joint research",
        home_units=[engineering.pk],
        version=version,
        **{
            "translations.purpose.ru": RU_PURPOSE,
            "translations.purpose.kk": KK_PURPOSE,
            "translations.purpose.pl": PL_PURPOSE,
            "translations.title.ru": "Делегация AGH",
        },
    )
    response = office_client.post(f"/visits/{visit.uuid}/edit/", data)
    assert response.status_code == 302, response.content
    visit.refresh_from_db()
    assert visit.translations == {
        "title": {"ru": "Делегация AGH"},
        "purpose": {"ru": RU_PURPOSE, "kk": KK_PURPOSE, "pl": PL_PURPOSE},
    }
    page = edit_page(office_client, visit)
    assert not page.xpath("//*[@id='id_purpose_helptext']")  # nothing missing, no hint
    assert "Missing: Kazakh, Polish." in one(page, "//*[@id='id_title_helptext']").text_content()


def test_clearing_an_input_removes_that_language(office_client, visit, partner, engineering):
    version = office_client.get(f"/visits/{visit.uuid}/edit/").context["form"].initial["version"]
    data = visit_form_data(
        partner, home_units=[engineering.pk], version=version, **{"translations.purpose.ru": ""}
    )
    assert office_client.post(f"/visits/{visit.uuid}/edit/", data).status_code == 302
    visit.refresh_from_db()
    assert visit.translations == {}


# --- The API -------------------------------------------------------------------------------------


def test_the_api_answers_the_translations(office_user, visit):
    body = api_for(office_user).get(visit_url(visit)).json()
    assert body["translations"] == {"purpose": {"ru": RU_PURPOSE}}


def test_the_api_creates_a_visit_with_its_translations(office_user, home, partner):
    response = api_for(office_user).post(
        "/api/v1/visits/",
        {
            "direction": "incoming",
            "partner": str(partner.uuid),
            "title": "AGH delegation",
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
            "time_zone": "Asia/Almaty",
            "purpose": "Round table",
            "translations": {"purpose": {"ru": "Круглый стол", "kk": "Дөңгелек үстел"}},
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["translations"] == {
        "purpose": {"ru": "Круглый стол", "kk": "Дөңгелек үстел"}
    }
    assert Visit.objects.get().translations["purpose"]["kk"] == "Дөңгелек үстел"


def test_a_patch_naming_one_language_changes_only_that_language(office_user, visit):
    client = api_for(office_user)
    version = client.get(visit_url(visit)).json()["updated"]
    response = client.patch(
        visit_url(visit),
        {"translations": {"purpose": {"kk": KK_PURPOSE}}, "version": version},
    )
    assert response.status_code == 200, response.content
    assert response.json()["translations"] == {"purpose": {"ru": RU_PURPOSE, "kk": KK_PURPOSE}}
    visit.refresh_from_db()
    assert visit.purpose == "Round table on joint research"
    assert visit.translations == {"purpose": {"ru": RU_PURPOSE, "kk": KK_PURPOSE}}


def test_a_patch_with_null_removes_a_language(office_user, visit):
    client = api_for(office_user)
    version = client.get(visit_url(visit)).json()["updated"]
    response = client.patch(
        visit_url(visit), {"translations": {"purpose": {"ru": None}}, "version": version}
    )
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert visit.translations == {}


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"purpose": {"de": "Rundtisch"}}, "“de” is not a language of UniBridge"),
        ({"notes": {"ru": "Заметки"}}, "“notes” has no translations"),
        ({"purpose": "Круглый стол"}, "Expected an object of fields"),
    ],
)
def test_a_bad_translation_is_refused_with_what_is_wrong_and_changes_nothing(
    office_user, visit, translations, message
):
    client = api_for(office_user)
    version = client.get(visit_url(visit)).json()["updated"]
    response = client.patch(visit_url(visit), {"translations": translations, "version": version})
    assert response.status_code == 400, response.content
    assert message in str(response.json())
    visit.refresh_from_db()
    assert visit.translations == {"purpose": {"ru": RU_PURPOSE}}


# --- People: the title, position and expertise the documents print --------------------------------


def test_a_persons_page_stores_the_position_in_each_language(office_client, home, partner):
    from unibridge.institutions.tests.factories import PersonFactory

    person = PersonFactory(institution=partner, name_native="Jan Nowak", position="Dean")
    page = office_client.get(f"/people/{person.uuid}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    assert "translations.position.pl" in form.fields
    assert "Missing: Russian, Kazakh, Polish." in str(form.fields["position"].help_text)
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data.update(
        {
            "translations.position.ru": "Декан",
            "translations.position.kk": "Декан",
            "translations.position.pl": "Dziekan",
        }
    )
    data["institution"] = partner.pk
    response = office_client.post(f"/people/{person.uuid}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.translations == {"position": {"ru": "Декан", "kk": "Декан", "pl": "Dziekan"}}
