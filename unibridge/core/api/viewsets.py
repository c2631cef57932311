"""RecordViewSet: one kind of record over the JSON API, through the same services as its pages.

Reads reuse the pages' selectors and filter sets. Writes go serializer → service: the input
serializer checks the JSON, and the app's service (``create_record``/``update_record``) applies
the rules the pages' forms share with it, validates the model and saves with the API user named
in the audit trail; a stale ``version`` answers 409. Like the pages, a record the user may not
see answers 404 and one they see but may not change answers 403.

Concurrent changes are never lost: a service locks the record's row first and applies to the
row as it is then only the fields the request names; the others keep their stored values. So a
PATCH needs no ``version`` (a stale one still answers 409). A PUT must send it (428 without): a
client replacing the record must say which state it replaces.

Views of a record's parts (participants, programme items, decisions) are plain viewsets; they
share ``valid_input``, ``READ_ONLY`` and the schema pieces below.
"""

import datetime
from collections.abc import Callable
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from unibridge.core.permissions import is_editable
from unibridge.core.services import (
    EditConflict,
    delete_record,
    lock_record,
)

from .errors import ERRORS, ErrorSerializer, conflict_answer, conflict_serializer
from .parsers import JSONParser

# --- Lists ---------------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """DRF's page numbers: a page past the last one, or below 1, answers 404 (Invalid page).

    The schema declares that 404 on every paged list (``core.api.schema.AutoSchema``) and the
    numbers' range here; a page_size out of range counts as the default or the maximum.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class StableOrderingFilter(OrderingFilter):
    """Orders as asked, then by primary key, so pages never repeat or skip tied rows."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or ())
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return ordering


# --- Versions ------------------------------------------------------------------------------------


VERSION_REQUIRED_DETAIL = gettext_lazy(
    "A PUT must send the record's 'version' (its 'updated' as you last read it), or it could "
    "undo changes made since; nothing was written. Send it, or PATCH only the fields you change."
)
VERSION_REQUIRED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The PUT came without 'version' (version_required); nothing was written."
    ),
)


def version_missing(request) -> bool:
    """Whether a PUT's body leaves out the version (a body that is no object fails later)."""
    return isinstance(request.data, dict) and request.data.get("version") in (None, "")


def version_required_answer() -> Response:
    return Response(
        {"error": "version_required", "detail": str(VERSION_REQUIRED_DETAIL)},
        status=status.HTTP_428_PRECONDITION_REQUIRED,
    )


# --- Input and answers of the views that are no RecordViewSet (parts of a record) ---------------

READ_ONLY = gettext_lazy("You may read this record but not change it.")
UUID_PATTERN = "[0-9a-fA-F-]{36}"


def dotted_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's errors with a nested object's named ``new_person.name_native``."""
    result: dict[str, list[str]] = {}
    for name, value in errors.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            result.update(dotted_errors(value, key))
        else:
            result[key] = [str(message) for message in value]
    return result


def valid_input(view, serializer_class, *, partial: bool = False) -> dict:
    """The request's body checked by ``serializer_class`` (its errors answer 400)."""
    serializer = serializer_class(
        data=view.request.data, partial=partial, context=view.get_serializer_context()
    )
    if not serializer.is_valid():
        raise ValidationError(dotted_errors(serializer.errors))
    return dict(serializer.validated_data)


# --- Schema --------------------------------------------------------------------------------------

READ = {401: ERRORS[401], 404: ERRORS[404]}


def conflict_response(output: type, name: str) -> OpenApiResponse:
    """The schema of a 409 to a stale version, with the record as it is stored now."""
    return OpenApiResponse(
        conflict_serializer(output, name),
        description=gettext_lazy("The record changed since 'version'; nothing was written."),
    )


PUT_DESCRIPTION = (
    "'version' is required: without it the answer is 428 (version_required), a stale one 409 "
    "with the current record; either way nothing is written."
)
PATCH_DESCRIPTION = (
    "Only the fields sent change, under a lock on the record, so concurrent changes of other "
    "fields are kept. 'version' is optional: a stale one answers 409 with the current record."
)


def crud_schema(noun: str, plural: str, output: type, input_: type) -> Callable:
    """OpenAPI descriptions of one resource's list, read, create, update and delete."""
    conflict = OpenApiResponse(
        conflict_serializer(output, f"{noun}Conflict"),
        description=gettext_lazy("The record changed since 'version'; nothing was written."),
    )
    read = {401: ERRORS[401], 404: ERRORS[404]}
    write = {**ERRORS}
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}",
            responses={200: output, 400: ERRORS[400], 401: ERRORS[401]},
        ),
        retrieve=extend_schema(
            summary=f"Read one of the {plural}", responses={200: output, **read}
        ),
        create=extend_schema(
            summary=f"Create one of the {plural}", request=input_, responses={201: output, **write}
        ),
        update=extend_schema(
            summary=f"Update one of the {plural} (fields left out keep their values)",
            description=PUT_DESCRIPTION,
            request=input_,
            responses={200: output, **write, 409: conflict, 428: VERSION_REQUIRED},
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of one of the {plural}",
            description=PATCH_DESCRIPTION,
            request=input_,
            responses={200: output, **write, 409: conflict},
        ),
        destroy=extend_schema(
            summary=f"Delete one of the {plural}",
            responses={
                204: None,
                **ERRORS,
                409: OpenApiResponse(
                    ErrorSerializer,
                    description=gettext_lazy("Other records still depend on this one."),
                ),
            },
        ),
    )


