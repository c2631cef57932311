"""Record texts in several languages: titles, purposes, programme items, decisions, positions.

Names of institutions and units have one column per language (``name_ru``…, see
:class:`unibridge.core.models.MultilingualNameMixin`). The longer texts that documents and
news drafts print are too many for a column each, so a translatable model keeps them in one
JSON field, ``translations`` = ``{field: {language: text}}``, while the field itself keeps
the original text as it was entered (in English, the language the office keeps its records
in; a record may say otherwise with an ``original_language`` attribute). A field that
already has columns (``Agreement.title_ru``) is read from them too, so both kinds answer
:func:`text_in` alike.

Documents ask for each text in their language with :func:`text_in`; where no text in that
language exists they fall back (to English, else the original) and the :class:`Fallbacks`
collected on the way tell the author which texts still need a translation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import cldr
from .models import TranslatableModel

__all__ = ["Fallbacks", "TranslatableModel", "apply_changes", "take_from", "text_in"]

LANGUAGES = ("en", "ru", "kk", "pl")
FALLBACK_LANGUAGE = "en"
# The languages records need besides English, by the country of an institution involved:
# Kazakh documents are bilingual Russian and Kazakh; Polish partners read Polish.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "KZ": ("ru", "kk"),
    "RU": ("ru",),
    "BY": ("ru",),
    "KG": ("ru",),
    "PL": ("pl",),
}
# Longer than any translatable field: a translation may run a little longer than its original.
MAX_TEXT_LENGTH = 20_000


class Text(NamedTuple):
    """A text as a document prints it, and the language it is really in."""

    text: str
    language: str
    fallback: bool

    def __str__(self) -> str:
        return self.text


def original_language(record: Any) -> str:
    return getattr(record, "original_language", "") or FALLBACK_LANGUAGE


def _own(record: Any, name: str, language: str) -> str:
    """The record's text of ``name`` in exactly ``language``, or ''."""
    if language == original_language(record):
        original = getattr(record, name, "") or ""
        if original.strip():
            return original
    stored = (getattr(record, "translations", None) or {}).get(name) or {}
    text = stored.get(language) or getattr(record, f"{name}_{language}", "") or ""
    return text if text.strip() else ""


def text_in(record: Any, name: str, language: str) -> Text:
    """The record's ``name`` in ``language``; else in English, else the original.

    ``fallback`` is true when the text printed is not in ``language`` (an empty field is no
    fallback: there is nothing to translate).
    """
    own = _own(record, name, language)
    if own:
        return Text(own, language, False)
    english = _own(record, name, FALLBACK_LANGUAGE)
    if english:
        return Text(english, FALLBACK_LANGUAGE, True)
    original = getattr(record, name, "") or ""
    return Text(original, original_language(record), bool(original.strip()))


def languages_of(record: Any, name: str) -> list[str]:
    """The languages the record has ``name`` in."""
    return [language for language in LANGUAGES if _own(record, name, language)]


def missing_languages(record: Any, name: str, needed: Iterable[str]) -> list[str]:
    """The needed languages ``name`` has no text in (none when the field itself is empty)."""
    if not (getattr(record, name, "") or "").strip():
        return []
    have = set(languages_of(record, name))
    return [language for language in needed if language not in have]


def language_list(codes: Iterable[str], language: str | None = None) -> str:
    """'Kazakh, Polish': the languages named in the reader's (or the given) language."""
    names = [cldr.language_name(code, language) for code in codes]
    return ", ".join(name[:1].upper() + name[1:] for name in names)


# --- Writing --------------------------------------------------------------------------------


def clean_changes(model: type[models.Model], changes: Any) -> dict[str, dict[str, str]]:
    """Check a ``{field: {language: text}}`` change; a clear error names what is wrong."""
    fields = getattr(model, "translatable_fields", ())
    if not isinstance(changes, Mapping):
        raise ValidationError(
            _("Translations are an object of fields, each with its texts by language."),
            code="invalid_translations",
        )
    cleaned: dict[str, dict[str, str]] = {}
    for name, texts in changes.items():
        if name not in fields:
            raise ValidationError(
                _("“%(field)s” has no translations; translatable fields: %(fields)s."),
                code="invalid_translations",
                params={"field": name, "fields": ", ".join(fields)},
            )
        if not isinstance(texts, Mapping):
            raise ValidationError(
                _("The translations of “%(field)s” are an object of texts by language."),
                code="invalid_translations",
                params={"field": name},
            )
        for language, text in texts.items():
            if language not in LANGUAGES:
                raise ValidationError(
                    _("“%(language)s” is not a language of UniBridge; use one of %(languages)s."),
                    code="invalid_translations",
                    params={"language": language, "languages": ", ".join(LANGUAGES)},
                )
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise ValidationError(
                    _("The %(language)s text of “%(field)s” must be a string."),
                    code="invalid_translations",
                    params={"language": language, "field": name},
                )
            limit = _max_length(model, name)
            if len(text.strip()) > limit:
                raise ValidationError(
                    _(
                        "The %(language)s text of “%(field)s” has %(length)s characters; "
                        "at most %(limit)s are allowed."
                    ),
                    code="invalid_translations",
                    params={
                        "language": language,
                        "field": name,
                        "length": len(text.strip()),
                        "limit": limit,
                    },
                )
            cleaned.setdefault(name, {})[language] = text.strip()
    return cleaned


