"""Answers and schema pieces shared by the visits and meetings API views."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from unibridge.core.api.errors import ERRORS, ErrorSerializer, api_errors, conflict_serializer
from unibridge.core.services import EditConflict
from unibridge.institutions.models import Person
from unibridge.visits import services

READ_ONLY = gettext_lazy("You may read this record but not change it.")
UUID_PATTERN = "[0-9a-fA-F-]{36}"

# --- Answers shared by the resources -------------------------------------------------------------


def conflict_answer(conflict: EditConflict, current: dict) -> Response:
    """409 to a stale version: core's conflict body with the record as it is stored now."""
    return Response(
        {"error": "conflict", "detail": str(conflict), "current": current},
        status=status.HTTP_409_CONFLICT,
    )


def transition_answer(error: services.TransitionError) -> Response:
    return Response(
        {"error": "invalid_transition", "detail": error.messages[0]},
        status=status.HTTP_409_CONFLICT,
    )


def protected_answer(detail: str) -> Response:
    return Response({"error": "protected", "detail": detail}, status=status.HTTP_409_CONFLICT)


def service_errors(
    error: DjangoValidationError, record: Model, names: dict[str, str] | None = None
) -> ValidationError:
    """A service's refusal as the API's 400, its fields named as the request names them."""
    messages = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    names = names or {}
    return ValidationError(
        api_errors({names.get(name, name): m for name, m in messages.items()}, record)
    )


def form_errors(form, names: dict[str, str] | None = None) -> ValidationError:
    """A page form's errors as the API's 400, its fields named as the request names them."""
    names = names or {}
    errors: dict[str, list] = {}
    for name, messages in form.errors.items():
        errors.setdefault(names.get(name, name), []).extend(messages)
    return ValidationError(api_errors(errors, form.instance))


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's errors with a nested object's named ``new_person.name_native``."""
    result: dict[str, list[str]] = {}
    for name, value in errors.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            result.update(flat_errors(value, key))
        else:
            result[key] = [str(message) for message in value]
    return result


def valid_input(view, serializer_class, *, partial: bool = False) -> dict:
    serializer = serializer_class(
        data=view.request.data, partial=partial, context=view.get_serializer_context()
    )
    if not serializer.is_valid():
        raise ValidationError(flat_errors(serializer.errors))
    return dict(serializer.validated_data)


def stored(record: Model, name: str):
    """A field's stored value for the form (None for a relation not set yet)."""
    field = type(record)._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(record, name).all()) if record.pk else []
    if field.is_relation and getattr(record, field.attname) is None:
        return None
    return getattr(record, name)


def visible_people(people: QuerySet, user) -> list[Person]:
    return list(people.filter(pk__in=Person.objects.visible_to(user).values("pk")))


def hidden_people(people: QuerySet, user) -> list[Person]:
    """People of a record the user may not see: a change never drops them unseen."""
    return list(people.exclude(pk__in=Person.objects.visible_to(user).values("pk")))


def conflict_response(output: type, name: str) -> OpenApiResponse:
    return OpenApiResponse(
        conflict_serializer(output, name),
        description=gettext_lazy("The record changed since 'version'; nothing was written."),
    )


TRANSITION_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("The visit's status does not allow this action (invalid_transition)."),
)
PROTECTED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The visit's status does not allow deleting it (invalid_transition), or it has "
        "meetings (protected)."
    ),
)
READ = {401: ERRORS[401], 404: ERRORS[404]}
# the fields a change may name; those it leaves out keep their stored values
VISIT_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The visit's id."
)
PARTICIPANT_ID = OpenApiParameter(
    "participant_id", int, OpenApiParameter.PATH, description="The participant's id."
)
ITEM_ID = OpenApiParameter(
    "item_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The programme item's id."
)
