"""The ISCED-F 2013 fields of education and training, read once from data/isced_f_2013.csv.

Names exist in English and Russian; any other language falls back to English.
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language

DATA_FILE = Path(__file__).parent / "data" / "isced_f_2013.csv"

BROAD = "broad"
NARROW = "narrow"
DETAILED = "detailed"
LEVELS = (BROAD, NARROW, DETAILED)
NAME_LANGUAGES = ("en", "ru")


@dataclass(frozen=True)
class IscedField:
    """One field of the classification: two digits broad, three narrow, four detailed."""

    code: str
    level: str
    name_en: str
    name_ru: str

    def name(self, language: str | None = None) -> str:
        """The name in the language (the current one by default), else in English."""
        return getattr(self, f"name_{_base_language(language)}") or self.name_en


@lru_cache(maxsize=1)
def isced_fields() -> dict[str, IscedField]:
    """All fields by code, in the order of the classification."""
    with DATA_FILE.open(encoding="utf-8", newline="") as file:
        return {row["code"]: IscedField(**row) for row in csv.DictReader(file)}


def is_known(code: str) -> bool:
    return code in isced_fields()


def isced_name(code: str, language: str | None = None) -> str:
    """The field's name (current language, English fallback); an unknown code gives ''."""
    field = isced_fields().get(code)
    return field.name(language) if field else ""


def isced_choices(level: str | None = None) -> list[tuple[str, str]]:
    """(code, "code name") pairs for forms, in the current language; one level or all.

    Pass it uncalled (``choices=isced_choices`` or a ``functools.partial``) so the names
    follow the language of each request rather than the one at import time.
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"Unknown ISCED-F level {level!r}; use one of {', '.join(LEVELS)}.")
    language = get_language()
    return [
        (field.code, f"{field.code} {field.name(language)}")
        for field in isced_fields().values()
        if level is None or field.level == level
    ]


def _base_language(language: str | None) -> str:
    """'ru-RU' and 'ru_ru' -> 'ru'; None -> the active language; without names -> 'en'."""
    language = language if language is not None else get_language()
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return base if base in NAME_LANGUAGES else "en"
