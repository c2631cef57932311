"""The form side of :mod:`unibridge.core.translations`: one input per language a record needs.

A form of a translatable record calls :meth:`TranslationsFormMixin.add_translation_fields`
with the languages its documents are written in (:func:`needed_languages`: English and the
parties' languages). Under each translatable field it then shows one input per needed
language (named ``translations.<field>.<language>``, so a form's values reach the service,
which merges them with :func:`unibridge.core.translations.take_from`), and the field's hint
says which languages are still missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .translations import (
    COUNTRY_LANGUAGES,
    FALLBACK_LANGUAGE,
    LANGUAGES,
    language_list,
    missing_languages,
    original_language,
)

PREFIX = "translations."


def needed_languages(institutions: Iterable[Any]) -> list[str]:
    """English and the languages of the institutions' countries (Kazakhstan: Russian and
    Kazakh; Poland: Polish…), in the institutions' order; country codes do as well."""
    languages = [FALLBACK_LANGUAGE]
    for institution in institutions:
        if institution is None:
            continue
        country = getattr(institution, "country", institution)
        languages.extend(COUNTRY_LANGUAGES.get(str(country or ""), ()))
    return list(dict.fromkeys(languages))


def field_name(name: str, language: str) -> str:
    return f"{PREFIX}{name}.{language}"


class TranslationsFormMixin(forms.BaseForm):
    """Inputs for a record's texts in the languages it needs, under each translatable field."""

    translation_languages: list[str]

    def add_translation_fields(
        self, languages: Sequence[str], *, names: Iterable[str] | None = None
    ) -> None:
        """Add the inputs for ``languages`` (those not the original's) under ``names`` (by
        default every translatable field of the record that the form shows)."""
        instance = getattr(self, "instance", None)
        model = type(instance)
        original = original_language(instance)
        self.translation_languages = [code for code in languages if code in LANGUAGES]
        candidates: Iterable[str] = names or getattr(model, "translatable_fields", None) or ()
        wanted = [name for name in candidates if name in self.fields]
        stored = getattr(instance, "translations", None) or {}
        fields: dict[str, forms.Field] = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name not in wanted:
                continue
            missing = missing_languages(instance, name, self.translation_languages)
            if missing and instance is not None and instance.pk:
                hint = _("Missing: %(languages)s.") % {"languages": language_list(missing)}
                field.help_text = f"{field.help_text} {hint}".strip()
            for language in self.translation_languages:
                if language == original:
                    continue
                fields[field_name(name, language)] = self._translation_field(
                    field,
                    language,
                    (stored.get(name) or {}).get(language, "")
                    or getattr(instance, f"{name}_{language}", ""),
                )
        self.fields = fields

    def _translation_field(self, source: forms.Field, language: str, initial: str) -> forms.Field:
        is_text = isinstance(source.widget, forms.Textarea)
        attrs = {"lang": language, "class": "form-control form-control-sm"}
        widget = (
            forms.Textarea(attrs={**attrs, "rows": 2}) if is_text else forms.TextInput(attrs=attrs)
        )
        field = forms.CharField(
            # the language first: a label such as "Russian: Title" is told from "Title" apart
            label=_("%(language)s: %(field)s")
            % {"field": source.label, "language": language_list([language])},
            required=False,
            max_length=getattr(source, "max_length", None),
            widget=widget,
            initial=initial,
            strip=True,
            disabled=source.disabled,
        )
        # the page shows it as part of the group under its field (core/partials/form_fields)
        field.translation_of = source  # type: ignore[attr-defined]
        return field

    def translations(self) -> dict[str, dict[str, str]]:
        """The valid form's translations as the services take them: {field: {language: text}}."""
        result: dict[str, dict[str, str]] = {}
        for key, value in self.cleaned_data.items():
            if key.startswith(PREFIX):
                name, _dot, language = key[len(PREFIX) :].rpartition(".")
                result.setdefault(name, {})[language] = value or ""
        return result
