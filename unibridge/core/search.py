"""One search over every kind of record: typo-tolerant, ranked, transliteration-aware.

How a module makes its records searchable (see ``unibridge/institutions/search.py``)::

    from unibridge.core import search

    AGREEMENTS = search.searchable(
        Agreement,
        kind="agreement",
        fields=lambda a: [(a.title, search.NAME), (a.partner.acronym, search.CONTEXT)],
        title=lambda a: a.title,
        subtitle=lambda a: a.get_status_display(),
        queryset=Agreement.objects.select_related("partner"),
        depends_on={Institution: "partner"},
    )

and ``unibridge/site.py`` lists ``AGREEMENTS`` in ``SEARCH_DOCUMENTS``, which are connected
at start-up (:func:`connect`). From then on every save and delete
keeps the index in step; code that bypasses signals (``bulk_create``, ``update``) calls
``reindex(Model, ids)`` itself, and ``manage.py rebuild_search_index`` rebuilds everything.

The index is three plain tables that behave alike on SQLite and PostgreSQL (written in bulk
by :mod:`.search_storage`):

- ``SearchEntry``: one row per record (kind, record id, title);
- ``SearchWord``: every distinct folded word (``core.names.fold``: lower-case ASCII, Cyrillic
  transliterated, diacritics dropped) with its consonant skeleton (``core.names.skeleton``),
  its length and how many entries hold it;
- ``SearchPosting``: entry ↔ word, with the weight of the field the word came from and the
  entry's tie-break keys, so that a word's best entries come off one index in order.

A query is folded the same way. Each query word is matched against the vocabulary, in one
SQL query for the whole search: by exact word and prefix, by skeleton ('Qaraǵandy',
'Караганда', 'Karagnda' all have the skeleton 'krgnd'), and by edit distance (rapidfuzz) over
the words of a similar length with the same first two letters. An entry must match every
query word; its score is the sum, over the query words, of its best match quality × field
weight. Scores are integers and ties are broken by (words in the title, kind, folded title,
record id), which every database orders alike, so SQLite and PostgreSQL give the same
results. The best hits are then re-read through each model's ``visible_to(user)`` queryset,
one query per kind, so a user only ever sees what they may open; titles, subtitles and links
are computed then, in the reader's language.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils.text import capfirst
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .models import SearchEntry, SearchPosting, SearchWord
from .names import skeleton, words
from .search_storage import (
    MAX_WORD_LENGTH,
    REMOVED,
    Batch,
    chunks,
    id_list,
    literal,
    recount,
    write_entries,
)

# Field weights: how much a match in that field counts.
NAME = 10  # the record's own names, in any language or script
ALIAS = 8  # other names, former names, acronyms
DETAIL = 5  # city, country, keywords, identifiers
CONTEXT = 3  # names of related records (a unit's institution acronym)

# Match qualities (× weight = score). Exact words beat prefixes, skeletons and typos.
EXACT = 100
FUZZY = {1: 60, 2: 50}  # one edit (a typo, a transposition) or two, for longer words
SKELETON = 70  # same consonant skeleton: another transliteration, a missing vowel
SKELETON_SHORT = 55  # the same, for query words under four letters (their skeletons collide)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 6
WORDS_PER_TERM = 64  # vocabulary words a query word may expand to, best first
_BRANCH_LIMIT = 200  # vocabulary rows read per lookup branch
_FUZZY_LIMIT = 2000
# Score through the rarest query word's entries when the others have this many times more
# postings (measured: reading an entry's words costs about twice reading a posting).
_DRIVER_RATIO = 2
_COMMON = 500  # a query word in more entries than this is common (see _best_when_common)

_KIND = re.compile(r"^[a-z]+$")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"

FieldsFunction = Callable[[models.Model], Iterable[tuple[object, int]]]
TextFunction = Callable[[models.Model], object]


@dataclass(frozen=True)
class Registration:
    """How one model is indexed, shown and permission-checked."""

    model: type[models.Model]
    kind: str
    fields: FieldsFunction
    title: TextFunction
    subtitle: TextFunction
    url: TextFunction
    queryset: models.QuerySet
    depends_on: dict = field(default_factory=dict)
    shown_queryset: models.QuerySet | None = None

    @property
    def hits(self) -> models.QuerySet:
        """The records as a hit shows them (the indexing queryset unless a leaner one is set)."""
        return self.queryset if self.shown_queryset is None else self.shown_queryset

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name)


@dataclass(frozen=True)
class SearchResult:
    """One hit the user may see, rendered in the current language."""

    kind: str
    label: str
    object: models.Model
    title: str
    subtitle: str
    url: str
    score: int

    @property
    def uuid(self):
        return getattr(self.object, "uuid", None)


@dataclass(frozen=True)
class Term:
    """A query word, the vocabulary words it matches with their quality, and how common they are."""

    text: str
    qualities: dict[int, int]
    entries: int  # postings of those words: what reading them all would cost


_registry: dict[type[models.Model], Registration] = {}
_kinds: dict[str, Registration] = {}
# related model → [(registration, lookup from the registered model to the related one)]
_dependents: dict[type[models.Model], list[tuple[Registration, str]]] = defaultdict(list)


def searchable(
    model: type[models.Model],
    *,
    kind: str,
    fields: FieldsFunction,
    title: TextFunction = str,
    subtitle: TextFunction = lambda obj: "",
    url: TextFunction = lambda obj: obj.get_absolute_url(),
    queryset: models.QuerySet | None = None,
    depends_on: dict[type[models.Model], str | tuple[str, ...]] | None = None,
    shown_queryset: models.QuerySet | None = None,
) -> Registration:
    """How a model is indexed, shown and permission-checked; :func:`connect` turns it on.

    - ``kind``: a short lower-case code ('institution'); results are labelled with the
      model's verbose name.
    - ``fields(obj)``: ``[(text, weight), ...]``, weight one of NAME, ALIAS, DETAIL, CONTEXT.
    - ``title``, ``subtitle``, ``url``: what a hit shows, computed in the reader's language.
    - ``queryset``: the records to index and show, with the ``select_related`` the functions
      above need; its class must have ``visible_to(user)``, the model's permission rule.
    - ``depends_on``: ``{RelatedModel: "lookup"}``: reindex this model's records whose
      ``lookup`` points at a related record that was saved or deleted (a partnership is
      found by its partner's names: ``{Institution: "partner"}``); several lookups as a tuple
      (a visit follows both its institutions: ``{Institution: ("visiting_institution",
      "host_institution")}``).
    - ``shown_queryset``: the records as a hit shows them, when ``title``, ``subtitle`` and
      ``url`` need less than ``fields`` (an agreement's hit does not show its parties); it
      must have ``visible_to(user)`` too.

    Changes through many-to-many relations send no save signal: a model that indexes them
    connects ``m2m_changed`` to ``reindex`` itself.
    """
    if not _KIND.match(kind):
        raise ImproperlyConfigured(f"Search kind {kind!r} must be lower-case letters only.")
    queryset = queryset if queryset is not None else model._default_manager.all()
    for candidate in (queryset, shown_queryset):
        if candidate is not None and not callable(getattr(candidate, "visible_to", None)):
            raise ImproperlyConfigured(
                f"{model.__name__}: a searchable queryset needs visible_to(user), the permission "
                "rule."
            )
    return Registration(
        model=model,
        kind=kind,
        fields=fields,
        title=title,
        subtitle=subtitle,
        url=url,
        queryset=queryset,
        depends_on=dict(depends_on or {}),
        shown_queryset=shown_queryset,
    )


def register(model: type[models.Model], **options: Any) -> Registration:
    """:func:`searchable` and :func:`connect` in one call (tests register throwaway models)."""
    return connect(searchable(model, **options))


def connect(registration: Registration) -> Registration:
    """Index the registration's model and keep its entries in step with saves and deletes.

    The site's search documents are connected once, at start-up (``unibridge/site.py``);
    connecting a model again replaces its registration.
    """
    model, kind = registration.model, registration.kind
    if kind in _kinds and _kinds[kind].model is not model:
        raise ImproperlyConfigured(f"Search kind {kind!r} is already used by {_kinds[kind].model}")
    unregister(model)
    _registry[model] = registration
    _kinds[kind] = registration
    uid = f"unibridge.search.{kind}"
    post_save.connect(_saved, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid, weak=False)
    for related, lookups in registration.depends_on.items():
        for lookup in (lookups,) if isinstance(lookups, str) else lookups:
            _dependents[related].append((registration, lookup))
        related_uid = f"unibridge.search.related.{related._meta.label_lower}"
        post_save.connect(_related_saved, sender=related, dispatch_uid=related_uid, weak=False)
        pre_delete.connect(_related_deleting, sender=related, dispatch_uid=related_uid, weak=False)
        post_delete.connect(_related_deleted, sender=related, dispatch_uid=related_uid, weak=False)
    return registration


def unregister(model: type[models.Model]) -> None:
    """Stop indexing a model (its entries stay until the next rebuild; search ignores them)."""
    registration = _registry.pop(model, None)
    if registration is None:
        return
    _kinds.pop(registration.kind, None)
    uid = f"unibridge.search.{registration.kind}"
    post_save.disconnect(sender=model, dispatch_uid=uid)
    post_delete.disconnect(sender=model, dispatch_uid=uid)
    for related in registration.depends_on:
        _dependents[related] = [
            (other, lookup) for other, lookup in _dependents[related] if other is not registration
        ]


def registrations() -> list[Registration]:
    """Every registered model, in kind order."""
    return sorted(_registry.values(), key=lambda registration: registration.kind)


# --- Keeping the index in step ------------------------------------------------------------------


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: related rows may not exist yet; run rebuild_search_index afterwards
        return
    reindex(sender, [instance.pk])


def _deleted(sender, instance, **kwargs) -> None:
    remove(sender, [instance.pk])


def _related_saved(sender, instance, raw=False, **kwargs) -> None:
    # A registered model's own handler reindexes its dependents, and only when it changed.
    if not raw and sender not in _registry:
        _reindex_dependents(sender, [instance.pk])


def _related_deleting(sender, instance, **kwargs) -> None:
    # After the delete the dependents no longer point at the record (SET_NULL): note them now.
    instance._search_dependents = [
        (registration.model, list(_dependent_ids(registration, lookup, [instance.pk])))
        for registration, lookup in _dependents.get(sender, [])
    ]


def _related_deleted(sender, instance, **kwargs) -> None:
    for model, ids in getattr(instance, "_search_dependents", []):
        reindex(model, ids, dependents=False)


def _dependent_ids(registration: Registration, lookup: str, ids: Sequence) -> Iterable[int]:
    manager = registration.model._default_manager
    return manager.filter(**{f"{lookup}__in": ids}).values_list("pk", flat=True)


def _reindex_dependents(model: type[models.Model], ids: Sequence) -> None:
    for registration, lookup in _dependents.get(model, []):
        for chunk in chunks(list(ids)):
            dependent_ids = list(_dependent_ids(registration, lookup, chunk))
            reindex(registration.model, dependent_ids, dependents=False)


def _content_type(model: type[models.Model]) -> ContentType:
    # A proxy model may be registered on its own, with entries apart from its concrete model's.
    return ContentType.objects.get_for_model(model, for_concrete_model=False)


def reindex(model: type[models.Model], ids: Iterable, *, dependents: bool = True) -> int:
    """Bring the index entries of these records up to date; returns how many changed.

    For bulk imports: ``reindex(Institution, ids)`` after ``bulk_create``. Records that no
    longer exist are removed from the index; models that are not registered are ignored.
    With ``dependents``, the records found through one of these (``depends_on``) follow when
    its entry changed (so an edit of an institution's notes does not reindex its people).
    """
    registration = _registry.get(model)
    ids = list(dict.fromkeys(model._meta.pk.to_python(pk) for pk in ids))
    if not ids:
        return 0
    if registration is None:
        if dependents:
            _reindex_dependents(model, ids)
        return 0
    content_type = _content_type(model)
    changed: set = set()
    with transaction.atomic():
        with Batch() as batch:
            for chunk in chunks(ids):
                objects = list(registration.queryset.all().filter(pk__in=chunk).order_by("pk"))
                changed |= write_entries(registration, content_type, chunk, objects, batch)
        if dependents and changed:
            _reindex_dependents(model, sorted(changed))
    return len(changed)


def remove(model: type[models.Model], ids: Iterable) -> None:
    """Drop these records from the index."""
    ids = list(dict.fromkeys(model._meta.pk.to_python(pk) for pk in ids))
    if not ids:
        return
    content_type = _content_type(model)
    with transaction.atomic(), Batch() as batch:
        for chunk in chunks(ids):
            write_entries(REMOVED, content_type, chunk, [], batch)


def rebuild(models_: Iterable[type[models.Model]] | None = None, progress=None) -> dict[str, int]:
    """Rebuild the index of the given models (all registered ones by default) from scratch.

    A full rebuild also drops the entries of models no longer registered and every word no
    entry holds. ``progress(kind, done, total)`` is called after each batch.
    """
    full = models_ is None
    targets = registrations() if full else [_registry[model] for model in models_]
    entry = connection.ops.quote_name(SearchEntry._meta.db_table)
    posting = connection.ops.quote_name(SearchPosting._meta.db_table)
    word = connection.ops.quote_name(SearchWord._meta.db_table)
    counts = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            if full:
                for table in (posting, entry, word):
                    cursor.execute(f"DELETE FROM {table}")
            else:
                types = id_list(_content_type(r.model).pk for r in targets)
                these = f"SELECT id FROM {entry} WHERE content_type_id IN ({types})"
                cursor.execute(f"DELETE FROM {posting} WHERE entry_id IN ({these})")
                cursor.execute(f"DELETE FROM {entry} WHERE content_type_id IN ({types})")
        for registration in targets:
            content_type = _content_type(registration.model)
            ids = list(registration.queryset.all().order_by("pk").values_list("pk", flat=True))
            counts[registration.kind] = 0
            with Batch() as batch:
                for chunk in chunks(ids):
                    objects = list(registration.queryset.all().filter(pk__in=chunk).order_by("pk"))
                    written = write_entries(registration, content_type, chunk, objects, batch)
                    counts[registration.kind] += len(written)
                    if progress:
                        progress(registration.kind, counts[registration.kind], len(ids))
        if not full:
            recount()
    return counts


# --- Searching ------------------------------------------------------------------------------------


def terms_of(query: str) -> list[str]:
    """The distinct folded words of a query; one-letter words only when nothing else is left."""
    terms = list(dict.fromkeys(word[:MAX_WORD_LENGTH] for word in words(query[:MAX_QUERY_LENGTH])))
    longer = [term for term in terms if len(term) > 1]
    return (longer or terms)[:MAX_TERMS]


def search(
    query: str, user, *, limit: int = 20, kinds: Iterable[str] | None = None
) -> list[SearchResult]:
    """The best ``limit`` hits for the query among the records ``user`` may see, best first.

    Runs a handful of queries (two or three, plus one per kind among the hits; twice that
    when most of the best hits are hidden from the user), however large the index.
    """
    terms = terms_of(query)
    wanted = [k for k in (kinds if kinds is not None else _kinds) if k in _kinds]
    if not terms or not wanted or limit <= 0 or not user.is_authenticated:
        return []
    matched = _candidates(terms)
    if not all(term.qualities for term in matched):
        return []
    wanted.sort()
    # Some of the best hits may be hidden from this user: read a few more than asked for,
    # and once more, many more, if too many were hidden.
    window = limit + 10
    rows = _ranked(matched, wanted, window)
    results = _visible(rows, user, limit)
    if len(results) < limit and len(rows) == window:
        rows = _ranked(matched, wanted, limit * 5 + 50)
        results = _visible(rows, user, limit)
    return results


def vocabulary_matches(terms: list[str]) -> list[Term]:
    """For each folded word, the index's words it matches and their quality (one query).

    What the search itself starts from; ``core.similar`` builds its duplicate check on it.
    Keep ``terms`` to a few dozen: each adds three branches to one UNION query.
    """
    return _candidates(terms) if terms else []


def matching(query: str, model: type[models.Model]) -> Q | None:
    """A filter on ``model``'s records that match every word of the query, unranked.

    For the "name contains" filter of list pages and the API, so that it forgives scripts,
    diacritics and typos like the global search and behaves the same on both databases;
    the caller keeps its own ordering and visibility. ``None`` when the query has no words.
    """
    terms = terms_of(query)
    if not terms:
        return None
    kind = _registry[model].kind
    candidates = _candidates(terms)
    if connection.vendor != "postgresql":
        # SQLite runs the nested subqueries well and caps a statement's parameters
        entries = SearchEntry.objects.filter(kind=kind)
        for term in candidates:
            postings = SearchPosting.objects.filter(kind=kind, word_id__in=list(term.qualities))
            entries = entries.filter(pk__in=postings.values("entry_id"))
        return Q(pk__in=entries.values("object_id"))
    # PostgreSQL misjudges those joins over the whole entry table (a sequential scan): read
    # each word's entries off the postings index, intersect them here, and pass the ids as
    # one array parameter.
    entry_ids: set[int] | None = None
    for term in candidates:
        postings = SearchPosting.objects.filter(kind=kind, word_id__in=list(term.qualities))
        found = set(postings.values_list("entry_id", flat=True).distinct())
        entry_ids = found if entry_ids is None else entry_ids & found
        if not entry_ids:
            return Q(pk__in=[])
    entries = SearchEntry.objects.filter(pk__any_of=sorted(entry_ids))
    return Q(pk__any_of=sorted(set(entries.values_list("object_id", flat=True))))


@models.Field.register_lookup
class AnyOf(models.Lookup):
    """``field = ANY(%s)`` (PostgreSQL): thousands of ids as one array parameter."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def _successor(prefix: str) -> str | None:
    """The smallest string after every string that starts with ``prefix`` ([a-z0-9] only)."""
    while prefix:
        position = _ALPHABET.find(prefix[-1])
        if 0 <= position < len(_ALPHABET) - 1:
            return prefix[:-1] + _ALPHABET[position + 1]
        prefix = prefix[:-1]
    return None


def _max_edits(term: str) -> int:
    if len(term) >= 8:
        return 2
    return 1 if len(term) >= 4 else 0


def _range(column: str, prefix: str) -> tuple[str, list]:
    # A range instead of LIKE: it uses the plain index on both databases.
    upper = _successor(prefix)
    if upper is None:
        return f"{column} >= %s", [prefix]
    return f"{column} >= %s AND {column} < %s", [prefix, upper]


def _candidates(terms: list[str]) -> list[Term]:
    """For each query word, the vocabulary words it matches: one query for the whole search.

    Three lookups per term, all on indexes: words starting with the term (exact included),
    words whose skeleton starts with the term's skeleton, and, for the edit-distance check,
    words of a similar length that share the term's first two letters (a typo there is
    usually a vowel, which the skeleton forgives).
    """
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    branches, params = [], []

    def branch(index: int, kind: str, condition: str, values: list, order: str, limit: int) -> None:
        branches.append(
            f"SELECT id, word, skeleton, entries, {index:d} AS term, '{kind}' AS branch FROM ("
            f"SELECT id, word, skeleton, entries FROM {table} WHERE {condition} "
            f"ORDER BY {order} LIMIT {limit:d}) AS b{len(branches):d}"
        )
        params.extend(values)

    for index, term in enumerate(terms):
        if len(term) > 1:
            branch(index, "p", *_range("word", term), "length, word", _BRANCH_LIMIT)
        else:
            branch(index, "p", "word = %s", [term], "word", 1)
        shape = skeleton(term)
        if len(shape) >= 3:
            branch(index, "s", *_range("skeleton", shape), "length, word", _BRANCH_LIMIT)
        elif len(shape) == 2 and len(term) > 2:
            branch(index, "s", "skeleton = %s", [shape], "length, word", _BRANCH_LIMIT)
        edits = _max_edits(term)
        if edits:
            lengths = ", ".join(str(n) for n in range(len(term) - edits, len(term) + edits + 1))
            condition, values = _range("word", term[:2])
            condition = f"length IN ({lengths}) AND {condition}"
            branch(index, "f", condition, values, "word", _FUZZY_LIMIT)

    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        rows = cursor.fetchall()

    entries = {word_id: count for word_id, _word, _shape, count, _term, _kind in rows}
    result = []
    for index, term in enumerate(terms):
        found: dict[int, tuple[int, str]] = {}

        def note(word_id: int, word: str, quality: int, found=found) -> None:
            if quality > found.get(word_id, (0, ""))[0]:
                found[word_id] = (quality, word)

        term_shape, edits = skeleton(term), _max_edits(term)
        fuzzy: dict[int, str] = {}
        for word_id, word, shape, _count, row_term, kind in rows:
            if row_term != index:
                continue
            if kind == "f":
                fuzzy[word_id] = word
            else:
                note(word_id, word, _quality(term, term_shape, word, shape))
        if fuzzy:
            for word, distance, word_id in process.extract(
                term, fuzzy, scorer=OSA.distance, score_cutoff=edits, limit=None
            ):
                note(word_id, word, EXACT if distance == 0 else FUZZY[min(distance, 2)])
        best = sorted(found.items(), key=lambda item: (-item[1][0], len(item[1][1]), item[1][1]))
        qualities = {word_id: quality for word_id, (quality, _word) in best[:WORDS_PER_TERM]}
        result.append(Term(term, qualities, sum(max(entries[w], 0) for w in qualities)))
    return result


def _quality(term: str, term_shape: str, word: str, shape: str) -> int:
    """How well a word found by prefix or skeleton matches a query word, 0 to 100 (exact)."""
    if word == term:
        return EXACT
    best = 0
    if len(term) > 1 and word.startswith(term):
        best = 60 + 30 * len(term) // len(word)  # 'krak' → 'krakow' beats 'krakowskie'
    if shape == term_shape and len(term_shape) >= 2 and abs(len(word) - len(term)) <= 2:
        best = max(best, SKELETON if len(term) >= 4 else SKELETON_SHORT)
    elif len(term_shape) >= 3 and shape.startswith(term_shape) and len(word) > len(term):
        best = max(best, 40 + 30 * len(term_shape) // len(shape))
    return best


def _ranked(terms: list[Term], kinds: list[str], window: int) -> list[tuple[str, int, int]]:
    """(kind, object id, score) of the best ``window`` entries matching every term, best first.

    Ordered by score, then by the tie-break keys (title length, kind, folded title, object id),
    all plain integers and [a-z0-9] strings, which every database sorts alike. Three plans, all
    giving the same rows; which one runs depends only on how common the query words are.
    """
    kind_list = ", ".join(f"'{literal(kind)}'" for kind in kinds)
    if len(terms) == 1:
        ranked = _best_for_one_word(terms[0], kind_list, window)
    else:
        ranked = None
        if min(term.entries for term in terms) > _COMMON:
            ranked = _best_when_common(terms, kind_list, window)
        if ranked is None:
            ranked = _best_for_all_words(terms, kind_list, window)
    return ranked


def _best_for_one_word(term: Term, kind_list: str, window: int) -> list[tuple[str, int, int]]:
    """(kind, object id, score) of the best entries for one query word.

    For each vocabulary word it matches, the first ``window`` entries in (weight, tie-break)
    order come straight off an index; the best ``window`` overall are among them, because
    any entry ahead of one of those in its list also scores at least as much and breaks ties
    ahead of it. So a word held by 30,000 entries costs no more than a rare one.
    """
    posting = connection.ops.quote_name(SearchPosting._meta.db_table)
    columns = "weight, size, kind, sort_key, object_id, word_id"
    branches = [
        f"SELECT {columns} FROM (SELECT {columns} FROM {posting} "
        f"WHERE word_id = {word_id:d} AND kind IN ({kind_list}) "
        f"ORDER BY weight DESC, size, kind, sort_key, object_id LIMIT {window:d}) AS w{index:d}"
        for index, word_id in enumerate(sorted(term.qualities))
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches))
        rows = cursor.fetchall()
    best: dict[tuple, int] = {}
    for weight, size, kind, sort_key, object_id, word_id in rows:
        keys = (size, kind, sort_key, object_id)
        best[keys] = max(best.get(keys, 0), term.qualities[word_id] * weight)
    order = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(kind, object_id, score) for (_size, kind, _key, object_id), score in order[:window]]


def _best_when_common(terms: list[Term], kind_list: str, window: int) -> list[tuple] | None:
    """(kind, object id, score) of the best entries when every query word is common, or None.

    The best possible score is reached by entries that hold, for each query word, one of its
    best (vocabulary word, weight) pairs: 'mineral processing' → units named '… Mineral
    Processing'. When at least ``window`` entries reach it, they are the answer, in tie-break
    order: read the least common word's best postings in that order (an index) and keep those
    whose entry also holds the other words' best pairs. Otherwise None: aggregate instead.
    """
    posting = connection.ops.quote_name(SearchPosting._meta.db_table)
    words = sorted({w for term in terms for w in term.qualities})
    # A word's heaviest field comes first in the index: one short seek per word.
    vocabulary = connection.ops.quote_name(SearchWord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.id, (SELECT p.weight FROM {posting} p WHERE p.word_id = w.id "
            f"ORDER BY p.weight DESC LIMIT 1) FROM {vocabulary} w WHERE w.id IN ({id_list(words)})"
        )
        top_weight = {w: weight for w, weight in cursor.fetchall() if weight is not None}
    best_score, best_pairs = 0, []
    for term in terms:
        products = {w: q * top_weight[w] for w, q in term.qualities.items() if w in top_weight}
        if not products:
            return None
        top = max(products.values())
        best_score += top
        best_pairs.append([(w, top_weight[w]) for w in sorted(products) if products[w] == top])

    def holds(alias: str, pairs: list[tuple[int, int]]) -> str:
        return " OR ".join(
            f"({alias}.word_id = {w:d} AND {alias}.weight = {weight:d})" for w, weight in pairs
        )

    driver = min(range(len(terms)), key=lambda index: terms[index].entries)
    others = " AND ".join(
        f"EXISTS (SELECT 1 FROM {posting} q WHERE q.entry_id = p.entry_id "
        f"AND ({holds('q', pairs)}))"
        for index, pairs in enumerate(best_pairs)
        if index != driver
    )
    sql = f"""
        SELECT DISTINCT p.size, p.kind, p.sort_key, p.object_id FROM {posting} p
        WHERE ({holds("p", best_pairs[driver])}) AND p.kind IN ({kind_list}) AND {others}
        ORDER BY p.size, p.kind, p.sort_key, p.object_id
        LIMIT {window:d}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    if len(rows) < window:
        return None
    return [(kind, object_id, best_score) for _size, kind, _key, object_id in rows]


def _best_for_all_words(terms: list[Term], kind_list: str, window: int) -> list[tuple]:
    """(kind, object id, score) of the best entries holding every query word, scored in SQL.

    One row per entry, one column per query word: its best quality × weight, or NULL when
    the entry lacks the word. All word ids are literals, so each database estimates the rows
    from its own statistics. When one query word is rare (a name) and another common ('of'),
    only the entries holding the rare one are scored, read through the entry index.
    """
    posting = connection.ops.quote_name(SearchPosting._meta.db_table)
    columns = []
    for index, term in enumerate(terms):
        qualities = " ".join(
            f"WHEN {word_id:d} THEN {quality:d}" for word_id, quality in term.qualities.items()
        )
        columns.append(
            f"MAX(CASE WHEN p.word_id IN ({id_list(term.qualities)}) "
            f"THEN (CASE p.word_id {qualities} END) * p.weight END) AS t{index:d}"
        )
    words = id_list(w for term in terms for w in term.qualities)
    rarest = min(terms, key=lambda term: term.entries)
    total = sum(term.entries for term in terms)
    if rarest.entries * _DRIVER_RATIO < total - rarest.entries:
        # CROSS JOIN keeps this join order on SQLite, which has no statistics unless someone
        # runs ANALYZE; PostgreSQL plans it like any other join.
        source = f"""(SELECT DISTINCT entry_id FROM {posting}
                WHERE word_id IN ({id_list(rarest.qualities)}) AND kind IN ({kind_list})) d
            CROSS JOIN {posting} p
            WHERE p.entry_id = d.entry_id AND p.word_id IN ({words})"""
    else:
        source = f"{posting} p WHERE p.word_id IN ({words}) AND p.kind IN ({kind_list})"
    found = " AND ".join(f"t{index:d} IS NOT NULL" for index in range(len(terms)))
    score = " + ".join(f"t{index:d}" for index in range(len(terms)))
    sql = f"""
        SELECT kind, object_id, {score} AS score, size, sort_key FROM (
            SELECT MIN(p.kind) AS kind, MIN(p.object_id) AS object_id, MIN(p.size) AS size,
                MIN(p.sort_key) AS sort_key, {", ".join(columns)}
            FROM {source}
            GROUP BY p.entry_id
        ) hit
        WHERE {found}
        ORDER BY score DESC, size, kind, sort_key, object_id
        LIMIT {window:d}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(kind, object_id, score) for kind, object_id, score, *_keys in cursor.fetchall()]


def _visible(rows: list[tuple], user, limit: int) -> list[SearchResult]:
    """The first ``limit`` rows whose records ``user`` may see, as results; a query per kind."""
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id, _score in rows:
        ids_by_kind[kind].append(object_id)
    visible = {}
    for kind, ids in ids_by_kind.items():
        registration = _kinds[kind]
        for obj in registration.hits.all().visible_to(user).filter(pk__in=ids):
            visible[kind, obj.pk] = obj
    results = []
    for kind, object_id, score in rows:
        obj = visible.get((kind, object_id))
        if obj is None:
            continue
        registration = _kinds[kind]
        results.append(
            SearchResult(
                kind=kind,
                label=registration.label,
                object=obj,
                title=str(registration.title(obj) or ""),
                subtitle=str(registration.subtitle(obj) or ""),
                url=str(registration.url(obj) or ""),
                score=int(score),
            )
        )
        if len(results) == limit:
            break
    return results
