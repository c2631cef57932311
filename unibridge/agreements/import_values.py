"""The values of a legacy agreements register: dates, durations, countries, types, statuses.

Cells as offices write them: '31.12.2027', 'до 31.12.2027 г.', '5 лет', 'бессрочно',
'Польша', 'Меморандум', 'действует'. ``importing`` checks rows with these.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.utils import translation

from unibridge.core import cldr
from unibridge.core.names import fold

from .choices import AgreementStatus
from .models import AgreementType

INTERFACE_LANGUAGES = ("en", "ru", "kk", "pl")

# Words staff write for a type instead of its full name, folded, by type code.
TYPE_SYNONYMS = {
    "memorandum": "mou",
    "memorandum of understanding": "mou",
    "memorandum of cooperation": "mou",
    "меморандум": "mou",
    "меморандум о взаимопонимании": "mou",
    "porozumienie": "mou",
    "porozumienie o wspolpracy": "mou",
    "framework": "framework",
    "рамочный договор": "framework",
    "erasmus ka171": "erasmus-ka171",
    "erasmus ka131": "erasmus-ka131",
}

STATUS_SYNONYMS = {
    "действует": AgreementStatus.ACTIVE,
    "действующий": AgreementStatus.ACTIVE,
    "действующее": AgreementStatus.ACTIVE,
    "в силе": AgreementStatus.ACTIVE,
    "obowiazuje": AgreementStatus.ACTIVE,
    "aktywna": AgreementStatus.ACTIVE,
    "in force": AgreementStatus.ACTIVE,
    "valid": AgreementStatus.ACTIVE,
    "истек": AgreementStatus.EXPIRED,
    "истекло": AgreementStatus.EXPIRED,
    "истекший": AgreementStatus.EXPIRED,
    "wygasla": AgreementStatus.EXPIRED,
    "расторгнут": AgreementStatus.TERMINATED,
    "расторгнуто": AgreementStatus.TERMINATED,
    "расторгнуто досрочно": AgreementStatus.TERMINATED,
    "rozwiazana": AgreementStatus.TERMINATED,
    "на подписании": AgreementStatus.SIGNING,
    "w trakcie podpisywania": AgreementStatus.SIGNING,
}
# Statuses a legacy row may give; review is skipped, so draft/in review/approved are not offered.
IMPORTABLE_STATUSES = (
    AgreementStatus.SIGNING,
    AgreementStatus.ACTIVE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.SUPERSEDED,
)
# A status the dates cannot tell: kept even when the dates would say 'active'.
FINAL_STATUSES = (AgreementStatus.TERMINATED, AgreementStatus.SUPERSEDED)

INDEFINITE = {
    "indefinite", "indefinitely", "unlimited", "open ended", "no end", "without end",
    "бессрочно", "бессрочный", "бессрочное", "без срока", "мерзімсіз", "bezterminowo",
    "bezterminowa", "na czas nieokreslony",
}  # fmt: skip
YEARS = re.compile(
    r"^(\d{1,2})\s*(years?|yrs?|лет|года?|год|жыл|lat|lata|rok|roku)(\.|\s.*)?$", re.IGNORECASE
)
_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
# Words around a date in a cell such as 'до 31.12.2027 г.' or 'do 31.12.2027 r.'.
_DATE_NOISE = re.compile(
    r"^(?:до|по|с|от|do|od|until|till|to|by|from)?\s*|\s*(?:г|гг|года|r|roku)?\.?$"
)


def parse_date(raw: Any) -> datetime.date:
    """A date cell: a real spreadsheet date, dd.mm.yyyy or ISO yyyy-mm-dd; ValueError otherwise."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = _DATE_NOISE.sub("", " ".join(str(raw).split()).strip())
    for pattern, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        found = pattern.fullmatch(text)
        if found:
            year, month, day = (int(found.group(i)) for i in order)
            return datetime.date(year, month, day)
    raise ValueError(text)


def years_later(start: datetime.date, years: int) -> datetime.date:
    """The last day of a term of whole years: 01.09.2020 + 5 years → 31.08.2025."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28) + datetime.timedelta(days=1)
    return anniversary - datetime.timedelta(days=1)


def display_value(raw: Any) -> str:
    """A cell as a person reads it: dates as dd.mm.yyyy, whole numbers without '.0'."""
    return "" if raw is None else text_of(raw)


def text_of(raw: Any) -> str:
    """A cell as one line of text: dates as dd.mm.yyyy, whole numbers without '.0'."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime.datetime | datetime.date):
        return raw.strftime("%d.%m.%Y")
    return " ".join(str(raw).split())


# Register spellings that CLDR does not use, folded.
COUNTRY_ALIASES = {"russian federation": "RU", "usa": "US", "uk": "GB", "turkiye": "TR"}


def parse_country(text: str) -> str | None:
    """An ISO code from a code (PL, POL) or a CLDR name in an interface language (Польша,
    Polska, Қазақстан)."""
    return cldr.country_code(text, aliases=COUNTRY_ALIASES)


class TypeLookup:
    def __init__(self, types: Sequence[AgreementType]) -> None:
        self.codes = [t.code for t in types]
        self.exact: dict[str, set[int]] = {}
        self.words: dict[str, set[int]] = {}
        self.by_pk = {t.pk: t for t in types}
        self.names: list[tuple[str, int]] = []
        by_code = {t.code: t for t in types}
        for agreement_type in types:
            keys = {fold(agreement_type.code), fold(agreement_type.reference_prefix)}
            keys |= {fold(name) for name in agreement_type.all_names()}
            for key in keys - {""}:
                self.exact.setdefault(key, set()).add(agreement_type.pk)
            for name in agreement_type.all_names():
                self.names.append((fold(name), agreement_type.pk))
            for short in (agreement_type.code, agreement_type.reference_prefix):
                if len(short) >= 3:
                    self.words.setdefault(fold(short), set()).add(agreement_type.pk)
        for synonym, code in TYPE_SYNONYMS.items():
            if code in by_code:
                self.exact.setdefault(fold(synonym), set()).add(by_code[code].pk)

    def find(self, text: str) -> AgreementType | list[AgreementType] | None:
        """The type, the types it could be (ambiguous), or None."""
        key = fold(text)
        pks = self.exact.get(key, set())
        if not pks:
            pks = set().union(*(self.words.get(word, set()) for word in key.split()))
        if not pks and key:
            pks = {pk for name, pk in self.names if name == key or name.startswith(key + " ")}
        if len(pks) == 1:
            return self.by_pk[pks.pop()]
        if pks:
            return sorted((self.by_pk[pk] for pk in pks), key=lambda t: t.code)
        return None


def type_lookup() -> TypeLookup:
    return TypeLookup(list(AgreementType.objects.order_by("code")))


def status_lookup() -> dict[str, str]:
    statuses: dict[str, str] = {}
    for language in INTERFACE_LANGUAGES:
        with translation.override(language):
            for value, label in AgreementStatus.choices:
                if value in IMPORTABLE_STATUSES:
                    statuses.setdefault(fold(str(label)), value)
    for value in IMPORTABLE_STATUSES:
        statuses[fold(value)] = value
    statuses.update({fold(word): value for word, value in STATUS_SYNONYMS.items()})
    return statuses
