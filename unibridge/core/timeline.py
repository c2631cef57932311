"""The partner timeline: an extension point every module adds its entries to.

A module writes a provider, a function taking (partnership, user) and returning
TimelineEntry objects the user may see, in a constant number of queries. The partnership
page knows nothing about agreements, visits or mobility; it only calls :func:`timeline_for`.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .types import User

TimelineProvider = Callable[..., Iterable["TimelineEntry"]]
_providers: list[TimelineProvider] = []


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    kind: str
    title: str
    url: str = ""
    detail: str = ""
    actor: str = ""


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


def timeline_for(partnership: Any, user: User) -> list[TimelineEntry]:
    """Every provider's entries for this partnership, newest first."""
    entries: list[TimelineEntry] = []
    for provider in _providers:
        entries.extend(provider(partnership, user))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
