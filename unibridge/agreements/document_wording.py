"""The wording of the agreement documents: the languages a document is written in, its
phrases in each of them, and how names, dates and periods are spelled.

Document text, not interface text: a Russian column is Russian whatever language the person
generating it reads (so these are not gettext strings).
"""

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from unibridge.core import cldr
from unibridge.core.names import has_non_latin
from unibridge.core.translations import Fallbacks
from unibridge.institutions.models import Institution, Person

from .models import Agreement

# The language a country's documents are written in, besides English.
COUNTRY_LANGUAGES = {"KZ": "ru", "RU": "ru", "BY": "ru", "KG": "ru", "PL": "pl"}

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақ тілі", "pl": "Polski"}

# The CLDR locale a document's dates are written in: British English writes "15 January
# 2026", as European partners read it.
DATE_LOCALES = {"en": "en_GB"}

# The wording of the document in each language. Document text, not interface text: a
# Russian column is Russian whatever language the person generating it reads.
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "reference": "Reference No.",
        "parties": "The parties",
        "parties_intro": "This agreement is concluded between:",
        "units": "Units",
        "represented_by": "Represented by",
        "areas": "Areas of cooperation",
        "areas_intro": "The parties agree to cooperate in the following areas:",
        "conditions": "Mobility conditions",
        "per_year": "Mobilities per year",
        "months": "Total months per year",
        "days": "Total days per year",
        "isced": "Subject areas (ISCED-F)",
        "eqf": "EQF levels",
        "years": "Academic years",
        "language_skills": "Recommended language skills",
        "blended": "Blended mobility",
        "validity": "Validity",
        "effective_from": "Effective from",
        "valid_until": "Valid until",
        "indefinite": "indefinite",
        "on_signature": "the day of the last signature",
        "starts_on": "This agreement enters into force on {date}.",
        "starts_on_signature": "This agreement enters into force when all parties have signed it.",
        "ends_on": "It is valid until {date}.",
        "ends_never": "It is concluded for an indefinite period.",
        "renews": "It is renewed automatically for further periods of {years} unless a party "
        "gives notice of termination.",
        "no_renewal": "It is not renewed automatically.",
        "notice": "Each party may terminate it by written notice to the other parties given at "
        "least {days} before the end of a period.",
        "notice_any_time": "Each party may terminate it by written notice to the other parties.",
        "final": "Done in {copies} original copies, one for each party; all language versions "
        "are equally authentic.",
        "signatures": "Signatures of the parties",
        "signature": "Signature",
        "date": "Date",
        "place": "Place",
    },
    "ru": {
        "reference": "Рег. номер",
        "parties": "Стороны",
        "parties_intro": "Настоящее соглашение заключено между:",
        "units": "Подразделения",
        "represented_by": "В лице",
        "areas": "Области сотрудничества",
        "areas_intro": "Стороны договорились о сотрудничестве в следующих областях:",
        "conditions": "Условия мобильности",
        "per_year": "Мобильностей в год",
        "months": "Всего месяцев в год",
        "days": "Всего дней в год",
        "isced": "Области знаний (ISCED-F)",
        "eqf": "Уровни EQF",
        "years": "Учебные годы",
        "language_skills": "Рекомендуемое знание языков",
        "blended": "Смешанная мобильность",
        "validity": "Срок действия",
        "effective_from": "Действует с",
        "valid_until": "Действует до",
        "indefinite": "бессрочно",
        "on_signature": "дня последней подписи",
        "starts_on": "Настоящее соглашение вступает в силу {date}.",
        "starts_on_signature": "Настоящее соглашение вступает в силу со дня его подписания "
        "всеми сторонами.",
        "ends_on": "Оно действует до {date}.",
        "ends_never": "Оно заключено на неопределённый срок.",
        "renews": "Оно автоматически продлевается каждый раз на {years}, если ни одна из сторон "
        "не заявит о его расторжении.",
        "no_renewal": "Автоматическое продление не предусмотрено.",
        "notice": "Каждая сторона может расторгнуть соглашение, письменно уведомив другие "
        "стороны не менее чем за {days} до окончания очередного срока.",
        "notice_any_time": "Каждая сторона может расторгнуть соглашение, письменно уведомив "
        "другие стороны.",
        "final": "Составлено в {copies} подлинных экземплярах, по одному для каждой стороны; "
        "все языковые версии имеют одинаковую силу.",
        "signatures": "Подписи сторон",
        "signature": "Подпись",
        "date": "Дата",
        "place": "Место",
    },
    "kk": {
        "reference": "Тіркеу нөмірі",
        "parties": "Тараптар",
        "parties_intro": "Осы келісім мына тараптар арасында жасалды:",
        "units": "Бөлімшелер",
        "represented_by": "Өкілі",
        "areas": "Ынтымақтастық салалары",
        "areas_intro": "Тараптар келесі салаларда ынтымақтасуға келісті:",
        "conditions": "Академиялық ұтқырлық шарттары",
        "per_year": "Жылына ұтқырлық саны",
        "months": "Жылына барлық айлар",
        "days": "Жылына барлық күндер",
        "isced": "Білім салалары (ISCED-F)",
        "eqf": "EQF деңгейлері",
        "years": "Оқу жылдары",
        "language_skills": "Ұсынылатын тіл білімі",
        "blended": "Аралас ұтқырлық",
        "validity": "Қолданылу мерзімі",
        "effective_from": "Күшіне енеді",
        "valid_until": "Мерзімі аяқталады",
        "indefinite": "мерзімсіз",
        "on_signature": "соңғы қол қойылған күннен",
        "starts_on": "Осы келісім {date} бастап күшіне енеді.",
        "starts_on_signature": "Осы келісім барлық тараптар қол қойған күннен бастап күшіне енеді.",
        "ends_on": "Ол {date} дейін қолданылады.",
        "ends_never": "Ол белгісіз мерзімге жасалды.",
        "renews": "Егер тараптардың ешқайсысы оны бұзу туралы мәлімдемесе, ол әр жолы {years} "
        "мерзімге автоматты түрде ұзартылады.",
        "no_renewal": "Автоматты түрде ұзарту көзделмеген.",
        "notice": "Әр тарап кезекті мерзім аяқталғанға дейін кемінде {days} бұрын басқа "
        "тараптарды жазбаша хабардар ете отырып, келісімді бұза алады.",
        "notice_any_time": "Әр тарап басқа тараптарды жазбаша хабардар ете отырып, келісімді "
        "бұза алады.",
        "final": "{copies} түпнұсқа данада, әр тарапқа бір данадан жасалды; барлық тілдік "
        "нұсқалардың күші бірдей.",
        "signatures": "Тараптардың қолдары",
        "signature": "Қолы",
        "date": "Күні",
        "place": "Орны",
    },
    "pl": {
        "reference": "Numer referencyjny",
        "parties": "Strony",
        "parties_intro": "Niniejsze porozumienie zostaje zawarte pomiędzy:",
        "units": "Jednostki",
        "represented_by": "Reprezentowana przez",
        "areas": "Obszary współpracy",
        "areas_intro": "Strony postanawiają współpracować w następujących obszarach:",
        "conditions": "Warunki mobilności",
        "per_year": "Liczba mobilności rocznie",
        "months": "Łączna liczba miesięcy rocznie",
        "days": "Łączna liczba dni rocznie",
        "isced": "Dziedziny (ISCED-F)",
        "eqf": "Poziomy EQF",
        "years": "Lata akademickie",
        "language_skills": "Zalecana znajomość języków",
        "blended": "Mobilność mieszana",
        "validity": "Okres obowiązywania",
        "effective_from": "Obowiązuje od",
        "valid_until": "Obowiązuje do",
        "indefinite": "bezterminowo",
        "on_signature": "dnia ostatniego podpisu",
        "starts_on": "Niniejsze porozumienie wchodzi w życie z dniem {date}.",
        "starts_on_signature": "Niniejsze porozumienie wchodzi w życie z dniem podpisania "
        "przez wszystkie strony.",
        "ends_on": "Obowiązuje do dnia {date}.",
        "ends_never": "Zostaje zawarte na czas nieokreślony.",
        "renews": "Jest przedłużane automatycznie na kolejne okresy {years}, o ile żadna ze "
        "stron go nie wypowie.",
        "no_renewal": "Nie jest przedłużane automatycznie.",
        "notice": "Każda ze stron może je wypowiedzieć, powiadamiając pisemnie pozostałe strony "
        "co najmniej {days} przed końcem okresu obowiązywania.",
        "notice_any_time": "Każda ze stron może je wypowiedzieć, powiadamiając pisemnie "
        "pozostałe strony.",
        "final": "Sporządzono w {copies} jednobrzmiących egzemplarzach, po jednym dla każdej ze "
        "stron; wszystkie wersje językowe są jednakowo autentyczne.",
        "signatures": "Podpisy stron",
        "signature": "Podpis",
        "date": "Data",
        "place": "Miejsce",
    },
}


