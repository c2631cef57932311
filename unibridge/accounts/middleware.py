"""Sessions end after SESSION_IDLE_MINUTES without a request (SESSION_COOKIE_AGE seconds).

The session's expiry (cookie and stored row) is SESSION_COOKIE_AGE from its last save; this
middleware saves it again when it is used, at most once a minute so that pages do not write
on every request, and ends one whose last use is older than the idle time whatever the
session backend keeps.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

LAST_SEEN = "_last_seen"  # seconds since the epoch, in the session


def refresh_seconds() -> int:
    return min(60, settings.SESSION_COOKIE_AGE // 2)


def mark_seen(sender, request: HttpRequest, **kwargs) -> None:
    """user_logged_in receiver: a new session starts as just used."""
    request.session[LAST_SEEN] = int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.session_key is not None:  # a session cookie came
            self.touch(request.session)
        return self.get_response(request)

    @staticmethod
    def touch(session) -> None:
        last_seen = session.get(LAST_SEEN)
        if session.session_key is None:  # reading found no stored session: it had expired
            return
        now = int(time.time())
        if isinstance(last_seen, int) and now - last_seen > settings.SESSION_COOKIE_AGE:
            session.flush()
        elif not isinstance(last_seen, int) or now - last_seen >= refresh_seconds():
            session[LAST_SEEN] = now
