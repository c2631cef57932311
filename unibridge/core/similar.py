"""Names that probably mean the same record: the duplicate checks' prefilter and measure.

Two steps, so that a check costs the same at 100 or 100,000 records:

1. :func:`records_sharing_rare_words` reads the search index (``core.search``): the records
   whose names or aliases hold one of the rarest words of the new names, in any spelling the
   search accepts (another script, another transliteration, a typo). A name's rarest word is
   what tells it apart ('Samarkand' in 'Samarkand State University'), and a rare word has few
   postings, so this is a few indexed reads, never a walk over every record.
2. :func:`similarity` compares two names word by word, each word weighted by how rare it is
   in the index (:func:`word_weights`): 'Tver State University' and 'Tver State Technical
   University' are close, 'Omsk State University' and 'Tomsk State University' are not,
   although as strings both pairs differ by one word or one letter.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from .models import SearchPosting, SearchWord
from .names import skeleton, words
from .search import ALIAS, MAX_WORD_LENGTH, vocabulary_matches

# A vocabulary word matched this well (exact, same skeleton, one typo, a longer form) counts.
_MIN_QUALITY = 60
RARE_WORDS_PER_NAME = 2
COMMON = 300  # a word more entries hold than this does not tell names apart by itself
MAX_TERMS = 24
CANDIDATES = 200


@dataclass(frozen=True)
class Vocabulary:
    """How many index entries hold each word, and how many entries there are."""

    entries: dict[str, int]
    total: int

    def weight(self, word: str) -> float:
        """Inverse document frequency, smoothed so that a word every entry holds still counts."""
        held = min(self.entries.get(word, 0), self.total)
        return math.log(1 + (self.total + 1) / (held + 1))


def name_words(text: str) -> list[str]:
    """The folded words of a name, as the index holds them."""
    return [word[:MAX_WORD_LENGTH] for word in words(text)]


def records_sharing_rare_words(
    texts: Iterable[str], *, kind: str, limit: int = CANDIDATES
) -> list[int]:
    """Ids of records of ``kind`` whose names or aliases hold the rarest words of a text.

    For each text, its two rarest words that the index knows (in any spelling the search
    accepts), both of them; a text made only of common words ('State University of
    Technology') needs all of its words, or it would pick thousands. Records found for any of
    the texts count. Two queries whatever the size of the index.
    """
    texts = [text for text in texts if text]
    terms = list(dict.fromkeys(w for text in texts for w in name_words(text) if len(w) > 1))
    matched = {term.text: term for term in vocabulary_matches(terms[:MAX_TERMS])}
    found = None
    for text in texts:
        known = [matched[w] for w in dict.fromkeys(name_words(text)) if w in matched]
        known = sorted((term for term in known if term.qualities), key=lambda t: t.entries)
        if not known:
            continue
        chosen = known[:RARE_WORDS_PER_NAME] if known[0].entries <= COMMON else known
        postings = None
        for term in chosen:
            word_ids = [w for w, quality in term.qualities.items() if quality >= _MIN_QUALITY]
            these = SearchPosting.objects.filter(kind=kind, weight__gte=ALIAS, word_id__in=word_ids)
            if postings is not None:
                these = these.filter(entry_id__in=postings.values("entry_id"))
            postings = these
        if postings is not None:
            found = postings if found is None else found | postings
    if found is None:
        return []
    return list(found.values_list("object_id", flat=True).distinct()[:limit])


def vocabulary(names: Iterable[str]) -> Vocabulary:
    """The index's counts of the words of these names (one query)."""
    found = sorted({w for name in names for w in name_words(name)})
    entries = dict(SearchWord.objects.filter(word__in=found).values_list("word", "entries"))
    # The most common of these words ('university') is held by about as many entries as
    # there are records of the kind: the scale of the weights, without counting the entries.
    return Vocabulary(entries=entries, total=max([1, *entries.values()]))


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Whether two folded words are one word spelled two ways.

    Equal; one letter apart (five letters or more); the same consonant skeleton and at most
    two letters apart ('karaganda', 'qaragandy'); or one a longer form of the other, sharing
    at least six letters and four fifths of the shorter ('universitet', 'university').
    """
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    distance = _distance(a, b)
    if distance <= 1 or (distance <= 2 and skeleton(a) == skeleton(b)):
        return True
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 6 and common * 5 >= shorter * 4


def _distance(a: str, b: str) -> int:
    return OSA.distance(a, b, score_cutoff=3)


def similarity(a: Sequence[str], b: Sequence[str], weights: Vocabulary) -> float:
    """0 to 1: the weight of the words each name shares with the other, over all their weight."""
    total = sum(weights.weight(w) for w in a) + sum(weights.weight(w) for w in b)
    if not total:
        return 0.0
    shared = sum(weights.weight(x) for x in a if any(same_word(x, y) for y in b))
    shared += sum(weights.weight(y) for y in b if any(same_word(x, y) for x in a))
    return shared / total
