"""The search index's tables, written in bulk: entries, postings and word counts.

:mod:`.search` decides which records to (re)index; this module turns records into their
words (:func:`document`) and brings the three tables in line with them in a few plain SQL
statements per batch (the ORM would load every old entry just to delete it). It knows
nothing of registrations beyond what a registration offers: ``kind``, ``fields(obj)`` and
``title(obj)``.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import override

from .models import SearchEntry, SearchPosting, SearchWord
from .names import fold, skeleton, words

MAX_WORD_LENGTH = 64
CHUNK = 500  # ids or words per statement
_SAFE_LITERAL = re.compile(r"^[a-z0-9]*$")


class Indexed(Protocol):
    """What the storage needs of a registration (``search.Registration``)."""

    kind: str

    def fields(self, obj: Any) -> Iterable[tuple[object, int]]: ...

    def title(self, obj: Any) -> object: ...


class _Removed:
    """The registration of records being dropped: none of them is written again."""

    kind = ""

    def fields(self, obj: Any) -> Iterable[tuple[object, int]]:
        return ()

    def title(self, obj: Any) -> object:
        return ""


REMOVED: Indexed = _Removed()


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def id_list(ids: Iterable[int]) -> str:
    """Integers as an SQL list literal (safe: formatted as numbers)."""
    return ", ".join(f"{number:d}" for number in sorted(set(ids)))


def document(registration: Indexed, obj: models.Model) -> dict[str, int]:
    """The words of one record with the weight of the best field each comes from."""
    weights: dict[str, int] = {}
    for text, weight in registration.fields(obj):
        if not text:
            continue
        for word in words(str(text)):
            word = word[:MAX_WORD_LENGTH]
            if weights.get(word, 0) < weight:
                weights[word] = weight
    return weights


class Batch:
    """What several ``write_entries`` calls share: word ids looked up, word count changes."""

    def __init__(self) -> None:
        self.word_ids: dict[str, int] = {}
        self.delta: dict[int, int] = defaultdict(int)

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            _count(self.delta)


def write_entries(
    registration: Indexed,
    content_type: ContentType,
    ids: Sequence[int],
    objects: Sequence[models.Model],
    batch: Batch,
) -> set[int]:
    """Bring the entries of ``ids`` in line with ``objects`` (those of them that still exist).

    Entries whose words, weights and tie-break keys are unchanged are left alone, so saving a
    field nobody searches costs two reads. Returns the ids whose entry was added, removed or
    rewritten.
    """
    entry_table = connection.ops.quote_name(SearchEntry._meta.db_table)
    posting_table = connection.ops.quote_name(SearchPosting._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    # What is indexed now: {object id: (size, sort key, {(word id, weight)})}.
    before: dict[int, tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.object_id, e.size, e.sort_key, p.word_id, p.weight FROM {entry_table} e "
            f"LEFT JOIN {posting_table} p ON p.entry_id = e.id "
            f"WHERE e.content_type_id = %s AND e.object_id IN ({placeholders})",
            [content_type.pk, *ids],
        )
        for object_id, size, sort_key, word_id, weight in cursor.fetchall():
            before.setdefault(object_id, (size, sort_key, set()))
            if word_id is not None:
                before[object_id][2].add((word_id, weight))
    # What should be.
    after: dict[int, tuple] = {}
    titles: dict[int, str] = {}
    documents: dict[int, dict[str, int]] = {}
    # Stored titles only order ties, so they are always made in the default language.
    with override(settings.LANGUAGE_CODE):
        for obj in objects:
            titles[obj.pk] = str(registration.title(obj) or "")[:300]
            documents[obj.pk] = document(registration, obj)
    word_ids = _word_ids({word for doc in documents.values() for word in doc}, batch.word_ids)
    for pk, doc in documents.items():
        folded = fold(titles[pk])
        after[pk] = (
            min(len(folded.split()), 999),
            literal(folded.replace(" ", "")[:64]),
            {(word_ids[word], weight) for word, weight in doc.items()},
        )
    changed = {pk for pk in ids if before.get(pk) != after.get(pk)}
    stale = sorted(pk for pk in changed if pk in before)
    fresh = sorted(pk for pk in changed if pk in after)
    delta = batch.delta
    for pk in stale:
        for word_id, _weight in before[pk][2]:
            delta[word_id] -= 1
    if stale:
        # Plain SQL: the ORM would load every old entry just to delete it.
        stale_list = id_list(stale)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {posting_table} WHERE entry_id IN (SELECT id FROM {entry_table} "
                f"WHERE content_type_id = {content_type.pk:d} AND object_id IN ({stale_list}))"
            )
            cursor.execute(
                f"DELETE FROM {entry_table} "
                f"WHERE content_type_id = {content_type.pk:d} AND object_id IN ({stale_list})"
            )
    if not fresh:
        return changed
    entries = SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                content_type=content_type,
                object_id=pk,
                kind=registration.kind,
                title=titles[pk],
                size=after[pk][0],
                sort_key=after[pk][1],
            )
            for pk in fresh
        ]
    )
    rows = []
    for entry in entries:
        # kind is [a-z]+ (checked by register) and sort_key [a-z0-9]* (folded): safe literals.
        keys = f"'{entry.kind}', {entry.size:d}, '{entry.sort_key}', {entry.object_id:d}"
        for word_id, weight in after[entry.object_id][2]:
            rows.append(f"({entry.pk:d}, {word_id:d}, {weight:d}, {keys})")
            delta[word_id] += 1
    with connection.cursor() as cursor:
        # Integers and checked literals: many rows per statement, no parameter limits.
        for chunk in chunks(rows, 1000):
            cursor.execute(
                f"INSERT INTO {posting_table} "
                "(entry_id, word_id, weight, kind, size, sort_key, object_id) "
                f"VALUES {', '.join(chunk)}"
            )
    return changed


def literal(text: str) -> str:
    if not _SAFE_LITERAL.match(text):
        raise ValueError(f"Not a folded search key: {text!r}")
    return text


def _word_ids(vocabulary: set[str], ids: dict[str, int]) -> dict[str, int]:
    """Ids of these words in the vocabulary, adding the new ones; ``ids`` caches them."""
    pending = sorted(word for word in vocabulary if word not in ids)
    for chunk in chunks(pending):
        ids.update(SearchWord.objects.filter(word__in=chunk).values_list("word", "pk"))
    missing = [word for word in pending if word not in ids]
    if missing:
        SearchWord.objects.bulk_create(
            [SearchWord(word=w, skeleton=skeleton(w), length=len(w)) for w in missing],
            ignore_conflicts=True,  # a concurrent save may add the same word
            batch_size=1000,
        )
        for chunk in chunks(missing):
            ids.update(SearchWord.objects.filter(word__in=chunk).values_list("word", "pk"))
    return ids


def _count(delta: dict[int, int]) -> None:
    """Add ``delta[word_id]`` to each word's entry count, in one statement per 500 words."""
    changed = sorted((word_id, change) for word_id, change in delta.items() if change)
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in chunks(changed):
            cases = " ".join(f"WHEN {word_id:d} THEN {change:d}" for word_id, change in chunk)
            ids = ", ".join(f"{word_id:d}" for word_id, _change in chunk)
            cursor.execute(
                f"UPDATE {table} SET entries = entries + CASE id {cases} ELSE 0 END "
                f"WHERE id IN ({ids})"
            )


def recount() -> None:
    """Recount every word's entries from the postings (after a rebuild)."""
    SearchWord.objects.update(
        entries=Coalesce(
            Subquery(
                SearchPosting.objects.filter(word=OuterRef("pk"))
                .order_by()
                .values("word")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )
    )
