"""Which apps feed the shared mechanisms: one explicit list per mechanism.

``core`` provides the mechanisms (search, the partner timeline, calendar feeds, reminders,
document templates, the demo) and knows no app. This module names, in one place, what each
app contributes; the project app (``unibridge/apps.py``) hands the lists to core once, at
start-up. A new app adds its lines here.
"""

from django.utils.translation import gettext_lazy as _

from unibridge.accounts import demo as accounts_demo
from unibridge.agreements import calendar as agreements_calendar
from unibridge.agreements import demo as agreements_demo
from unibridge.agreements import documents as agreements_documents
from unibridge.agreements import reminders as agreements_reminders
from unibridge.agreements import search as agreements_search
from unibridge.agreements import timeline as agreements_timeline
from unibridge.core import calendar, documents, notifications, search, timeline
from unibridge.institutions import demo as institutions_demo
from unibridge.institutions import search as institutions_search
from unibridge.institutions import timeline as institutions_timeline
from unibridge.meetings import calendar as meetings_calendar
from unibridge.meetings import reminders as meetings_reminders
from unibridge.meetings import search as meetings_search
from unibridge.meetings import timeline as meetings_timeline
from unibridge.visits import calendar as visits_calendar
from unibridge.visits import demo as visits_demo
from unibridge.visits import documents as visits_documents
from unibridge.visits import search as visits_search
from unibridge.visits import timeline as visits_timeline

# The global search: the records it finds (core.search).
SEARCH_DOCUMENTS = [
    institutions_search.INSTITUTIONS,
    institutions_search.UNITS,
    institutions_search.PEOPLE,
    institutions_search.PARTNERSHIPS,
    agreements_search.AGREEMENTS,
    visits_search.VISITS,
    meetings_search.MEETINGS,
    meetings_search.ACTION_ITEMS,
]

# The partner timeline: who adds entries to a partnership's history (core.timeline).
TIMELINE_PROVIDERS = [
    institutions_timeline.partnership_entries,
    agreements_timeline.agreement_entries,
    visits_timeline.visit_entries,
    meetings_timeline.meeting_entries,
]

# Each user's private iCalendar feed: the events in it (core.calendar).
CALENDAR_SOURCES = [
    agreements_calendar.agreement_events,
    visits_calendar.visit_events,
    meetings_calendar.action_item_events,
]

# The daily reminder digest and the Notifications page (core.notifications).
REMINDER_SOURCES = [
    agreements_reminders.agreement_reminders,
    meetings_reminders.action_item_reminders,
]
REMINDER_KINDS = {**agreements_reminders.KINDS, **meetings_reminders.KINDS}

# Document templates administrators upload are checked against these sample contexts.
DOCUMENT_SAMPLE_CONTEXTS = {
    "agreement": agreements_documents.sample_context,
    "visa_invitation": visits_documents.sample_visa_invitation_context,
    "visit_programme": visits_documents.sample_programme_context,
    "attendance_certificate": visits_documents.sample_attendance_certificate_context,
}

# The demo story, loaded in this order by ``manage.py load_demo``. Each loader is
#     load(*, actor, **earlier) -> dict
# where ``actor`` is the demo administrator (the audit trail names them for every write) and
# ``earlier`` holds everything the loaders before it returned (``home``, ``institutions``,
# ``units``, ``people``, ``partnerships``, ``users``…).
DEMO_LOADERS = [
    institutions_demo.load,
    accounts_demo.load,
    agreements_demo.load,
    visits_demo.load,
]

# The main menu: (section, label, URL name); a page is in the section its URL name starts with.
# The sidebar, by area: (area, [(section, label, URL name, icon, who sees it)]). A section is
# the first word of the URL names it covers ("agreement_list" → "agreement"), so the menu marks
# where the reader is. Mobility, research and reports join as their own areas.
NAVIGATION = [
    (
        _("Partners"),
        [
            (
                "institution",
                _("Institutions"),
                "institutions:institution_list",
                "building-bank",
                "",
            ),
            (
                "partnership",
                _("Partnerships"),
                "institutions:partnership_list",
                "heart-handshake",
                "",
            ),
            ("unit", _("Units"), "institutions:unit_list", "hierarchy-2", ""),
            ("person", _("People"), "institutions:person_list", "users", ""),
            ("activity", _("Recent activity"), "core:activity", "activity", ""),
        ],
    ),
    (
        _("Agreements"),
        [
            ("agreement", _("Agreements"), "agreements:agreement_list", "file-certificate", ""),
        ],
    ),
    (
        _("Visits & meetings"),
        [
            ("visit", _("Visits"), "visits:visit_list", "plane-arrival", ""),
            ("meeting", _("Meetings"), "meetings:meeting_list", "presentation", ""),
            ("action", _("Action items"), "meetings:action_item_list", "list-check", ""),
            ("my", _("My action items"), "meetings:my_action_items", "checklist", ""),
            ("overdue", _("Overdue"), "meetings:overdue_action_items", "alarm", "office"),
            ("calendar", _("Calendar"), "core:calendar", "calendar", ""),
        ],
    ),
]


def connect() -> None:
    """Hand the lists to core's mechanisms (once, from ``UniBridgeConfig.ready``)."""
    for document in SEARCH_DOCUMENTS:
        search.connect(document)
    for provider in TIMELINE_PROVIDERS:
        timeline.register_timeline(provider)
    for source in CALENDAR_SOURCES:
        calendar.register_calendar_source(source)
    for reminder_source in REMINDER_SOURCES:
        notifications.register_source(reminder_source)
    for kind, label in REMINDER_KINDS.items():
        notifications.register_kind(kind, label)
    for template_kind, factory in DOCUMENT_SAMPLE_CONTEXTS.items():
        documents.register_sample_context(template_kind, factory)
