"""core.translations: record texts in several languages, their fallbacks and their changes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from unibridge.agreements.models import Agreement
from unibridge.core import translations
from unibridge.core.translation_forms import needed_languages
from unibridge.core.translations import Fallbacks, text_in
from unibridge.institutions.tests import factories as institution_factories
from unibridge.institutions.tests.factories import InstitutionFactory
from unibridge.visits.models import Visit
from unibridge.visits.tests.factories import VisitFactory

agh = institution_factories.agh


@pytest.fixture
def visit(db) -> Visit:
    return VisitFactory.create(
        purpose="Round table on joint research",
        translations={"purpose": {"ru": "Круглый стол по совместным исследованиям"}},
    )


def test_a_text_is_read_in_the_language_asked_for(visit):
    assert text_in(visit, "purpose", "ru") == (
        "Круглый стол по совместным исследованиям",
        "ru",
        False,
    )


def test_the_original_is_the_english_text(visit):
    assert text_in(visit, "purpose", "en") == ("Round table on joint research", "en", False)


def test_a_missing_language_falls_back_to_english_and_says_so(visit):
    assert text_in(visit, "purpose", "kk") == ("Round table on joint research", "en", True)


def test_an_empty_field_is_no_fallback(visit):
    assert text_in(visit, "goals", "kk") == ("", "en", False)


def test_a_field_with_columns_is_read_from_them(db):
    agreement = Agreement(title="Memorandum", title_ru="Меморандум")
    assert text_in(agreement, "title", "ru").text == "Меморандум"
    assert text_in(agreement, "title", "pl").fallback


def test_a_change_that_names_one_language_keeps_the_others(visit):
    changed = translations.apply_changes(visit, {"purpose": {"kk": "Дөңгелек үстел"}})
    visit.save()
    visit.refresh_from_db()
    assert changed
    assert visit.translations == {
        "purpose": {"ru": "Круглый стол по совместным исследованиям", "kk": "Дөңгелек үстел"}
    }


def test_an_empty_text_removes_its_language(visit):
    translations.apply_changes(visit, {"purpose": {"ru": ""}})
    assert visit.translations == {}
    assert translations.missing_languages(visit, "purpose", ["en", "ru"]) == ["ru"]


def test_a_change_of_a_field_with_columns_writes_the_column(db):
    agreement = Agreement(title="Memorandum")
    translations.apply_changes(agreement, {"title": {"kk": "Меморандум"}})
    assert agreement.title_kk == "Меморандум"
    assert agreement.translations == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"notes": {"ru": "x"}}, "“notes” has no translations; translatable fields: title, "),
        ({"purpose": {"de": "x"}}, "“de” is not a language of UniBridge; use one of en, ru, kk"),
        ({"purpose": {"ru": 5}}, "The ru text of “purpose” must be a string."),
        ({"purpose": "x"}, "The translations of “purpose” are an object of texts by language."),
        (["purpose"], "Translations are an object of fields, each with its texts by language."),
        ({"title": {"ru": "x" * 301}}, "has 301 characters; at most 300 are allowed."),
    ],
)
def test_a_malformed_change_is_refused_with_what_is_wrong(visit, change, message):
    with pytest.raises(ValidationError) as error:
        translations.apply_changes(visit, change)
    assert message in error.value.messages[0]


def test_a_services_values_carry_the_forms_inputs_and_the_apis_object(visit):
    values = {
        "title": "New",
        "translations.purpose.kk": "Дөңгелек үстел",
        "translations": {"goals": {"ru": "Подписать меморандум"}},
    }
    assert translations.take_from(visit, values) == {}
    assert values == {"title": "New"}
    assert visit.translations["purpose"]["kk"] == "Дөңгелек үстел"
    assert visit.translations["goals"] == {"ru": "Подписать меморандум"}


def test_a_services_values_report_a_bad_change_under_translations(visit):
    errors = translations.take_from(visit, {"translations": {"purpose": {"xx": "?"}}})
    assert list(errors) == ["translations"]


def test_fallbacks_are_marked_with_their_language_and_listed(visit):
    fallbacks = Fallbacks()
    assert fallbacks.text(visit, "purpose", "kk", "Purpose of the visit") == (
        "[EN] Round table on joint research"
    )
    assert fallbacks.text(visit, "purpose", "ru") == "Круглый стол по совместным исследованиям"
    with translation.override("en"):
        assert fallbacks.summary() == (
            "1 text falls back to English: Purpose of the visit (Kazakh)."
        )


def test_unmarked_fallbacks_keep_the_text_as_it_is(visit):
    fallbacks = Fallbacks(mark=False)
    assert fallbacks.text(visit, "purpose", "kk") == "Round table on joint research"
    assert len(fallbacks) == 1


def test_the_languages_a_record_needs_are_english_and_its_countries(db, agh):
    home = InstitutionFactory(country="KZ")
    assert needed_languages([home, agh]) == ["en", "ru", "kk", "pl"]
    assert needed_languages([InstitutionFactory(country="DE")]) == ["en"]


def test_the_api_answers_every_stored_text_by_field(db):
    agreement = Agreement(
        title="Memorandum", title_ru="Меморандум", translations={"summary": {"kk": "Қысқаша"}}
    )
    assert translations.as_dict(agreement) == {
        "title": {"ru": "Меморандум"},
        "summary": {"kk": "Қысқаша"},
    }


def test_equal_inputs_have_equal_content_hashes():
    assert translations.content_hash({"a": [1, "б"]}) == translations.content_hash({"a": [1, "б"]})
    assert translations.content_hash({"a": 1}) != translations.content_hash({"a": 2})
