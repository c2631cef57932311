"""The base of the API's input serializers, and the references every resource answers with.

JSON types are checked before the values.

DRF's CharField takes a JSON number and keeps its string (``12`` becomes ``"12"``), so a
client's mistake is stored instead of reported; an InputSerializer refuses anything but a
string in a text field, also inside lists, and a non-finite number in a number field.
"""

import math
from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.utils import html


def json_type(value) -> str:
    """What the value is, in JSON's words: "a number", "a list"…"""
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return _("another kind of value")


def _is_finite(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return True  # the field itself refuses what is no number
    try:
        return math.isfinite(float(value))
    except (ValueError, OverflowError):
        return True  # not a number at all: the field says so


def type_error(field: serializers.Field, value) -> str | None:
    """Why the JSON type of ``value`` does not suit ``field``, or ``None`` when it does."""
    if value is None:
        return None  # the field's allow_null answers
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return _("Expected text, got %(type)s.") % {"type": json_type(value)}
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for index, item in enumerate(value, start=1):
            if message := type_error(field.child, item):
                return _("Item %(index)s: %(message)s") % {"index": index, "message": message}
    if isinstance(field, serializers.FloatField | serializers.DecimalField) and not _is_finite(
        value
    ):
        return _("Expected a finite number, got %(value)s.") % {"value": str(value)[:40]}
    return None


class InputSerializer(serializers.Serializer):
    """A Serializer for request bodies whose fields refuse values of the wrong JSON type."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping) or html.is_html_input(data):
            return super().to_internal_value(data)  # form data: every value is text anyway
        wrong = {
            field.field_name: [message]
            for field in self._writable_fields
            if field.field_name in data and (message := type_error(field, data[field.field_name]))
        }
        if not wrong:
            return super().to_internal_value(data)
        # The other fields' errors are reported along with these, as DRF reports all at once.
        try:
            super().to_internal_value({k: v for k, v in data.items() if k not in wrong})
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **wrong}) from None
        raise serializers.ValidationError(wrong)


# --- References to records of other resources ----------------------------------------------------


class InstitutionRefSerializer(serializers.Serializer):
    """An institution named by its public id, with its name for display."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class PersonRefSerializer(serializers.Serializer):
    """A person named by its public id, with their name for display."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
