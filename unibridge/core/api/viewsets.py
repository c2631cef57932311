"""RecordViewSet: one kind of record over the JSON API, through the same forms as its pages.

Reads reuse the pages' selectors and filter sets. Writes reuse the pages' forms, so every rule
lives in one place, and then go through ``core.services.save_record``: the audit trail names the
API user and a stale ``version`` answers 409. Like the pages, a record the user may not see
answers 404 and one they see but may not change answers 403.
"""

import datetime
from collections.abc import Callable
from uuid import UUID

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
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

from unibridge.core.forms import LinesField
from unibridge.core.permissions import is_editable
from unibridge.core.services import EditConflict, delete_record, save_record

from .errors import ERRORS, ErrorSerializer, api_errors, conflict_serializer
from .parsers import JSONParser

# --- Lists ---------------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class StableOrderingFilter(OrderingFilter):
    """Orders as asked, then by primary key, so pages never repeat or skip tied rows."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or ())
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return ordering


# --- Page forms fed with JSON --------------------------------------------------------------------


CHOICE_NOT_ALLOWED = gettext_lazy(
    "“%(value)s” cannot be chosen here: it belongs elsewhere or is outside what you may change."
)


def form_value(field: forms.Field, value):
    """A Python value (a record, list, date, …) as the form would receive it from a browser."""
    if value is None:
        return ""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [str(item.uuid) for item in value]
    if isinstance(field, forms.ModelChoiceField):
        return str(value.uuid)
    if isinstance(field, LinesField):
        return "\n".join(value)
    if isinstance(field, forms.MultipleChoiceField):
        return list(value)
    if isinstance(field, forms.BooleanField):
        return bool(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def has_public_id(field: forms.Field) -> bool:
    """Whether the field is plain or chooses records that have a public UUID."""
    if not isinstance(field, forms.ModelChoiceField):
        return True
    return any(f.name == "uuid" for f in field.queryset.model._meta.get_fields())


def use_public_ids(form: forms.Form) -> forms.Form:
    """Let the form's record choices take public UUIDs; integer keys never leave the server.

    Choices of records without a public id (such as the user account linked to a person)
    are not part of the API: their fields are dropped, so saving leaves them as they are.
    """
    for name, field in list(form.fields.items()):
        if not has_public_id(field):
            del form.fields[name]
        elif isinstance(field, forms.ModelChoiceField):
            field.to_field_name = "uuid"
            field.error_messages["invalid_choice"] = CHOICE_NOT_ALLOWED
    return form


# --- Schema --------------------------------------------------------------------------------------


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
            request=input_,
            responses={200: output, **write, 409: conflict},
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of one of the {plural}",
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

    Writes: the input serializer checks the JSON, ``prepare`` applies what the page's URL or
    view would decide (such as the institution of a new unit), the page form validates the
    record as it would be after the change, and ``save_record`` saves it.
    """

    model: type[Model]
    output_serializer: type[serializers.Serializer]
    # A lighter representation for list rows, when the full one is too heavy for 50 at a time.
    list_serializer: type[serializers.Serializer] | None = None
    input_serializer: type[serializers.Serializer]
    form_class: type[forms.ModelForm]
    m2m_fields: tuple[str, ...] = ()
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
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

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
        try:
            record = self.write(self.get_editable_object(), partial=partial)
        except EditConflict as conflict:
            return Response(
                {
                    "error": "conflict",
                    "detail": str(conflict),
                    "current": self.represent(conflict.current),
                },
                status=status.HTTP_409_CONFLICT,
            )
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

    def write(self, instance: Model, *, partial: bool) -> Model:
        user = self.request.user
        serializer = self.input_serializer(
            instance=instance if instance.pk else None,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        self.prepare(instance, values)
        data = {
            name: form_value(
                field, values[name] if name in values else self.current(instance, name)
            )
            for name, field in self.form_class.base_fields.items()
            if name != "version" and has_public_id(field)
        }
        form = use_public_ids(self.form_class(data=data, instance=instance, user=user))
        errors = api_errors(form.errors, form.instance)
        if errors:
            raise ValidationError(errors)
        record = form.save(commit=False)
        self.finish(record, values)
        try:
            save_record(
                instance=record,
                user=user,
                m2m=self.m2m_values(form, instance),
                expected_updated=version,
            )
        except DjangoValidationError as error:
            raise ValidationError(
                api_errors(
                    getattr(error, "message_dict", {NON_FIELD_ERRORS: error.messages}), record
                )
            ) from None
        return record

    def prepare(self, instance: Model, values: dict) -> None:
        """Apply to the record what the page's URL or view decides (checks included)."""

    def current(self, instance: Model, name: str):
        """The stored value of a field the request leaves out."""
        field = instance._meta.get_field(name)
        if field.many_to_many:
            return list(getattr(instance, name).all()) if instance.pk else []
        return getattr(instance, name)

    def finish(self, record: Model, values: dict) -> None:
        """Last touches to the record between the form and the save."""

    def m2m_values(self, form: forms.ModelForm, instance: Model) -> dict:
        return {name: form.cleaned_data[name] for name in self.m2m_fields}
