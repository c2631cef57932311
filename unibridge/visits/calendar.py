"""Visit events in users' calendar feeds (see :mod:`unibridge.core.calendar`).

The programme items of visits the user may see in which their person takes part (as a
participant or the responsible person), from a month back to the feed's horizon, except those
of cancelled visits (action items: :mod:`unibridge.meetings.calendar`).

The core feed carries all-day events only, so a programme item is an event on its day in the
host's zone, with its times and the zone in the summary; the full timed events are in the
visit's own ``programme.ics``. One query whatever the number of items.
"""

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _

from unibridge.core.calendar import (
    HORIZON_DAYS,
    CalendarEvent,
    event_uid,
)

from .choices import VisitStatus
from .models import ProgrammeItem, Visit
from .programme import item_url, local_day, span

# programme items stay in the feed this long after they happened
PAST_DAYS = 31
SUMMARY_LENGTH = 120


def programme_events(user, today: datetime.date) -> Iterator[CalendarEvent]:
    # the UTC day boundaries are widened by a day: the host's zone decides the day
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=PAST_DAYS + 1), datetime.time(), tzinfo=datetime.UTC
    )
    until = datetime.datetime.combine(
        today + datetime.timedelta(days=HORIZON_DAYS + 1), datetime.time(), tzinfo=datetime.UTC
    )
    theirs = ProgrammeItem.participants.through.objects.filter(person__user=user).values(
        "programmeitem_id"
    )
    rows = (
        ProgrammeItem.objects.filter(Q(responsible__user=user) | Q(pk__in=theirs))
        .filter(
            visit__in=Visit.objects.visible_to(user).values("pk"),
            ends_at__gte=since,
            starts_at__lt=until,
        )
        .exclude(visit__status=VisitStatus.CANCELLED)
        .order_by("starts_at", "pk")
        .values_list(
            "uid",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "updated",
            "visit__uuid",
            "visit__title",
            "visit__time_zone",
        )
    )
    for uid, title, starts_at, ends_at, place, link, updated, v_uuid, v_title, zone in rows:
        tz = ZoneInfo(zone)
        details = [v_title]
        if place:
            details.append(_("Place: %(place)s") % {"place": place})
        if link:
            details.append(_("Online: %(link)s") % {"link": link})
        local_time = {"time": span(starts_at, ends_at, tz), "zone": zone}
        yield CalendarEvent(
            uid=event_uid("programme-item", uid),
            day=local_day(starts_at, tz),
            summary=title,
            url=item_url(v_uuid, uid),
            description="\n".join([_("%(time)s (%(zone)s)") % local_time, *details]),
            stamp=updated,
            starts_at=starts_at,
            ends_at=ends_at,
        )


def visit_events(user, today: datetime.date) -> Iterator[CalendarEvent]:
    yield from programme_events(user, today)
