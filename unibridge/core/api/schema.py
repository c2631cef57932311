"""The OpenAPI schema's generator (settings: DEFAULT_SCHEMA_CLASS): drf-spectacular's, made to
declare what the API answers in three places where it guesses otherwise.

- A method field whose method may return None (``-> str | None``) is nullable, also when
  ``@extend_schema_field`` names its type (``OpenApiTypes.UUID``): the type says what a value
  is, the annotation whether there may be none.
- A web or e-mail address left empty answers "": as for input fields with allow_blank, the
  schema admits the empty string beside the format ("" is no "uri").
- A list answers 404 for a page below 1 or past the last one (DRF's paging): every paged list
  declares it.

The conformance test (tests/test_api_conformance.py) checks the answers against the schema.
"""

import copy
import types
import typing

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .errors import ErrorSerializer

PAGE_NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=_("No such page: 'page' is below 1 or past the last one (Invalid page)."),
)


def may_return_none(field: serializers.SerializerMethodField) -> bool:
    """Whether the field's method is annotated to return None as well, as in ``-> str | None``."""
    method = getattr(field.parent, field.method_name, None)
    try:
        hint = typing.get_type_hints(method).get("return") if method else None
    except (NameError, TypeError):  # an annotation that cannot be resolved says nothing
        return False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return type(None) in typing.get_args(hint)
    return False


def blank_in_model(field: serializers.Field) -> bool:
    """Whether a ModelSerializer's read-only field answers "" (its model field has blank=True).

    DRF drops allow_blank from read-only fields, by which drf-spectacular admits "" beside a
    format, so the model field says it instead.
    """
    if not isinstance(field, serializers.CharField) or field.allow_blank or not field.read_only:
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not isinstance(field.source, str) or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, declaring nulls, empty strings and paging as answered."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, serializers.SerializerMethodField) and may_return_none(field):
            meta["nullable"] = True
        return meta

    def _insert_field_validators(self, field, schema):
        if blank_in_model(field):
            field = copy.copy(field)
            field.allow_blank = True
        super()._insert_field_validators(field, schema)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if (
            self.method == "GET"
            and self._is_list_view()
            and self._get_paginator() is not None
            and "404" not in responses
        ):
            responses["404"] = self._get_response_for_code(
                PAGE_NOT_FOUND, "404", direction=direction
            )
        return responses
