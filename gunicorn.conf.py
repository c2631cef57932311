"""Gunicorn in production: ``gunicorn -c gunicorn.conf.py unibridge.wsgi``.

The application is loaded once in the master and the workers fork from it, sharing its
memory. The start-up heap (Django, the URL conf, translations, templates) is then frozen
out of the garbage collector's reach, and the workers collect between requests, not inside
them (``unibridge.core.gc_tuning``).
"""

import multiprocessing
import os

from unibridge.core.gc_tuning import after_request, freeze_startup_heap, tune_collector

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# CPU-bound requests: two sync workers per core keep both cores busy while one waits on SQL.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
preload_app = True
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# The combined log format with the request id (the X-Request-ID response header, see
# unibridge.core.request_id) in place of identd's "-" and our user name in place of HTTP
# basic auth's, then the time taken in ms: tools that read combined logs still read it, and
# the id finds the application's lines of the same request.
access_log_format = (
    '%(h)s %({x-request-id}o)s %({unibridge.user}e)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
    " %(M)sms"
)


def when_ready(server):
    # Runs in the master after the app is preloaded and before any worker is forked.
    freeze_startup_heap()


def post_fork(server, worker):
    tune_collector()


def post_request(worker, req, environ, resp):
    # after the response was sent: the collector's pass does not delay it
    after_request()
