"""Addresses of records by their public id, without a URL resolver walk per record.

``reverse()`` walks the URL patterns on every call, about 25 µs: a list page, the search
and the exports link fifty records and more. The address of one kind of record differs
only in its id, so it is reversed once (per URL configuration and script prefix) with a
placeholder id, and each record's id is put in its place.
"""

import functools
import uuid

from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = uuid.UUID(int=0)


@functools.lru_cache(maxsize=256)
def _pattern(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


def record_url(name: str, public_id: uuid.UUID | str) -> str:
    """``reverse(name, args=[public_id])`` for a URL whose one argument is a ``<uuid:…>``."""
    pattern = _pattern(name, get_script_prefix(), get_urlconf())
    return pattern.replace(str(_PLACEHOLDER), str(uuid.UUID(str(public_id))), 1)
