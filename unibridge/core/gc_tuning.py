"""The garbage collector's settings for long-running web processes (gunicorn workers, the bench).

A list page allocates tens of thousands of short-lived objects. With automatic collection,
a young pass runs in the middle of a request, while its querysets, records and template
nodes are all alive: they survive into the middle generation, and every twentieth young
pass scans that whole generation, adding 20–35 ms to one request in ten. Reference counting
frees almost everything a request made once its response is built; only reference cycles
wait for the collector.

So in a web worker the collector does not run inside a request: it is switched off after
the fork, and :func:`after_request` (gunicorn's ``post_request`` hook, after the response
was sent) runs a young pass over what the request left, the middle generation every
``MIDDLE_EVERY`` requests and a full pass every ``FULL_EVERY``. The start-up heap is frozen
before the workers fork, out of every pass's reach. Other processes (the task worker,
management commands) keep Python's defaults.
"""

import gc

MIDDLE_EVERY = 16
FULL_EVERY = 1024

_requests = 0


def freeze_startup_heap() -> None:
    """Collect once, then exempt every object alive now from later collections."""
    gc.collect()
    gc.freeze()


def tune_collector() -> None:
    """In a web worker: no automatic collection (see :func:`after_request`)."""
    gc.disable()


def after_request() -> None:
    """Collect what the request left behind; called once its response is out."""
    global _requests
    _requests += 1
    if _requests % FULL_EVERY == 0:
        gc.collect(2)
    elif _requests % MIDDLE_EVERY == 0:
        gc.collect(1)
    else:
        gc.collect(0)
