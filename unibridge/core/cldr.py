"""Country, language and date names from CLDR (through Babel), in any of the four languages.

django-countries knows the ISO 3166 codes but has no Kazakh names, and Django's own date
formats spell months in English outside a translated request. Everything a reader sees as a
country, a language or a spelled-out date goes through here, in the reader's (or the
document's) language.

django-countries stays the storage (a ``CountryField`` holds the ISO code); ``core.fields.
CountryField`` gives its field ``CldrCountries``, which names and sorts the countries through
this module, so ``{{ institution.country.name }}``, form choices and the admin all read CLDR.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from django.conf import settings
from django.utils import translation
from django_countries import Countries, CountryTuple


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, LookupError):
        return Locale.parse("en")


def _language(language: str | None) -> str:
    return language or translation.get_language() or "en"


def interface_languages() -> tuple[str, ...]:
    """The codes of settings.LANGUAGES: the languages a reader may choose."""
    return tuple(code for code, _name in settings.LANGUAGES)


# --- Sorting by the reader's alphabet ------------------------------------------------------
#
# Python sorts by code point, which puts Kazakh Ә, Ғ, Қ… after Я and Polish Ł, Ś, Ż after Z.
# ICU (or pyuca) would collate properly but is not a dependency; the alphabets of the four
# interface languages are short enough to write down. A letter outside the alphabet sorts as
# its base letter (Russian ё as е, English é as e) with a secondary difference; other scripts
# come after the reader's own, as CLDR's collations for Russian and Kazakh order them.

ALPHABETS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "pl": "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż",
    "ru": "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}


@cache
def _letter_order(language: str) -> dict[str, int]:
    alphabet = ALPHABETS.get(language.split("-")[0].lower(), ALPHABETS["en"])
    return {letter: index for index, letter in enumerate(alphabet)}


def sort_key(text: str, language: str | None = None) -> tuple:
    """A key that sorts texts as the language's alphabet does: Ақтөбе after Ақсу, Łódź after
    Lublin. Spaces and punctuation come first, then digits, the alphabet, other letters."""
    order = _letter_order(_language(language))
    primary: list[tuple[int, int]] = []
    secondary: list[int] = []
    for char in str(text).casefold():
        if char in order:
            primary.append((2, order[char]))
            secondary.append(0)
            continue
        base = unicodedata.normalize("NFD", char)[:1] or char
        if base in order:
            primary.append((2, order[base]))
            secondary.append(ord(char))
        elif base.isdigit():
            primary.append((1, ord(base)))
        elif base.isalpha():
            primary.append((3, ord(base)))
        elif not unicodedata.combining(base):
            primary.append((0, ord(base)))
    return (tuple(primary), tuple(secondary), str(text))


# --- Countries -----------------------------------------------------------------------------


# django-countries' own list as settings shape it (COUNTRIES_OVERRIDE adds Kosovo), with its
# English names and its alpha-3 and numeric codes.
_ISO = Countries()


@cache
def _country_codes() -> tuple[str, ...]:
    return tuple(_ISO.countries)


@cache
def _country_names(language: str) -> dict[str, str]:
    territories = _locale(language).territories
    english = _locale("en").territories
    names = {}
    for code in _country_codes():
        name = territories.get(code) or english.get(code) or _ISO.name(code) or code
        names[code] = str(name)
    return names


def country_name(code: object, language: str | None = None) -> str:
    """The country's name in the language; the English name where CLDR has none."""
    if not code:
        return ""
    code = str(code).upper()
    names = _country_names(_language(language))
    if code in names:
        return names[code]
    name = _locale(_language(language)).territories.get(code)
    return str(name) if name else code


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _country_names(language)
    return tuple(sorted(names.items(), key=lambda item: sort_key(item[1], language)))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 3166 country as (code, name), sorted by name in the language's alphabet."""
    return list(_country_choices(_language(language)))


@cache
def _all_names(code: str) -> tuple[str, ...]:
    names = [country_name(code, language) for language in interface_languages()]
    with translation.override("en"):
        iso = _ISO.name(code)
    if iso:
        names.append(str(iso))
    return tuple(dict.fromkeys(name for name in names if name and name != code))


def country_names(code: object) -> tuple[str, ...]:
    """The country's names in every interface language and in django-countries' English
    (ISO's 'Korea (the Republic of)' beside CLDR's 'South Korea'), without repeats."""
    return _all_names(str(code).upper()) if code else ()


@cache
def _country_lookup() -> tuple[dict[str, str], dict[str, str]]:
    from .names import fold

    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for code in _country_codes():
        for name in country_names(code):
            exact.setdefault(name.casefold(), code)
            folded.setdefault(fold(name), code)
    return exact, folded


def country_code(text: str, aliases: dict[str, str] | None = None) -> str | None:
    """The ISO code of a country written as a code (PL, POL, 616) or by its name in any
    interface language: 'Қазақстан', 'Kazachstan', 'Казахстан' and 'Kazakhstan' are KZ.

    ``aliases`` are more names, already folded (``core.names.fold``), such as 'usa'. A name is
    matched as written first, then folded ('Turkiye' finds 'Türkiye'); None when unknown.
    """
    from .names import fold

    value = " ".join(str(text).split())
    if not value:
        return None
    code = value.upper()
    codes = _country_codes()
    if len(code) == 2 and code in codes:
        return code
    if (len(code) == 3 and code.isalpha()) or code.isdigit():
        alpha2 = _ISO.alpha2(code)
        if alpha2 in codes:
            return alpha2
    exact, folded = _country_lookup()
    key = fold(value)
    found = exact.get(value.casefold()) or folded.get(key) or (aliases or {}).get(key)
    return found if found in codes else None


class CldrCountries(Countries):
    """django-countries' list of codes, named and sorted through CLDR in the active language.

    Given to a ``CountryField(countries=CldrCountries)``: the field's choices, its
    ``Country.name`` and its lookups by name then speak the reader's language.
    """

    def translate_pair(self, code: str, name: object = None) -> CountryTuple:
        return CountryTuple(code, country_name(code))

    def __iter__(self) -> Iterator[CountryTuple]:
        for code, name in country_choices():
            yield CountryTuple(code, name)


# --- Languages and dates -------------------------------------------------------------------


def language_name(code: str, language: str | None = None) -> str:
    """A language's own CLDR name in the given language (``kk`` in Russian: казахский)."""
    if not code:
        return ""
    name = _locale(_language(language)).languages.get(code.split("-")[0].lower())
    return str(name) if name else code


def language_names(codes: Iterable[str], language: str | None = None) -> list[str]:
    """Several languages by name in the reader's language, in the order given."""
    return [language_name(code, language) for code in codes if code]


def autonym(code: str) -> str:
    """A language named in itself, capitalised as a menu item (kk: Қазақ тілі, pl: Polski)."""
    name = language_name(code, code)
    return name[:1].upper() + name[1:]


def format_date(
    value: datetime.date | None, language: str | None = None, style: str = "long"
) -> str:
    """A date spelled out as the language writes it: 15 января 2027 г., 15 stycznia 2027."""
    if value is None:
        return ""
    language = _language(language)
    # CLDR's plain "en" is American (January 15, 2027); the office writes international
    # English, day first, as its generated documents do.
    if language.split("-")[0] == "en":
        language = "en_GB"
    return str(babel_format_date(value, format=style, locale=_locale(language)))
