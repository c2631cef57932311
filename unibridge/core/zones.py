"""Time zones every app shares: the names forms offer, and the home zone of "done on" dates.

Times of day are shown in the viewer's zone (``core.middleware``); a *day* a task was done is
not. Due dates are calendar days of the home university (the overdue lists compare them with
its today), so the day a checklist task or an action item was done is a day of the home
zone too, the same for every reader: a task due on 5 March and done at 00:30 in Almaty on
5 March reads "done 5 March" in Warsaw as well, not "4 March", which would look early.
``done_on`` is that one rule, for both the checklist's instants and the action items' days.
"""

import datetime
import functools
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@functools.lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    """Every IANA zone name; read once (listing them scans the zone files)."""
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    return name in time_zone_names()


NOT_A_TIME_ZONE = _(
    "“%(value)s” is not a time zone; use a name such as Asia/Almaty or Europe/Warsaw."
)


def time_zone_choices() -> list[tuple[str, str]]:
    """The zone names as form choices, sorted."""
    return [(name, name) for name in sorted(time_zone_names())]


def home_zone() -> zoneinfo.ZoneInfo:
    """The home university's zone: the installation's ``TIME_ZONE``."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def home_today() -> datetime.date:
    """Today in the home zone, whatever zone the request runs in."""
    return timezone.localdate(timezone=home_zone())


def done_on(value: datetime.datetime | datetime.date | None) -> datetime.date | None:
    """The day something was done, in the home zone: an instant is converted, a day kept."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value.astimezone(home_zone()).date()
    return value