# --- Wording helpers -------------------------------------------------------------------------


def _plural(language: str, number: int, unit: str) -> str:
    """``number`` years or days, with the noun form each language needs."""
    forms = {
        ("en", "years"): ("year", "years", "years"),
        ("en", "days"): ("day", "days", "days"),
        ("ru", "years"): ("год", "года", "лет"),
        ("ru", "days"): ("день", "дня", "дней"),
        ("pl", "years"): ("roku", "lat", "lat"),
        ("pl", "days"): ("dzień", "dni", "dni"),
        ("kk", "years"): ("жыл", "жыл", "жыл"),
        ("kk", "days"): ("күн", "күн", "күн"),
    }[(language, unit)]
    if language == "ru":
        tens, ones = number % 100, number % 10
        form = (
            0 if ones == 1 and tens != 11 else 1 if 2 <= ones <= 4 and not 12 <= tens <= 14 else 2
        )
    elif language == "pl":
        tens, ones = number % 100, number % 10
        form = 0 if number == 1 else 1 if 2 <= ones <= 4 and not 12 <= tens <= 14 else 2
        if unit == "years":  # "na kolejne okresy 1 roku / 2 lat / 5 lat" (genitive)
            form = 0 if number == 1 else 2
    else:
        form = 0 if number == 1 else 1
    return f"{number} {forms[form]}"


