import datetime

from django.utils import translation

from unibridge.core import cldr


def test_country_names_in_each_language():
    assert cldr.country_name("KZ", "kk") == "Қазақстан"
    assert cldr.country_name("PL", "ru") == "Польша"
    assert cldr.country_name("KZ", "pl") == "Kazachstan"
    assert cldr.country_name("PL", "en") == "Poland"


def test_country_name_follows_the_active_language():
    with translation.override("kk"):
        assert cldr.country_name("pl") == "Польша"
    with translation.override("pl"):
        assert cldr.country_name("DE") == "Niemcy"


def test_country_choices_are_sorted_in_the_language():
    names = [name for _code, name in cldr.country_choices("ru")]
    assert names == sorted(names, key=lambda name: cldr.sort_key(name, "ru"))
    # ё sorts as е in Russian (code points would put it after я)
    assert names.index("Тёркс и Кайкос") < names.index("Того")
    assert dict(cldr.country_choices("kk"))["UZ"] == "Өзбекстан"
    assert len(names) > 240


def test_language_names():
    assert cldr.language_name("kk", "ru") == "казахский"
    assert cldr.language_name("pl", "en") == "Polish"
    assert cldr.autonym("pl") == "Polski"


def test_dates_spelled_out_in_the_language():
    day = datetime.date(2027, 1, 15)
    assert (
        cldr.format_date(day, "ru") == "15 января 2027\u202fг."
    )  # a narrow no-break space, as CLDR writes it
    assert cldr.format_date(day, "pl") == "15 stycznia 2027"
    assert cldr.format_date(day, "en") == "15 January 2027"  # international, day first
    assert "қаңтар" in cldr.format_date(day, "kk")
    assert cldr.format_date(None, "ru") == ""
