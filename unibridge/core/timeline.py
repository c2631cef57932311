"""The partner timeline: an extension point every module adds its entries to.

A module writes a provider, a function taking (partnership, user) and returning
TimelineEntry objects the user may see, in a constant number of queries. The partnership
page knows nothing about agreements, visits or mobility; it only calls :func:`timeline_for`.

The timeline tells the partnership's story in the order things happened in the world — the
day an agreement was signed or came into force, the days of a visit, the hour of a meeting —
not in the order they were typed in: an office that records a 2019 agreement today puts it
in 2019. Each entry carries both moments (``when`` and ``recorded``), and the page mentions
the second when they fall on different days.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .types import User

TimelineProvider = Callable[..., Iterable["TimelineEntry"]]
_providers: list[TimelineProvider] = []


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened: ``when`` in the world, ``recorded`` when it was typed in.

    ``key`` names the kind for the page's filter (``agreement``, ``visit``…) in every
    language; ``kind`` is its label in the reader's.
    """

    when: datetime.datetime
    kind: str
    title: str
    url: str = ""
    detail: str = ""
    actor: str = ""
    recorded: datetime.datetime | None = None
    key: str = ""

    @property
    def recorded_later(self) -> bool:
        """Whether it was recorded on a later day than it happened (the page then says so).

        A visit planned ahead is recorded before it happens, as it should be: not worth
        saying.
        """
        if self.recorded is None:
            return False
        return _local_day(self.recorded) > _local_day(self.when)


def _local_day(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def register_timeline(provider: TimelineProvider) -> TimelineProvider:
    """Add a provider of timeline entries (called once per partnership page); the site's
    providers are listed in ``unibridge/site.py``."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def as_datetime(value: datetime.date | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def no_later_than_next(entries: Sequence[TimelineEntry]) -> list[TimelineEntry]:
    """Steps of one process, in the order they were recorded, each dated no later than the
    step after it.

    Some steps have a day in the world (a signature's date, the day of entry into force);
    others only their recording (a draft, a submission for approval). A process recorded after
    the fact — an agreement signed in 2019 and entered today — would otherwise put its draft
    after its signature; its draft and review happened before it was signed.
    """
    result = list(entries)
    for index in range(len(result) - 2, -1, -1):
        later = result[index + 1]
        if result[index].when > later.when:
            result[index] = _moved(result[index], later.when)
    return result


def _moved(entry: TimelineEntry, when: datetime.datetime) -> TimelineEntry:
    recorded = entry.recorded or entry.when
    return TimelineEntry(**{**entry.__dict__, "when": when, "recorded": recorded})


def _order(entry: TimelineEntry) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """By day in the world; within a day, by the hour, which for a thing known only by its
    day (a signature, an entry into force) is best guessed from its recording that day."""
    recorded = entry.recorded or entry.when
    moment = entry.when
    known_by_day = timezone.localtime(entry.when).time() == datetime.time.min
    if known_by_day and _local_day(recorded) == _local_day(entry.when) and recorded > entry.when:
        moment = recorded
    return (_local_day(entry.when), moment, recorded)


def timeline_for(partnership: Any, user: User) -> list[TimelineEntry]:
    """Every provider's entries for this partnership, the latest in the world first."""
    entries: list[TimelineEntry] = []
    for provider in _providers:
        entries.extend(provider(partnership, user))
    return sorted(entries, key=_order, reverse=True)


def timeline_kinds(entries: Iterable[TimelineEntry]) -> list[tuple[str, str]]:
    """The kinds among the entries as (key, label), by label: the page's filter."""
    kinds = {entry.key: entry.kind for entry in entries if entry.key}
    return sorted(kinds.items(), key=lambda item: item[1].casefold())