# --- The viewset ---------------------------------------------------------------------------------


class RecordViewSet(viewsets.GenericViewSet):
    """List, read, create, update and delete one kind of record, as the pages do.

    Writes: the input serializer checks the JSON, then ``create_record`` or ``update_record``
    hands its values to the app's service, which applies the rules, validates and saves.
    """

    model: type[Model]
    output_serializer: type[serializers.Serializer]
    # A lighter representation for list rows, when the full one is too heavy for 50 at a time.
    list_serializer: type[serializers.Serializer] | None = None
    input_serializer: type[serializers.Serializer]
    # The input of a creation, when it differs from that of a change (which may leave out
    # what a creation needs, and may not name what a creation settles for good).
    create_serializer: type[serializers.Serializer] | None = None
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    parser_classes = [JSONParser]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]

    def selector(self, user) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must define selector()")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        return self.selector(self.request.user)

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer is not None:
            return self.list_serializer
        return self.output_serializer

    def get_object(self) -> Model:
        try:
            public_id = UUID(str(self.kwargs[self.lookup_url_kwarg]))
        except ValueError:
            raise NotFound from None
        return get_object_or_404(self.get_queryset(), uuid=public_id)

    def get_editable_object(self) -> Model:
        record = self.get_object()
        if not is_editable(record, self.request.user):
            raise PermissionDenied(_("You may read this record but not change it."))
        return record

    def can_create(self, user) -> bool:
        return user.can_write

    # --- reads ---

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.list_rows(page))

    def list_rows(self, records: list) -> list:
        """A page of list rows as JSON data: by default the list serializer's."""
        return self.get_serializer(records, many=True).data

    def retrieve(self, request, id=None):
        return Response(self.get_serializer(self.get_object()).data)

    def represent(self, record: Model) -> dict:
        """The saved record as the user now sees it, read back through the selector."""
        return self.get_serializer(self.get_queryset().filter(pk=record.pk).first() or record).data

    # --- writes ---

    def create(self, request):
        if not self.can_create(request.user):
            raise PermissionDenied(_("You may not create this kind of record."))
        record = self.write(self.model(), partial=False)
        return Response(self.represent(record), status=status.HTTP_201_CREATED)

    def update(self, request, id=None):
        return self.change(partial=False)

    def partial_update(self, request, id=None):
        return self.change(partial=True)

    def change(self, *, partial: bool) -> Response:
        record = self.get_editable_object()
        if not partial and version_missing(self.request):
            return version_required_answer()
        try:
            record = self.write(record, partial=partial)
        except EditConflict as conflict:
            return conflict_answer(conflict, self.represent(conflict.current))
        return Response(self.represent(record))

    def destroy(self, request, id=None):
        record = self.get_editable_object()
        try:
            delete_record(instance=record, user=request.user)
        except (ProtectedError, RestrictedError) as error:
            blocking = getattr(error, "protected_objects", None) or error.restricted_objects
            kinds = sorted({str(type(o)._meta.verbose_name_plural) for o in blocking})
            return Response(
                {
                    "error": "protected",
                    "detail": _("%(name)s cannot be deleted while it has %(related)s.")
                    % {"name": record, "related": ", ".join(kinds)},
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def lock(self, instance: Model, version: datetime.datetime | None) -> Model:
        """The record as stored now, locked for this change (inside its transaction).

        Checked again under the lock: a concurrent change may have taken it out of the user's
        reach. A stale ``version`` raises EditConflict.
        """
        current = lock_record(instance, expected_updated=version)
        if not is_editable(current, self.request.user):
            raise PermissionDenied(_("You may read this record but not change it."))
        return current

    def write(self, instance: Model, *, partial: bool) -> Model:
        input_serializer = self.input_serializer
        if instance.pk is None and self.create_serializer is not None:
            input_serializer = self.create_serializer
        serializer = input_serializer(
            instance=instance if instance.pk else None,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        try:
            if instance.pk is None:
                return self.create_record(values)
            return self.update_record(instance, values, version)
        except DjangoPermissionDenied as refusal:
            # a service's refusal says why; DRF's own answer would not
            raise PermissionDenied(*refusal.args) from None

    def create_record(self, values: dict) -> Model:
        """Create the record through the app's service (its DjangoValidationError answers 400)."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define create_record()")

    def update_record(self, instance: Model, values: dict, version) -> Model:
        """Change the fields named in ``values`` through the app's service, under a row lock."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define update_record()")
