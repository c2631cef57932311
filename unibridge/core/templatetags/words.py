"""Template filters for text a reader sees: cut titles, days and moments in their language."""

import datetime

from django import template

from unibridge.core import history, text

register = template.Library()


@register.filter
def ellipsis(value: object, limit: int = 80) -> str:
    """``{{ title|ellipsis:60 }}``: at most 60 characters, cut after a word, ending in “…”."""
    return text.ellipsis(value, int(limit))


@register.filter
def minute(value: datetime.datetime | None) -> str:
    """``{{ entry.timestamp|minute }}``: “6 Dec 2026, 14:05” in the reader's time zone."""
    return history.minute(value)


@register.filter
def day(value: datetime.date | None) -> str:
    """``{{ entry.when|day }}``: “17 Apr 2025” in the reader's language (and zone)."""
    return history.day(value)
