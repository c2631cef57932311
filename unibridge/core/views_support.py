"""Small helpers the apps' function views share: access, error reporting, redirects.

Outsiders to a record get 404 and readers who may not change it 403; a service's refusal is
shown as messages on the record's page, 409 when its status does not allow the action and 400
for bad input.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404

from .crud import RecordDetailView
from .permissions import is_editable

CONFLICT, BAD_REQUEST = 409, 400


def visible_or_404(queryset: QuerySet, uuid) -> Any:
    """The record of this UUID among those the user sees (the queryset), else 404."""
    return get_object_or_404(queryset, uuid=uuid)


def editable_or_403(queryset: QuerySet, uuid, user) -> Any:
    """The record if the user may change it: 404 when they may not see it, 403 otherwise."""
    record = visible_or_404(queryset, uuid)
    if not is_editable(record, user):
        raise PermissionDenied
    return record


def error_status(error: ValidationError, conflict: type[ValidationError]) -> int:
    """409 for a refusal by status (the app's ``conflict`` error), 400 for bad input."""
    return CONFLICT if isinstance(error, conflict) else BAD_REQUEST


def report_errors(request: HttpRequest, error: ValidationError) -> None:
    """Show each of a service's reasons as an error message."""
    for message in error.messages:
        messages.error(request, message)


def report_form_errors(request: HttpRequest, form: Form) -> None:
    """Show each of a bound form's errors as an error message."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def refused_page(
    view_class: type[RecordDetailView], request: HttpRequest, record: Model,
    error: ValidationError, *, conflict: type[ValidationError], tab: str = "overview",
    **extra: Any,
) -> HttpResponse:  # fmt: skip
    """The record's page (a tab of ``view_class``) with the service's reasons as messages.

    409 when the error is the app's ``conflict`` (its status does not allow the action), 400
    otherwise; ``extra`` reaches the tab's context through the view's ``extra_context``. Apps
    bind the first argument: ``partial(refused_page, AgreementDetailView, conflict=…)``.
    """
    report_errors(request, error)
    view = view_class()
    view.setup(request, uuid=record.uuid)
    view.extra_context = extra  # type: ignore[attr-defined]
    response = view.get(request, uuid=record.uuid, tab=tab)
    response.status_code = error_status(error, conflict)
    return response


def add_service_errors(
    form: Form, error: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """Show a service's errors at the form's fields (named as the form names them)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (renamed or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def see_other(url: str) -> HttpResponseRedirect:
    """A 303 redirect: the browser follows a POST's answer with a GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def saved_upload(
    request: HttpRequest, form: Form, *, require_editor: Callable[[], None],
    save: Callable[[dict[str, Any]], Any],
) -> Any | None:  # fmt: skip
    """What ``save`` made of a valid upload form, or None with the errors reported.

    An invalid form is checked for the right to change first (``require_editor`` raises 403),
    so a reader posting no file learns they may not upload rather than that the file is missing.
    """
    if not form.is_valid():
        require_editor()
        report_form_errors(request, form)
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        report_errors(request, error)
        return None
