"""Related records read through their own model's ``visible_to(user)`` rule.

A page or an answer that shows one record shows others with it: the people of a meeting, the
agreements of a visit, an action item's owner. Each of those is read through its own model's
rule, so a confidential record never appears inside a record the user may see:

- sets (many-to-many, reverse foreign keys): :func:`visible_prefetch`, or a filter on
  :func:`visible_ids`;
- single foreign keys: :func:`annotate_visible` in the selector (it changes nothing a write
  reads), then :func:`shown` in serializers and :func:`hide_unseen` on display-only copies.

A record the user may not see is left out, never named by a placeholder: nothing of it (name,
id) reaches the page. Core knows no app: the models come as arguments.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Prefetch, QuerySet

RecordT = TypeVar("RecordT", bound=Model)
QuerySetT = TypeVar("QuerySetT", bound=QuerySet[Any])


def visible_ids(model: type[Model], user) -> QuerySet:
    """The primary keys of the model's records the user may see, as a subquery."""
    return model.objects.visible_to(user).values("pk")


def hidden_records(records: QuerySet, user) -> list:
    """Those of a record's related records the user may not see: a change never drops them.

    A change names the set as the user sees it; the records hidden from them stay in it.
    """
    return list(records.exclude(pk__in=visible_ids(records.model, user)))


def visible_prefetch(
    lookup: str, model: type[Model], user, queryset: QuerySet | None = None
) -> Prefetch:
    """A ``Prefetch`` of a related set that holds only the records the user may see.

    ``queryset`` (of ``model``) shapes the set: its ``select_related``, its order.
    """
    base = model.objects.all() if queryset is None else queryset
    if base.model is not model:
        raise TypeError(f"visible_prefetch: a queryset of {model.__name__} was expected")
    return Prefetch(lookup, queryset=base.filter(pk__in=visible_ids(model, user)))


def annotate_visible(queryset: QuerySetT, user, **relations: type[Model]) -> QuerySetT:
    """Annotate ``<name>_visible`` for each foreign key ``name=Model`` of the queryset.

    True when the key names a record the user may see, false when it names one they may not
    (or none). The foreign key itself is left as it is, so a write reading the same record
    keeps it.
    """
    flags = {
        f"{name}_visible": Exists(
            model.objects.visible_to(user).filter(pk=OuterRef(f"{name}_id")).values("pk")
        )
        for name, model in relations.items()
    }
    return queryset.annotate(**flags)


def shown(record: Model, name: str) -> Any:
    """The record a foreign key names, or None when the user may not see it.

    Reads the ``<name>_visible`` flag of :func:`annotate_visible`; without the flag nothing
    is shown (a selector that forgot it hides, it does not leak).
    """
    if not getattr(record, f"{name}_visible", False):
        return None
    return getattr(record, name)


def hide_unseen(records: Iterable[RecordT], *names: str) -> list[RecordT]:
    """Records for display whose foreign keys the user may not see read as None.

    Needs the flags of :func:`annotate_visible`. Only the cached related record is
    forgotten (the ``<name>_id`` stays), but the records are for display: never save them.
    """
    records = list(records)
    for record in records:
        for name in names:
            if not getattr(record, f"{name}_visible", False):
                type(record)._meta.get_field(name).set_cached_value(record, None)
    return records
