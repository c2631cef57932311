"""Writes shared by every app: validated, atomic, audited, never silently overwriting.

HTML views, the API, imports and management commands all save domain records through
these functions so that the audit trail names the user and concurrent edits are caught.
"""

import contextlib
import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from auditlog.context import auditlog_value, set_actor
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .models import ListColumns
from .types import User

# The record type a write takes and gives back (a save returns the model it was given).
M = TypeVar("M", bound=models.Model)

# A record chosen where it may not be (another institution's unit, a unit outside the user's
# scope): the same words wherever the rule is checked, the pages' forms, services or the API.
CHOICE_NOT_ALLOWED = _(
    "“%(value)s” cannot be chosen here: it belongs elsewhere or is outside what you may change."
)


# A required value left empty: the words of the pages' forms, wherever the rule is checked.
REQUIRED = forms.Field.default_error_messages["required"]


def normalized_url(value: str) -> str:
    """A web address as the pages' forms store it: https:// assumed when it has no scheme.

    Raises ValidationError ("Enter a valid URL.") for what is no address.
    """
    return str(forms.URLField(assume_scheme="https", required=False).clean(value or ""))


def not_allowed(record: models.Model) -> ValidationError:
    """The error of a record chosen where it may not be, naming it by its public id."""
    return ValidationError(
        CHOICE_NOT_ALLOWED, code="invalid_choice", params={"value": getattr(record, "uuid", record)}
    )


class EditConflict(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, current: models.Model):
        super().__init__(_("This record was changed by someone else since you opened it."))
        self.current = current


def lock_record(record: M, *, expected_updated: datetime.datetime | None = None) -> M:
    """The record as stored now, locked until the transaction ends (call inside one).

    A change built from this row, rather than from one read before the lock, cannot undo a
    concurrent writer's change. A stale ``expected_updated`` raises :class:`EditConflict`.
    """
    current = type(record)._base_manager.select_for_update().get(pk=record.pk)
    # Every record the services write is a TimeStampedModel (it has ``updated``).
    if expected_updated is not None and current.updated != expected_updated:  # type: ignore[attr-defined]
        raise EditConflict(current)
    return current


@contextlib.contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Name ``user`` as the actor of the audit entries written inside the block.

    auditlog's set_actor does not restore an outer context (the request middleware's), which
    would leave the middleware's signal receiver connected forever and drop the remote
    address; this wrapper keeps the outer context's address and restores it afterwards.
    """
    outer = auditlog_value.get(None)
    remote = outer or {}
    try:
        with set_actor(
            user, remote_addr=remote.get("remote_addr"), remote_port=remote.get("remote_port")
        ):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


@transaction.atomic
def save_record(
    *,
    instance: M,
    user: User,
    m2m: Mapping[str, Iterable[Any]] | None = None,
    expected_updated: datetime.datetime | None = None,
    exclude_validation: Iterable[str] = (),
) -> M:
    """Validate and save a record (and its many-to-many sets) as one audited change.

    ``expected_updated`` is the ``updated`` timestamp the user's form was built from; when the
    stored record is newer, :class:`EditConflict` is raised and nothing is written. Without it
    the caller must have built ``instance`` from :func:`lock_record` in the same transaction
    (as the API's PATCH does), or the save may undo a concurrent change.
    """
    if instance.pk and expected_updated is not None:
        lock_record(instance, expected_updated=expected_updated)
    instance.full_clean(exclude=list(exclude_validation) or None)
    with acting_as(user):
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
    return instance


@transaction.atomic
def delete_record(*, instance: models.Model, user: User) -> None:
    """Delete a record as an audited change (protected relations raise ProtectedError)."""
    with acting_as(user):
        instance.delete()


# --- Validation with the caller's own rules -------------------------------------------------------


def unique_constraint_errors(instance: models.Model) -> dict[str, list[str]]:
    """Duplicates of unique identifiers, each on its field rather than on the whole record.

    Checked before saving so that the answer is a field error and never an IntegrityError;
    a constraint over several fields is reported on its last one (such as ewp_ounit_id).
    """
    errors: dict[str, list[str]] = {}
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
            continue
        try:
            constraint.validate(type(instance), instance)
        except ValidationError as error:
            errors.setdefault(constraint.fields[-1], []).extend(error.messages)
    return errors


def validate_record(
    instance: models.Model,
    *,
    errors: Mapping[str, Iterable] | None = None,
    exclude: Iterable[str] = (),
) -> None:
    """full_clean() plus the errors a service's own rules found: one ValidationError of all.

    A field the service already refused keeps only that error (as a form stops at a field's
    first failure); duplicates of unique identifiers are named on their field. ``exclude``:
    fields left unchecked because a refused value they depend on could not be applied.
    """
    found: dict[str, list] = {}
    for name, messages in (errors or {}).items():
        found[name] = list(ValidationError(list(messages)).messages)
    try:
        instance.full_clean(exclude=[*found, *exclude] or None)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            if name not in found or name == NON_FIELD_ERRORS:
                found.setdefault(name, []).extend(messages)
    if NON_FIELD_ERRORS in found:
        for name, messages in unique_constraint_errors(instance).items():
            general = [m for m in found.pop(NON_FIELD_ERRORS, []) if m not in messages]
            if general:
                found[NON_FIELD_ERRORS] = general
            found[name] = list(dict.fromkeys([*found.get(name, []), *messages]))
    if found:
        raise ValidationError(found)


@transaction.atomic
def write_record(
    *,
    instance: M,
    user: User,
    m2m: Mapping[str, Iterable[Any]] | None = None,
    errors: Mapping[str, Iterable[Any]] | None = None,
    exclude: Iterable[str] = (),
) -> M:
    """Validate (with the caller's rule errors) and save a record as one audited change.

    For services that have locked the row themselves (:func:`lock_record`) and checked their
    own rules; ``errors`` are those rules' findings, reported along with the model's.
    """
    validate_record(instance, errors=errors, exclude=exclude)
    with acting_as(user):
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
    return instance


# --- A user's choice of list columns --------------------------------------------------------------


@transaction.atomic
def list_columns_choose(*, user: User, list_name: str, columns: Iterable[str]) -> ListColumns:
    """Remember which columns of a list the user sees (the list view checks the keys)."""
    # the row of the user's list, locked: two tabs choosing at once leave one choice
    choice = ListColumns.objects.select_for_update().filter(user=user, list_name=list_name).first()
    if choice is None:
        choice = ListColumns(user=user, list_name=list_name)
    choice.columns = list(dict.fromkeys(columns))
    return save_record(instance=choice, user=user)
