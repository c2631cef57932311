"""Serializer fields shared by the API's input and output serializers."""

import uuid

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework import serializers


class PublicIdField(serializers.SlugRelatedField):
    """A related record named by its public UUID; only records the user may see are found."""

    default_error_messages = {
        "does_not_exist": _("No record with the id {value} exists."),
        "invalid": _("“{value}” is not a valid id (a UUID is expected)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "uuid")
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return queryset.visible_to(request.user)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        try:
            public_id = uuid.UUID(data)
        except ValueError:
            self.fail("invalid", value=data)
        try:
            return self.get_queryset().get(uuid=public_id)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", value=data)


class CountryCodeField(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 country code such as "PL" (lower case is accepted)."""

    default_error_messages = {
        "invalid_choice": _("“{input}” is not an ISO 3166-1 alpha-2 country code such as “PL”.")
    }

    def __init__(self, **kwargs):
        super().__init__(choices=list(countries), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


class FlatListField(serializers.ListField):
    """A list whose item errors are reported as one flat list of messages, duplicates dropped."""

    def run_child_validation(self, data):
        result, errors = [], []
        for item in data:
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                detail = exc.detail if isinstance(exc.detail, list) else [exc.detail]
                errors.extend(detail)
        if errors:
            raise serializers.ValidationError(errors)
        return list(dict.fromkeys(result))


def code_list(choices, **kwargs) -> FlatListField:
    """A JSON list of choice codes, checked against the choices."""
    return FlatListField(child=serializers.ChoiceField(choices=choices), **kwargs)


def text(**kwargs) -> serializers.CharField:
    """An optional text field; length and content are checked by the form and the model."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(**kwargs)


def identifier(help_text: str) -> serializers.CharField:
    return text(allow_null=True, help_text=help_text)


VERSION_HELP = _(
    "The record's “updated” timestamp as last read. When someone saved the record since, "
    "nothing is written and the answer is 409 with the current record."
)


CHANGE_VERSION_HELP = _(
    "The record's “updated” timestamp as last read. Required with PUT (428 without it); "
    "optional with PATCH, which changes only the fields it names. When someone saved the "
    "record since, nothing is written and the answer is 409 with the current record."
)


def version_field() -> serializers.DateTimeField:
    """The version of a change of a whole record: PUT must send it, PATCH may."""
    return serializers.DateTimeField(
        required=False, allow_null=True, write_only=True, help_text=CHANGE_VERSION_HELP
    )
