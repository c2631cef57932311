"""Template context every page needs: the menu (``site.NAVIGATION``), marked with the current
section, and the count of unread notifications."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from unibridge.core.models import Notification

from .site import NAVIGATION


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
    return Notification.objects.for_user(user).unread().count()
