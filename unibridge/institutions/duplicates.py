"""Likely duplicates of an institution about to be created, each with the reasons it is one.

The create form, the import preview and the API ask before (or, the API, while) a new
institution is saved, so that a second "Samarkand State University, Uzbekistan" is never
created silently beside "Samarkand State University"::

    for duplicate in institution_duplicates(user=user, institution=unsaved):
        duplicate.institution, [str(reason) for reason in duplicate.reasons]

An institution is a likely duplicate when it has the same identifier (hei-id, Erasmus code,
PIC, ROR id), an e-mail or web domain of the new one, the same acronym in the same country,
or a similar name (``core.similar``: across scripts, transliterations and typos; a trailing
", Uzbekistan" or "(Samarkand)" naming the country or city is not part of the comparison).

Cost: two queries on the search index, one for the identifiers, domains and names together
(the identifiers by their unique indexes, the names by the ids the index gave, the domains by
a scan of two short columns) and one for the words' weights; the same at 100 or 10,000
institutions (``benchmarks/run.py``, "duplicate check").
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unibridge.core import cldr, similar
from unibridge.core.names import fold

from .models import Institution
from .search import INSTITUTIONS

LIMIT = 10
NAME_THRESHOLD = 0.82  # same country: see core.similar.similarity
OTHER_COUNTRY_THRESHOLD = 0.97  # a different country: only the same name, nearly
IDENTIFIERS = ("hei_id", "erasmus_code", "pic", "ror_id")

REASONS = {
    "hei_id": _("same SCHAC / EWP hei-id: %(value)s"),
    "erasmus_code": _("same Erasmus code: %(value)s"),
    "pic": _("same PIC: %(value)s"),
    "ror_id": _("same ROR id: %(value)s"),
    "email_domain": _("same e-mail domain: %(value)s"),
    "web_domain": _("same web domain: %(value)s"),
    "acronym": _("same acronym in the same country: %(value)s"),
    "same_name": _("same name: %(value)s"),
    "similar_name": _("similar name: %(value)s"),
}
# identifiers first, then domains, then names: the order a reason is listed and ranked in
_RANK = {code: rank for rank, code in enumerate(REASONS)}


@dataclass(frozen=True)
class Reason:
    """Why an institution is a likely duplicate: a code of ``REASONS`` and the value shared."""

    code: str
    value: str

    def __str__(self) -> str:
        return str(REASONS[self.code] % {"value": self.value})


@dataclass(frozen=True)
class Duplicate:
    """An existing institution that is probably the new one, and why."""

    institution: Institution
    reasons: tuple[Reason, ...]
    score: float  # the names' similarity, 0 to 1

    @property
    def messages(self) -> list[str]:
        return [str(reason) for reason in self.reasons]


def institution_duplicates(
    *, user, institution: Institution, limit: int = LIMIT
) -> list[Duplicate]:
    """Institutions ``user`` may see that are probably ``institution`` (saved or not), best first.

    ``institution`` itself is never among them. Its values are read as the form or the
    serializer leaves them (identifiers normalised, lists as lists).
    """
    domains = _domains(institution)
    query = Q()
    for name in IDENTIFIERS:
        value = getattr(institution, name, None)
        if value:
            values = _erasmus_spellings(value) if name == "erasmus_code" else [value]
            query |= Q(**{f"{name}__in": values})
    for domain in domains:
        query |= (
            Q(hei_id=domain)
            | Q(email_domains__icontains=f'"{domain}"')
            | Q(website__icontains=domain)
        )
    names = _names(institution)
    # without a trailing ", Uzbekistan", which the existing record's name may well lack
    texts = [" ".join(_comparable(name, institution)) for name in names]
    name_ids = similar.records_sharing_rare_words(
        [*texts, institution.acronym], kind=INSTITUTIONS.kind
    )
    if name_ids:
        query |= Q(pk__in=name_ids)
    if not query:
        return []
    candidates = list(
        Institution.objects.visible_to(user)
        .filter(query)
        .exclude(pk=institution.pk or 0)
        .order_by("pk")[: similar.CANDIDATES + 50]
    )
    if not candidates:
        return []
    weights = similar.vocabulary([*names, *(n for c in candidates for n in _names(c))])
    found = []
    for candidate in candidates:
        reasons = [
            *_identifier_reasons(institution, candidate),
            *_domain_reasons(domains, candidate),
        ]
        acronym = fold(institution.acronym or "")
        if (
            acronym
            and candidate.country == institution.country
            and acronym in {fold(candidate.acronym), *map(fold, candidate.aliases or [])}
        ):
            reasons.append(Reason("acronym", candidate.acronym or institution.acronym))
        score, matched = _name_score(institution, candidate, weights)
        threshold = (
            NAME_THRESHOLD if candidate.country == institution.country else OTHER_COUNTRY_THRESHOLD
        )
        if score >= threshold:
            reasons.append(Reason("same_name" if score >= 1 else "similar_name", matched))
        if reasons:
            found.append(Duplicate(candidate, tuple(reasons), score))
    found.sort(key=lambda d: (min(_RANK[r.code] for r in d.reasons), -d.score, d.institution.pk))
    return found[:limit]


def _erasmus_spellings(code: str) -> list[str]:
    # 'PL KRAKOW02' is also written with two or three spaces ('D  BERLIN01' has two by rule)
    parts = code.split()
    if len(parts) != 2:
        return [code]
    return [parts[0] + " " * spaces + parts[1] for spaces in (1, 2, 3)]


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _domains(institution: Institution) -> list[str]:
    """The e-mail domains and the website's host, lower-case, without www."""
    values = [
        *(domain.lower().removeprefix("www.") for domain in institution.email_domains or []),
        _host(institution.website or ""),
    ]
    return [value for value in dict.fromkeys(values) if value]