def _max_length(model: type[models.Model], name: str) -> int:
    try:
        limit = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    except Exception:  # a property of the model rather than a field
        limit = None
    return int(limit or MAX_TEXT_LENGTH)


def apply_changes(record: Any, changes: Any) -> bool:
    """Merge a change into the record's translations (not saved); an empty text removes one.

    Only the languages named change: ``{"purpose": {"kk": "…"}}`` leaves the Russian purpose
    as it was. A field with columns (``title_ru``) is written to its column. Returns whether
    anything changed.
    """
    cleaned = clean_changes(type(record), changes)
    stored: dict[str, dict[str, str]] = {
        name: dict(texts) for name, texts in (record.translations or {}).items()
    }
    changed = False
    for name, texts in cleaned.items():
        for language, text in texts.items():
            column = f"{name}_{language}"
            if hasattr(record, column) and not isinstance(
                getattr(type(record), column, None), property
            ):
                if getattr(record, column) != text:
                    setattr(record, column, text)
                    changed = True
                continue
            current = stored.get(name, {}).get(language, "")
            if current == text:
                continue
            changed = True
            if text:
                stored.setdefault(name, {})[language] = text
            else:
                stored.get(name, {}).pop(language, None)
    record.translations = {name: texts for name, texts in stored.items() if texts}
    return changed


def as_dict(record: Any) -> dict[str, dict[str, str]]:
    """Every translation of the record (JSON and columns), as the API returns them."""
    result: dict[str, dict[str, str]] = {}
    for name in getattr(record, "translatable_fields", ()):
        texts = {language: _stored(record, name, language) for language in LANGUAGES}
        if any(texts.values()):
            result[name] = {language: text for language, text in texts.items() if text}
    return result


def _stored(record: Any, name: str, language: str) -> str:
    stored = (getattr(record, "translations", None) or {}).get(name) or {}
    return stored.get(language) or getattr(record, f"{name}_{language}", "") or ""


# --- What documents fell back on --------------------------------------------------------------


@dataclass(frozen=True)
class Fallback:
    """One text a document printed in another language than its own."""

    # such as "Purpose of the visit"; a callable is read when the list is shown, in the
    # reader's language (a document's version is built in its own language)
    what: str | Callable[[], str]
    language: str  # the document's language
    used: str  # the language printed instead
    text: str

    @property
    def label(self) -> str:
        return str(self.what() if callable(self.what) else self.what)


@dataclass
class Fallbacks:
    """The fallbacks of one document, collected while its texts are read.

    ``mark`` prefixes each fallback with its language (``[EN] …``) so that the author sees it
    in the draft before the document is final.
    """

    mark: bool = True
    items: list[Fallback] = field(default_factory=list)
    _seen: set[tuple] = field(default_factory=set, repr=False)

    def text(
        self, record: Any, name: str, language: str, what: str | Callable[[], str] = ""
    ) -> str:
        found = text_in(record, name, language)
        if not found.fallback:
            return found.text
        key = (type(record), getattr(record, "pk", None) or id(record), name, language)
        if key not in self._seen:
            self._seen.add(key)
            label = what or _field_label(record, name)
            self.items.append(Fallback(label, language, found.language, found.text))
        return marked(found) if self.mark else found.text

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def summary(self) -> str:
        """'3 texts fall back to English: purpose (ru), …' for the page that generates."""
        if not self.items:
            return ""
        by_language: dict[str, list[Fallback]] = {}
        for item in self.items:
            by_language.setdefault(item.used, []).append(item)
        parts = []
        for used, items in by_language.items():
            listed = "; ".join(
                f"{item.label} ({cldr.language_name(item.language)})" for item in items
            )
            parts.append(
                ngettext(
                    "%(count)s text falls back to %(language)s: %(texts)s.",
                    "%(count)s texts fall back to %(language)s: %(texts)s.",
                    len(items),
                )
                % {
                    "count": len(items),
                    "language": language_list([used]),
                    "texts": listed,
                }
            )
        return " ".join(parts)


def marked(found: Text) -> str:
    """A fallback text with its language in front, as a draft shows it: ``[EN] Round table``."""
    return f"[{found.language.upper()}] {found.text}"


def _field_label(record: Any, name: str) -> str:
    try:
        label = str(record._meta.get_field(name).verbose_name)
    except Exception:
        label = name
    return label[:1].upper() + label[1:]


def content_hash(value: Any) -> str:
    """SHA-256 of a JSON-able value (dates as ISO text): equal inputs give equal hashes."""
    encoded = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def take_from(record: Any, values: dict[str, Any]) -> dict[str, list[str]]:
    """Pop ``translations`` from a service's named values and merge it into the record.

    Answers the errors under ``translations`` (empty when there are none), for the service to
    report with the others.
    """
    changes: dict[str, dict[str, str]] = {}
    # a form's inputs, named translations.<field>.<language> (core.translation_forms)
    for key in [key for key in values if key.startswith("translations.")]:
        name, _dot, language = key.removeprefix("translations.").rpartition(".")
        changes.setdefault(name, {})[language] = values.pop(key) or ""
    if "translations" not in values and not changes:
        return {}
    given = values.pop("translations", None) or {}
    try:
        if not isinstance(given, Mapping):
            clean_changes(type(record), given)  # refused with the message of its shape
        for name, texts in given.items():
            changes[name] = (
                {**changes.get(name, {}), **texts} if isinstance(texts, Mapping) else texts
            )
        apply_changes(record, changes)
    except ValidationError as error:
        return {"translations": error.messages}
    return {}
