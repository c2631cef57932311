"""A visit's programme as an iCalendar (RFC 5545) file.

Each item is one VEVENT with its times in the host's zone (``TZID`` plus the matching
VTIMEZONE), so a calendar program shows it right wherever its user is. The UID is the item's
``uid`` and never changes, and SEQUENCE/LAST-MODIFIED follow the item's ``updated``: importing
the file again updates the events instead of duplicating them.
"""

import datetime
from collections.abc import Callable, Sequence

from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from unibridge.core.calendar import UID_DOMAIN

from .choices import VisitStatus
from .models import ProgrammeItem, Visit
from .programme import item_url

# SEQUENCE must grow with every change and fit a 32-bit integer: seconds since this moment
# do until 2088 (a Unix timestamp would overflow in 2038).
SEQUENCE_EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def item_uid(item: ProgrammeItem) -> str:
    """``<uid>@unibridge``: the same on every download and after every edit."""
    return f"{item.uid}@{UID_DOMAIN}"


def sequence(item: ProgrammeItem) -> int:
    return max(0, int((item.updated - SEQUENCE_EPOCH).total_seconds()))


def file_name(visit: Visit) -> str:
    return f"programme-{slugify(visit.title)[:60] or 'visit'}.ics"


def programme_ics(
    visit: Visit,
    items: Sequence[ProgrammeItem],
    *,
    absolute: Callable[[str], str] = lambda url: url,
) -> bytes:
    """The calendar of the items (loaded with their responsible person and participants)."""
    tz = visit.tz
    calendar = Calendar()
    calendar.add("prodid", "-//UniBridge//Visit programme//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Programme: %(visit)s") % {"visit": visit.title})
    calendar.add("x-wr-timezone", visit.time_zone)
    for item in items:
        event = Event()
        event.add("uid", item_uid(item))
        updated = item.updated.astimezone(datetime.UTC).replace(microsecond=0)
        # the item's last change, not the download time: an unchanged item is byte-identical
        event.add("dtstamp", updated)
        event.add("last-modified", updated)
        event.add("created", item.created.astimezone(datetime.UTC).replace(microsecond=0))
        event.add("sequence", sequence(item))
        event.add("dtstart", item.starts_at.astimezone(tz))
        event.add("dtend", item.ends_at.astimezone(tz))
        event.add("summary", item.title)
        event.add("categories", [str(item.get_kind_display())])
        location = item.place or item.online_link
        if location:
            event.add("location", location)
        event.add("url", item.online_link or absolute(item_url(visit.uuid, item.uid)))
        event.add("description", _description(visit, item))
        if visit.status == VisitStatus.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    if items:
        # the zone's rules around the programme only, not 68 years of them
        first = min(item.starts_at for item in items).astimezone(tz).date()
        last = max(item.ends_at for item in items).astimezone(tz).date()
        calendar.add_missing_timezones(
            first_date=first - datetime.timedelta(days=366),
            last_date=last + datetime.timedelta(days=366),
        )
    return calendar.to_ical()


def _description(visit: Visit, item: ProgrammeItem) -> str:
    lines = [f"{item.get_kind_display()} · {visit.title}"]
    if item.description:
        lines += ["", item.description]
    if item.responsible:
        lines += ["", _("Responsible: %(person)s") % {"person": item.responsible}]
    people = [str(person) for person in item.participants.all()]
    if people:
        lines.append(_("Participants: %(people)s") % {"people": ", ".join(people)})
    if item.online_link:
        lines.append(_("Online: %(link)s") % {"link": item.online_link})
    return "\n".join(lines)
