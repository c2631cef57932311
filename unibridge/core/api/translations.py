"""The API side of :mod:`unibridge.core.translations`: ``translations`` in and out.

Out, a record's texts in other languages: ``{"purpose": {"ru": "…", "kk": "…"}}``. In, the
same shape; only the languages named change (``{"purpose": {"kk": "…"}}`` leaves the Russian
purpose as it was), and an empty text or ``null`` removes that language. The field checks the
JSON shape; the service checks field names, languages and lengths, in the pages' words.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from unibridge.core.translations import LANGUAGES, as_dict

HELP = _(
    "Texts in other languages by field and language code (en, ru, kk, pl), such as "
    '{"purpose": {"ru": "…"}}. Only the languages named change; an empty text removes one.'
)

SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {code: {"type": "string", "nullable": True} for code in LANGUAGES},
        "additionalProperties": False,
    },
    "example": {"purpose": {"ru": "Круглый стол", "kk": "Дөңгелек үстел"}},
}


@extend_schema_field(SCHEMA)
class TranslationsField(serializers.Field):
    """A record's ``translations``: read from the whole record, written as a change."""

    default_error_messages = {
        # no braces: DRF formats these messages with str.format
        "shape": _("Expected an object of fields, each an object of texts by language code."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", HELP)
        if kwargs.get("read_only"):
            kwargs.setdefault("source", "*")
        else:
            kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, dict[str, str]]:
        return as_dict(value)

    def to_internal_value(self, data: Any) -> dict[str, dict[str, str]]:
        if not isinstance(data, dict) or not all(
            isinstance(texts, dict)
            and all(text is None or isinstance(text, str) for text in texts.values())
            for texts in data.values()
        ):
            self.fail("shape")
        return {
            name: {language: text or "" for language, text in texts.items()}
            for name, texts in data.items()
        }