def _identifier_reasons(new: Institution, candidate: Institution) -> Iterable[Reason]:
    for name in IDENTIFIERS:
        value, theirs = getattr(new, name, None), getattr(candidate, name)
        if value and theirs and "".join(value.split()) == "".join(theirs.split()):
            yield Reason(name, theirs)


def _domain_reasons(domains: list[str], candidate: Institution) -> Iterable[Reason]:
    if not domains:
        return
    email = {d.lower() for d in candidate.email_domains or []}
    web = {_host(candidate.website or ""), (candidate.hei_id or "")} - {""}
    for domain in domains:
        if domain in email:
            yield Reason("email_domain", domain)
        elif domain in web:
            yield Reason("web_domain", domain)


def _names(institution: Institution) -> list[str]:
    return list(dict.fromkeys([*institution.all_names(), *(institution.aliases or [])]))


# A trailing part after a comma, a dash or in parentheses: ', Uzbekistan', ' (Samarkand)'.
_TRAILING = re.compile(r"\s*(?:,|\(|\s[-–—]\s)\s*([^,()]+?)\)?\s*$")


@lru_cache(maxsize=1024)
def _places(country: str, city: str) -> frozenset[str]:
    return frozenset(fold(name) for name in (*cldr.country_names(country), city) if name)


def _comparable(name: str, institution: Institution) -> list[str]:
    """A name's folded words without a trailing part that names its country or city."""
    match = _TRAILING.search(name)
    places = _places(str(institution.country or ""), institution.city or "")
    if match and match.start() > 0 and fold(match.group(1)) in places:
        name = name[: match.start()]
    return similar.name_words(name)


def _name_score(
    new: Institution, candidate: Institution, weights: similar.Vocabulary
) -> tuple[float, str]:
    """The best similarity of any of the two institutions' names, and the candidate's name."""
    best, matched = 0.0, ""
    theirs = [(name, _comparable(name, candidate)) for name in _names(candidate)]
    for name in _names(new):
        ours = _comparable(name, new)
        for their_name, their_words in theirs:
            score = similar.similarity(ours, their_words, weights)
            if score > best:
                best, matched = score, their_name
    return best, matched
