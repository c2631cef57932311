"""Template context every page needs: the navigation, marked with the current section."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("institutions", _("Institutions"), "institutions:institution_list"),
    ("partnerships", _("Partnerships"), "institutions:partnership_list"),
    ("agreements", _("Agreements"), "agreements:agreement_list"),
    ("visits", _("Visits"), "visits:visit_list"),
    ("meetings", _("Meetings"), "meetings:meeting_list"),
    ("people", _("People"), "institutions:person_list"),
    ("units", _("Units"), "institutions:unit_list"),
]


def navigation(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    section = getattr(match, "url_name", "") or ""
    context = {"navigation": NAVIGATION, "nav_section": section.split("_")[0]}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Counted only when a page shows it (one indexed query).
        context["unread_notification_count"] = SimpleLazyObject(lambda: _unread_count(user))
    return context


def _unread_count(user) -> int:
    from .models import Notification

    return Notification.objects.for_user(user).unread().count()
