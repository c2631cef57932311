"""Writes shared by every app: validated, atomic, audited, never silently overwriting.

HTML views, the API, imports and management commands all save domain records through
these functions so that the audit trail names the user and concurrent edits are caught.
"""

import contextlib
import datetime
from collections.abc import Iterable, Iterator, Mapping

from auditlog.context import auditlog_value, set_actor
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, current: models.Model):
        super().__init__(_("This record was changed by someone else since you opened it."))
        self.current = current


def lock_record(
    record: models.Model, *, expected_updated: datetime.datetime | None = None
) -> models.Model:
    """The record as stored now, locked until the transaction ends (call inside one).

    A change built from this row, rather than from one read before the lock, cannot undo a
    concurrent writer's change. A stale ``expected_updated`` raises :class:`EditConflict`.
    """
    current = type(record)._base_manager.select_for_update().get(pk=record.pk)
    if expected_updated is not None and current.updated != expected_updated:
        raise EditConflict(current)
    return current


@contextlib.contextmanager
def acting_as(user) -> Iterator[None]:
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
    instance: models.Model,
    user,
    m2m: Mapping[str, Iterable] | None = None,
    expected_updated: datetime.datetime | None = None,
    exclude_validation: Iterable[str] = (),
) -> models.Model:
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
def delete_record(*, instance: models.Model, user) -> None:
    """Delete a record as an audited change (protected relations raise ProtectedError)."""
    with acting_as(user):
        instance.delete()
