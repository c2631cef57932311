"""Middleware of the shared mechanisms: the health check, the viewer's time zone.

``HealthCheckMiddleware`` answers ``/healthz`` first in the chain, before the session, the
user and the locale are read: a probe that carries a session cookie still costs one query.

Times are shown in the viewer's own time zone.

The browser tells its zone (``Intl.DateTimeFormat().resolvedOptions().timeZone``) in the
``tz`` cookie, set by a line of script in the base template; without it, or with a name that
is not a time zone, the installation's ``TIME_ZONE`` applies. A programme entered in the
host's zone is then shown to a colleague abroad in theirs as well.
"""

import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .views import healthz

COOKIE = "tz"


@lru_cache(maxsize=64)
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64 or name not in zoneinfo.available_timezones():
        return None
    return zoneinfo.ZoneInfo(name)


class HealthCheckMiddleware:
    """``/healthz`` (``core.views.healthz``) without the rest of the middleware."""

    PATH = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == self.PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _zone(request.COOKIES.get(COOKIE, ""))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
