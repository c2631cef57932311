"""Country, language and date names from CLDR (through Babel), in any of the four languages.

django-countries knows the ISO 3166 codes but has no Kazakh names, and Django's own date
formats spell months in English outside a translated request. Everything a reader sees as a
country, a language or a spelled-out date goes through here, in the reader's (or the
document's) language.
"""

from __future__ import annotations

import datetime
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from django.utils import translation
from django_countries import countries


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, LookupError):
        return Locale.parse("en")


def _language(language: str | None) -> str:
    return language or translation.get_language() or "en"


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the language; the English name where CLDR has none."""
    if not code:
        return ""
    code = str(code).upper()
    name = _locale(_language(language)).territories.get(code)
    if name:
        return str(name)
    english = _locale("en").territories.get(code)
    return str(english) if english else str(countries.name(code) or code)


@cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = [(code, country_name(code, language)) for code in countries.countries]
    return tuple(sorted(names, key=lambda item: item[1].casefold()))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every ISO 3166 country as (code, name), sorted by name in the language."""
    return list(_country_choices(_language(language)))


def language_name(code: str, language: str | None = None) -> str:
    """A language's own CLDR name in the given language (``kk`` in Russian: казахский)."""
    if not code:
        return ""
    name = _locale(_language(language)).languages.get(code.split("-")[0].lower())
    return str(name) if name else code


def autonym(code: str) -> str:
    """A language named in itself, capitalised as a menu item (kk: Қазақша is Django's own)."""
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
