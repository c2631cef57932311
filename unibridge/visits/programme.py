"""A visit's programme: writes, host-zone times, and the warnings the office must see.

Times are entered as wall-clock times in the host's zone (``Visit.time_zone``) and stored as
aware UTC datetimes. Nothing doubtful is silently accepted: an end before the start is an
error; an item outside the visit's dates, a person or a room booked twice at the same time
are warnings shown on the item's form after saving and on the programme tab, each naming
the other item.
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from unibridge.core.visibility import annotate_visible, hide_unseen, visible_prefetch
from unibridge.institutions.models import Person
from unibridge.meetings.models import Meeting

from .models import ProgrammeItem, Visit

# --- Host-zone times -----------------------------------------------------------------------------


class NonexistentLocalTime(ValueError):
    """A wall-clock time the clocks skip (the spring daylight-saving change)."""


def local_to_utc(
    day: datetime.date, time: datetime.time, tz: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The UTC instant of a wall-clock time in ``tz``.

    A time the clocks skip raises :class:`NonexistentLocalTime` rather than silently moving
    the item by an hour. A time that happens twice (the autumn change) is taken the first
    time, as calendar programs do.
    """
    naive = datetime.datetime.combine(day, time)
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(datetime.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(naive)
    return aware.astimezone(datetime.UTC)


def to_utc(value: datetime.datetime, tz) -> datetime.datetime:
    """An instant from the API: aware as given, naive read as a wall-clock time of ``tz``."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(datetime.UTC)
    return local_to_utc(value.date(), value.time(), tz)


def skipped_time_message(day: datetime.date, time: datetime.time, visit: Visit) -> str:
    """Why a wall-clock time the clocks skip in the visit's zone is refused."""
    return _(
        "%(time)s does not exist on %(day)s in %(zone)s: the clocks move forward that night. "
        "Choose another time."
    ) % {"time": time.strftime("%H:%M"), "day": formats.date_format(day), "zone": visit.time_zone}


def clock(moment: datetime.datetime, tz: zoneinfo.ZoneInfo | datetime.tzinfo) -> str:
    """``10:00``: the wall-clock time of an instant in a zone (24-hour, as the office uses)."""
    # strftime, not Django's date format: the same "H:i", many times cheaper on long programmes
    return moment.astimezone(tz).strftime("%H:%M")


def span(starts_at: datetime.datetime, ends_at: datetime.datetime | None, tz) -> str:
    """``10:00–11:30`` in the given zone (just the start when there is no end)."""
    if ends_at is None:
        return clock(starts_at, tz)
    return f"{clock(starts_at, tz)}–{clock(ends_at, tz)}"


def local_day(moment: datetime.datetime, tz) -> datetime.date:
    return moment.astimezone(tz).date()


def overlaps(
    a_start: datetime.datetime,
    a_end: datetime.datetime,
    b_start: datetime.datetime,
    b_end: datetime.datetime | None,
) -> bool:
    """Whether two periods share time; one ending as the other starts does not.

    A period without an end (a meeting whose end was not recorded) occupies its start.
    """
    if b_end is None:
        return a_start <= b_start < a_end
    return a_start < b_end and b_start < a_end


def end_before_start_message(item: ProgrammeItem) -> str:
    tz = item.visit.tz
    return _("The end (%(end)s) must come after the start (%(start)s).") % {
        "end": clock(item.ends_at, tz),
        "start": clock(item.starts_at, tz),
    }


# --- Reads ---------------------------------------------------------------------------------------


def programme_items(visit: Visit, user) -> list[ProgrammeItem]:
    """The visit's items in time order with the people the user may see (two queries).

    For display (pages, .ics, documents, warnings): a responsible person the user may not
    see reads as None; never save these items.
    """
    items = annotate_visible(
        visit.programme.select_related("responsible"), user, responsible=Person
    ).prefetch_related(visible_prefetch("participants", Person, user))
    return hide_unseen(items.order_by("starts_at", "pk"), "responsible")


# --- Warnings ------------------------------------------------------------------------------------

OUTSIDE_DATES = "outside_dates"
PERSON_BOOKED_TWICE = "person_booked_twice"
ROOM_BOOKED_TWICE = "room_booked_twice"


@dataclass(frozen=True)
class ProgrammeWarning:
    """Something about one programme item the office should look at; never blocks saving."""

    code: str
    item_id: int
    item_title: str
    message: str
    # the conflicting item or meeting, when the user may see it ("" otherwise)
    other_title: str = ""
    other_url: str = ""


@dataclass
class _Event:
    """A programme item or meeting someone or some room is booked for."""

    key: tuple[str, int]
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    place: str
    visit_id: int | None
    visit_title: str = ""
    url: str = ""
    meeting_id: int | None = None
    people: set[int] = field(default_factory=set)


def room_key(place: str) -> str:
    """Rooms match ignoring case and spacing: ``Room  101`` is ``room 101``."""
    return " ".join(place.split()).casefold()


def programme_warnings(
    visit: Visit, *, user, items: Sequence[ProgrammeItem] | None = None
) -> list[ProgrammeWarning]:
    """Every warning of the visit's programme the user may read, in at most eight queries.

    ``items`` may be passed already loaded by :func:`programme_items` for the same user.
    A conflicting event of a visit or meeting the user may not see is named only as
    "another event", never by its title; people the user may not see are never named (nor
    looked for in other events).
    """
    if items is None:
        items = programme_items(visit, user)
    if not items:
        return []
    tz = visit.tz
    warnings = [w for item in items if (w := _outside_dates(visit, item)) is not None]

    people: dict[int, Person] = {}
    own: list[_Event] = []
    for item in items:
        event = _Event(
            key=("item", item.pk),
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            place=room_key(item.place),
            visit_id=visit.pk,
            visit_title=visit.title,
            url=item_url(visit.uuid, item.uid),
        )
        for person in [*item.participants.all(), item.responsible]:
            if person is not None:
                people[person.pk] = person
                event.people.add(person.pk)
        own.append(event)

    window = (min(e.starts_at for e in own), max(e.ends_at for e in own if e.ends_at))
    others = _other_events(visit, window, set(people))
    hidden = _hidden_events(others, user)

    for item, event in zip(items, own, strict=True):
        # this visit's other items first, then other visits' items and meetings
        candidates = [e for e in own if e is not event] + [
            e for e in others if not _same_event(event, e, visit)
        ]
        for other in candidates:
            if not overlaps(event.starts_at, event.ends_at, other.starts_at, other.ends_at):
                continue
            name, url = _name_of(other, hidden, visit)
            other_title = "" if other.key in hidden else other.title
            when = span(other.starts_at, other.ends_at, tz)
            shared = sorted(
                (people[pk] for pk in event.people & other.people), key=lambda p: str(p)
            )
            if shared:
                warnings.append(
                    ProgrammeWarning(
                        code=PERSON_BOOKED_TWICE,
                        item_id=item.pk,
                        item_title=item.title,
                        message=_(
                            "%(people)s also take part in %(other)s at the same time "
                            "(%(when)s %(zone)s)."
                        )
                        % {
                            "people": ", ".join(str(p) for p in shared),
                            "other": name,
                            "when": when,
                            "zone": visit.time_zone,
                        }
                        if len(shared) > 1
                        else _(
                            "%(person)s also takes part in %(other)s at the same time "
                            "(%(when)s %(zone)s)."
                        )
                        % {
                            "person": shared[0],
                            "other": name,
                            "when": when,
                            "zone": visit.time_zone,
                        },
                        other_title=other_title,
                        other_url=url,
                    )
                )
            if event.place and event.place == other.place:
                warnings.append(
                    ProgrammeWarning(
                        code=ROOM_BOOKED_TWICE,
                        item_id=item.pk,
                        item_title=item.title,
                        message=_(
                            "%(place)s is also booked for %(other)s at the same time "
                            "(%(when)s %(zone)s)."
                        )
                        % {
                            "place": item.place.strip(),
                            "other": name,
                            "when": when,
                            "zone": visit.time_zone,
                        },
                        other_title=other_title,
                        other_url=url,
                    )
                )
    return warnings


def item_warnings(item: ProgrammeItem, *, user) -> list[ProgrammeWarning]:
    """The warnings about one item (computed with its whole visit, constant queries)."""
    return [w for w in programme_warnings(item.visit, user=user) if w.item_id == item.pk]


def warnings_by_item(warnings: Iterable[ProgrammeWarning]) -> dict[int, list[ProgrammeWarning]]:
    grouped: dict[int, list[ProgrammeWarning]] = defaultdict(list)
    for warning in warnings:
        grouped[warning.item_id].append(warning)
    return dict(grouped)


def _outside_dates(visit: Visit, item: ProgrammeItem) -> ProgrammeWarning | None:
    tz = visit.tz
    first = local_day(item.starts_at, tz)
    # an item ending at midnight ends on the day before
    last = local_day(item.ends_at - datetime.timedelta(microseconds=1), tz)
    if visit.start_date <= first and last <= visit.end_date:
        return None
    return ProgrammeWarning(
        code=OUTSIDE_DATES,
        item_id=item.pk,
        item_title=item.title,
        message=_("“%(item)s” on %(day)s is outside the visit's dates (%(first)s – %(last)s).")
        % {
            "item": item.title,
            "day": formats.date_format(first if first < visit.start_date else last),
            "first": formats.date_format(visit.start_date),
            "last": formats.date_format(visit.end_date),
        },
    )


def _other_events(
    visit: Visit, window: tuple[datetime.datetime, datetime.datetime], person_ids: set[int]
) -> list[_Event]:
    """Other visits' items and all meetings in the window with a room or one of the people.

    Four queries whatever the number of items: the items, their participants among the
    people, the meetings, and theirs.
    """
    start, end = window
    item_people = ProgrammeItem.participants.through.objects.filter(
        person_id__in=person_ids,
        programmeitem__starts_at__lt=end,
        programmeitem__ends_at__gt=start,
    ).exclude(programmeitem__visit=visit)
    items = (
        ProgrammeItem.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(visit=visit)
        .filter(
            ~Q(place="")
            | Q(responsible_id__in=person_ids)
            | Q(pk__in=item_people.values("programmeitem_id"))
        )
        .values_list(
            "pk",
            "uid",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "responsible_id",
            "visit_id",
            "visit__title",
            "visit__uuid",
        )
    )
    events: dict[tuple[str, int], _Event] = {}
    for row in items:
        pk, uid, title, starts_at, ends_at, place, responsible_id, visit_id, v_title, v_uuid = row
        event = _Event(
            key=("item", pk),
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=room_key(place),
            visit_id=visit_id,
            visit_title=v_title,
            url=item_url(v_uuid, uid),
        )
        if responsible_id in person_ids:
            event.people.add(responsible_id)
        events[event.key] = event
    for item_id, person_id in item_people.values_list("programmeitem_id", "person_id"):
        if ("item", item_id) in events:
            events[("item", item_id)].people.add(person_id)

    in_window = Q(starts_at__lt=end) & (
        Q(ends_at__gt=start) | Q(ends_at__isnull=True, starts_at__gte=start)
    )
    meeting_people = Meeting.participants.through.objects.filter(
        Q(person_id__in=person_ids),
        Q(meeting__starts_at__lt=end)
        & (
            Q(meeting__ends_at__gt=start)
            | Q(meeting__ends_at__isnull=True, meeting__starts_at__gte=start)
        ),
    )
    meetings = (
        Meeting.objects.filter(in_window)
        .filter(~Q(place="") | Q(pk__in=meeting_people.values("meeting_id")))
        .values_list(
            "pk", "uuid", "title", "starts_at", "ends_at", "place", "visit_id", "visit__title"
        )
    )
    for pk, uuid, title, starts_at, ends_at, place, visit_id, v_title in meetings:
        events[("meeting", pk)] = _Event(
            key=("meeting", pk),
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=room_key(place),
            visit_id=visit_id,
            visit_title=v_title or "",
            url=_meeting_url(uuid),
            meeting_id=pk,
        )
    for meeting_id, person_id in meeting_people.values_list("meeting_id", "person_id"):
        if ("meeting", meeting_id) in events:
            events[("meeting", meeting_id)].people.add(person_id)
    return list(events.values())


def _meeting_url(uuid) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("meetings:meeting_detail", args=[uuid])
    except NoReverseMatch:  # the meetings pages are optional for this module
        return ""


def _same_event(item: _Event, other: _Event, visit: Visit) -> bool:
    """A meeting of this visit starting with an item is that item's record, not a clash.

    Round tables are both a programme item (when and where) and a meeting (minutes,
    decisions); comparing the two would warn about every participant.
    """
    return (
        other.meeting_id is not None
        and other.visit_id == visit.pk
        and other.starts_at == item.starts_at
    )


def _hidden_events(events: list[_Event], user) -> set[tuple[str, int]]:
    """Events of visits or meetings the user may not see (two queries at most)."""
    if not events:
        return set()
    visit_ids = {e.visit_id for e in events if e.visit_id is not None}
    meeting_ids = {e.meeting_id for e in events if e.meeting_id is not None}
    visible_visits = set(
        Visit.objects.visible_to(user).filter(pk__in=visit_ids).values_list("pk", flat=True)
    )
    visible_meetings = (
        set(
            Meeting.objects.visible_to(user).filter(pk__in=meeting_ids).values_list("pk", flat=True)
        )
        if meeting_ids
        else set()
    )
    hidden = set()
    for event in events:
        if event.visit_id is not None and event.visit_id not in visible_visits:
            hidden.add(event.key)
        if event.meeting_id is not None and event.meeting_id not in visible_meetings:
            hidden.add(event.key)
    return hidden


def _name_of(event: _Event, hidden: set[tuple[str, int]], visit: Visit) -> tuple[str, str]:
    """How a warning names the other event, and its link ("" when it may not be shown)."""
    if event.key in hidden:
        return _("another event you may not see"), ""
    if event.key[0] == "meeting":
        if event.visit_id is not None:
            return _("the meeting “%(title)s” of the visit “%(visit)s”") % {
                "title": event.title,
                "visit": event.visit_title,
            }, event.url
        return _("the meeting “%(title)s”") % {"title": event.title}, event.url
    if event.visit_id != visit.pk:
        return _("“%(title)s” of the visit “%(visit)s”") % {
            "title": event.title,
            "visit": event.visit_title,
        }, event.url
    return f"“{event.title}”", event.url


def item_url(visit_uuid, item_uid) -> str:
    """An item's place on its visit's programme tab."""
    return reverse("visits:visit_tab", args=[visit_uuid, "programme"]) + f"#item-{item_uid}"
