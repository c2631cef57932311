"""Template context every page needs: the sidebar (``site.NAVIGATION``) with the reader's
section marked, the section for the breadcrumbs, the count of unread notifications, the
languages by their own names and the version for the footer."""

from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from unibridge.core.models import Notification

from .site import NAVIGATION


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: str | Promise  # a lazy translation
    url: str
    icon: str
    current: bool


@cache
def _url(name: str) -> str:
    return reverse(name)


@cache
def version() -> str:
    try:
        return metadata.version("unibridge")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "dev"


def navigation(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    section = (getattr(match, "url_name", "") or "").split("_")[0]
    user: Any = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    menu = []
    current = None
    if user is not None and signed_in:
        for area, entries in NAVIGATION:
            items = [
                MenuItem(key, label, _url(url_name), icon, key == section)
                for key, label, url_name, icon, role in entries
                if not role or (role == "office" and user.is_office)
            ]
            current = current or next((item for item in items if item.current), None)
            if items:
                menu.append((area, items))
    context = {
        "navigation": menu,
        "nav_section": section,
        "current_section": current,
        # Each language by its own name, as settings.LANGUAGES spells it: Kazakh is
        # "Қазақша", the name Kazakh speakers give their language in a menu (CLDR's
        # "қазақ тілі" is the dictionary form).
        "interface_languages": settings.LANGUAGES,
        "search_label": _(
            "Search institutions, units, people, partnerships, agreements, visits, meetings "
            "and action items"
        ),
        "version": version(),
    }
    if signed_in:
        # Counted only when a page shows it (one indexed query).
        context["unread_notification_count"] = SimpleLazyObject(lambda: _unread_count(user))
    return context


def _unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()
