"""Request ids: every log line and audit entry of one request carries the same short id.

A request keeps the id its proxy gave it in ``X-Request-ID`` when that is safe to write into
a log line (up to 64 letters, digits, dots, underscores and hyphens); any other value is
replaced by a new one (uuid4 hex). The response sends the id back in ``X-Request-ID``: the
id a user reads from an error report finds every line of that request, and its audit
entries (``AUDITLOG_CID_GETTER`` is :func:`get`, so ``LogEntry.cid`` is the id).

The id stays in a context variable from :class:`RequestIdMiddleware` until the response is
closed (``request_finished``), not only while the middleware runs: Django writes its "Not
Found: /x" line after the middleware chain has returned, and runserver its request line
after that. A job queued by the request keeps the id (``core.jobs.start``) and the task
worker's lines and audit entries for that job carry it again (:func:`begin_task`).

:class:`RequestContextFilter` adds ``request_id`` and ``user`` to every log record;
:class:`OneLineClientErrors` drops the traceback Django attaches to a 403 or 400 (a refused
request is not a fault of the server); settings.LOGGING puts both on the console handler.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

HEADER = "X-Request-ID"
# Where gunicorn's access log (gunicorn.conf.py) reads the user: the WSGI environ is
# request.META, and a response header would tell the user name to the client.
ENVIRON_USER = "unibridge.user"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NONE = "-"


@dataclass(frozen=True, slots=True)
class Context:
    request_id: str
    # The request being served, read for its user once authentication has run.
    request: HttpRequest | None = None
    # Outside a request (a task worker's job): who asked for the work.
    username: str = NONE
    # Set by begin_task, so that end_task ends only what it began.
    task: bool = False


_current: ContextVar[Context | None] = ContextVar("unibridge_request", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def safe_id(value: str | None) -> str | None:
    """``value`` when it may be used as a request id as it is, otherwise None."""
    if value and SAFE_ID.fullmatch(value):
        return value
    return None


def get() -> str | None:
    """The current request id (also the audit log's correlation id); None outside requests."""
    context = _current.get()
    return context.request_id if context else None


def current_user() -> str:
    """The user name of the current request or job, "-" for nobody."""
    context = _current.get()
    if context is None:
        return NONE
    if context.request is None:
        return context.username
    return _username(context.request)


def _username(request: HttpRequest) -> str:
    # Only a user authentication has already resolved: resolving it here would run queries
    # from inside a log call (and log them, at DEBUG).
    user: Any = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return NONE
    if user is None or not getattr(user, "is_authenticated", False):
        return NONE
    return str(user.get_username()) or NONE


def clear() -> None:
    _current.set(None)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = safe_id(request.headers.get(HEADER)) or new_id()
        _current.set(Context(request_id=request_id, request=request))
        response = self.get_response(request)
        response.setdefault(HEADER, request_id)
        request.META[ENVIRON_USER] = _username(request)
        return response


def _end_request(**kwargs: object) -> None:
    clear()


# weak=False: a module-level function, connected once when the middleware module loads.
request_finished.connect(_end_request, weak=False, dispatch_uid="unibridge.request_id.end")


# --- Task worker ------------------------------------------------------------------------------


def begin_task(task_id: str) -> None:
    """A Huey task starts: its lines get the task's id, unless a request runs it inline."""
    if _current.get() is None:
        _current.set(Context(request_id=safe_id(task_id) or new_id(), task=True))


def adopt_job(request_id: str | None, username: str) -> None:
    """The running task works on a job: carry the id of the request that queued it."""
    context = _current.get()
    if context is not None and context.task:
        _current.set(
            replace(
                context,
                request_id=safe_id(request_id) or context.request_id,
                username=username or NONE,
            )
        )


def end_task() -> None:
    context = _current.get()
    if context is not None and context.task:
        clear()


# --- Logging ----------------------------------------------------------------------------------


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` ("-" when there is none) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = get() or NONE
        if not hasattr(record, "user"):
            record.user = current_user()
        return True


class OneLineClientErrors(logging.Filter):
    """No traceback for a 4xx response: Django attaches one to "Forbidden (Permission
    denied)" and to refused input (django.security); a 500 keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