def format_date(value: datetime.date | None, language: str) -> str:
    """A date spelled out as the document's language writes it (15 января 2026 г.)."""
    return cldr.format_date(value, DATE_LOCALES.get(language, language))


def _name(record: Any, language: str) -> str:
    """A multilingual record's name in ``language``, else its official name (for Polish,
    an official name in another script gives way to the English one)."""
    name = getattr(record, f"name_{language}", "")
    if not name and language in ("en", "pl") and has_non_latin(record.name):
        name = getattr(record, "name_en", "")
    return name or record.name


def _title(agreement: Agreement, language: str, fallbacks: Fallbacks | None = None) -> str:
    return (fallbacks or Fallbacks(mark=False)).text(
        agreement, "title", language, str(_("Title of the agreement"))
    )


def _person_name(person: Person | None, language: str) -> str:
    if person is None:
        return ""
    if language in ("ru", "kk"):
        return person.name_native or person.name_latin
    return person.name_latin or person.name_native


def document_languages(institutions: list[Institution], *, with_kazakh: bool = False) -> list[str]:
    """English, then the languages of the parties' countries in the parties' order."""
    languages = ["en"]
    for institution in institutions:
        country = str(institution.country or "")
        language = COUNTRY_LANGUAGES.get(country)
        if language:
            languages.append(language)
        if country == "KZ" and with_kazakh:
            languages.append("kk")
    return list(dict.fromkeys(languages))
