"""Each user's private iCalendar feed: an extension point every module adds its events to.

A module registers a source, a function taking (user, today) and returning the
:class:`CalendarEvent` objects that user may see, in a constant number of queries.
Agreements add expiries and waiting approvals; visits will add theirs the same way. The feed
is read by calendar programs without a session, through a secret token in its URL
(``User.calendar_token``); a new token revokes the old URL.
"""

import datetime
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from icalendar import Calendar, Event

from .types import User

# Sources show this far ahead (the next two years, roughly).
HORIZON_DAYS = 732
UID_DOMAIN = "unibridge"


@dataclass(frozen=True)
class CalendarEvent:
    """An all-day event (``end`` is the last day; one day when empty), or a timed one when
    ``starts_at`` and ``ends_at`` (aware datetimes) are given.

    ``uid`` must stay the same for the same event on every download (calendar programs
    update an event by its UID); ``stamp`` is when the event's record last changed.
    """

    uid: str
    day: datetime.date
    summary: str
    url: str = ""
    description: str = ""
    end: datetime.date | None = None
    stamp: datetime.datetime | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None


CalendarSource = Callable[..., Iterable[CalendarEvent]]
_sources: list[CalendarSource] = []


def register_calendar_source(source: CalendarSource) -> CalendarSource:
    """Add a source of events, called as ``source(user, today)`` per download; the site's
    sources are listed in ``unibridge/site.py``."""
    if source not in _sources:
        _sources.append(source)
    return source


def events_for(user: User, today: datetime.date | None = None) -> list[CalendarEvent]:
    """Every source's events for the user, by day and UID."""
    today = today or timezone.localdate()
    events: list[CalendarEvent] = []
    for source in _sources:
        events.extend(source(user, today))
    return sorted(events, key=lambda event: (event.day, event.uid))


def build_feed(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    absolute: Callable[[str], str] = lambda url: url,
) -> bytes:
    """The iCalendar (RFC 5545) text of the events; ``absolute`` turns paths into URLs."""
    calendar = Calendar()
    calendar.add("prodid", "-//UniBridge//International relations office//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    now = timezone.now().replace(microsecond=0)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", (item.stamp or now).astimezone(datetime.UTC).replace(microsecond=0))
        if item.starts_at and item.ends_at:  # in UTC: every calendar program shows it right
            event.add("dtstart", item.starts_at.astimezone(datetime.UTC))
            event.add("dtend", item.ends_at.astimezone(datetime.UTC))
        else:
            event.add("dtstart", item.day)
            event.add("dtend", (item.end or item.day) + datetime.timedelta(days=1))
            event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", absolute(item.url))
        calendar.add_component(event)
    return calendar.to_ical()


def event_uid(*parts: object) -> str:
    """A stable UID such as ``agreement-<uuid>-expiry-2026-06-30@unibridge``."""
    return "-".join(str(part) for part in parts) + f"@{UID_DOMAIN}"


def new_calendar_token(user: User) -> str:
    """Give the user a new secret feed token; the previous feed URL stops working."""
    token = secrets.token_urlsafe(32)
    get_user_model().objects.filter(pk=user.pk).update(calendar_token=token)
    user.calendar_token = token
    return token


def user_for_token(token: str) -> AbstractBaseUser | None:
    """The active user whose feed this token opens, or None."""
    if not token:
        return None
    return get_user_model().objects.filter(calendar_token=token, is_active=True).first()
