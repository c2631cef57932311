"""Columns of the meetings and action items lists, and the action items' bulk actions."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy, ngettext

from unibridge.core.bulk import BulkAction
from unibridge.core.tables import Column, choice_label
from unibridge.institutions.forms import home_person_field
from unibridge.institutions.models import Person

from . import services
from .choices import ActionItemStatus
from .models import ActionItem, Meeting
from .selectors import local_time

MEETING_COLUMNS = [
    Column("title", gettext_lazy("Title"), lambda m: m.title, ("title",), link=True),
    Column("kind", gettext_lazy("Type"), choice_label(Meeting, "kind"), ("kind",)),
    Column(
        "starts",
        gettext_lazy("Starts"),
        lambda m: local_time(m.starts_at, m.time_zone),
        ("starts_at",),
    ),
    Column(
        "partner",
        gettext_lazy("Partner"),
        lambda m: m.partner.display_name if m.partner else "",
        ("partner__name",),
    ),
    Column("visit", gettext_lazy("Visit"), lambda m: m.visit.title if m.visit else ""),
]


# --- The action items list and its bulk actions (core.bulk, through meetings.services) -------


def _owner(item: ActionItem) -> str:
    return str(item.owner) if item.owner else ""  # None when hidden (views: hide_unseen)


ACTION_ITEM_COLUMNS = [
    Column(
        "description",
        gettext_lazy("What"),
        lambda i: Truncator(i.description).chars(120),
        ("description",),
        link=True,
    ),
    Column(
        "meeting",
        gettext_lazy("Meeting"),
        lambda i: i.meeting.title if i.meeting else "",
        ("meeting__title",),
    ),
    Column("owner", gettext_lazy("Owner"), _owner, ("owner__name_latin",)),
    Column("due", gettext_lazy("Due on"), lambda i: i.due_on, ("due_on",)),
    Column("status", gettext_lazy("Status"), choice_label(ActionItem, "status"), ("status",)),
]


def _status_field(user) -> forms.Field:
    return forms.ChoiceField(label=gettext_lazy("New status"), choices=ActionItemStatus.choices)


def _set_status(item: ActionItem, user, status: str) -> None:
    services.action_item_set_status(item=item, user=user, status=status)


def _status_done(count: int, status: str) -> str:
    return ngettext(
        "%(count)d action item moved to %(status)s.",
        "%(count)d action items moved to %(status)s.",
        count,
    ) % {"count": count, "status": ActionItemStatus(status).label}


def _owner_field(user) -> forms.Field:
    return home_person_field(user, gettext_lazy("Owner"))


def _assign(item: ActionItem, user, person: Person) -> None:
    services.action_item_update(item=item, user=user, values={"owner": person})


def _assign_done(count: int, person: Person) -> str:
    return ngettext(
        "%(name)s now owns %(count)d action item.",
        "%(name)s now owns %(count)d action items.",
        count,
    ) % {"name": person.name_native, "count": count}


ACTION_ITEM_BULK_ACTIONS = [
    BulkAction("status", gettext_lazy("Change status"), _set_status, _status_done, _status_field),
    BulkAction(
        "owner", gettext_lazy("Assign responsible person"), _assign, _assign_done, _owner_field
    ),
]
