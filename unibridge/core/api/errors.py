"""The API's one error shape: the exception handler, 409 answers, schema and errors by field."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from unibridge.core.services import unique_constraint_errors


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Errors answer {"error": code, "detail": message, "fields": {field: [messages]}}."""
    if isinstance(exc, DjangoValidationError):
        # a service's errors: the record as a whole is named as DRF names it
        exc = exceptions.ValidationError(
            {
                ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
                for name, messages in exc.message_dict.items()
            }
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc).splitlines()[0]]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": "invalid",
            "detail": "The request has invalid fields; see 'fields'.",
            "fields": flat_errors(response.data),
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"error": code, "detail": str(detail)}
    return response


def flat_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's errors as {name: [messages]}, the shape ErrorSerializer declares.

    Errors inside nested objects and lists are named by their path: ``new_person.name_native``,
    ``parties[1].institution``; an error of a nested object as a whole is named after it.
    """
    if isinstance(errors, dict):
        result: dict[str, list[str]] = {}
        for name, value in errors.items():
            if name == "non_field_errors" and prefix:
                key = prefix
            elif isinstance(name, int) or (prefix and str(name).isdigit()):  # list items
                key = f"{prefix}[{name}]"
            else:
                key = f"{prefix}.{name}" if prefix else str(name)
            for flat_name, messages in flat_errors(value, key).items():
                result.setdefault(flat_name, []).extend(messages)
        return result
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        result = {}
        for position, item in enumerate(errors):
            if item:
                for flat_name, messages in flat_errors(item, f"{prefix}[{position}]").items():
                    result.setdefault(flat_name, []).extend(messages)
        return result
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


# --- Answers of a refused change ------------------------------------------------------------------


def conflict_answer(conflict: Exception, current: dict) -> Response:
    """409 to a stale version: the conflict and the record as it is stored now."""
    return Response(
        {"error": "conflict", "detail": str(conflict), "current": current},
        status=status.HTTP_409_CONFLICT,
    )


def transition_answer(error: DjangoValidationError) -> Response:
    """409 to an action the record's status does not allow (a service's TransitionError)."""
    return Response(
        {"error": "invalid_transition", "detail": error.messages[0]},
        status=status.HTTP_409_CONFLICT,
    )


def protected_answer(detail: str) -> Response:
    """409 to a deletion that other records (or the record's status) prevent."""
    return Response({"error": "protected", "detail": detail}, status=status.HTTP_409_CONFLICT)


# --- Schema of the error answers -----------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every failure answers in this shape; 'fields' only for invalid input."""

    error = serializers.CharField(help_text=_("A short code: invalid, not_found, conflict, …"))
    detail = serializers.CharField()
    # the answer's key is 'fields', which is also the name of Serializer's own mapping
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Messages per field; 'non_field_errors' for the record as a whole."),
    )


def conflict_serializer(output: type[serializers.Serializer], name: str) -> type:
    """409 answer to a stale 'version': the conflict and the record as it is stored now."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": "The record changed since the client read it; nothing was written.",
            "error": serializers.CharField(),
            "detail": serializers.CharField(),
            "current": output(),
        },
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Invalid input.")),
    401: OpenApiResponse(ErrorSerializer, description=_("Not signed in.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Not allowed.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such record.")),
}


# --- Form and model errors, by field -------------------------------------------------------------


def api_errors(errors: dict[str, list[str]], instance: Model) -> dict[str, list[str]]:
    """Form or model errors in the API's shape, duplicates named on their field."""
    result = {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
        for name, messages in errors.items()
    }
    for name, messages in unique_constraint_errors(instance).items():
        general = [m for m in result.pop("non_field_errors", []) if m not in messages]
        if general:
            result["non_field_errors"] = general
        result[name] = list(dict.fromkeys([*result.get(name, []), *messages]))
    return result
