"""Template filters of ``core.zones``: ``{{ item.done_at|done_on|date:"DATE_FORMAT" }}``."""

import datetime

from django import template

from unibridge.core import zones

register = template.Library()


@register.filter(expects_localtime=False)
def done_on(value: datetime.datetime | datetime.date | None) -> datetime.date | None:
    """The day something was done, in the home zone (see :func:`unibridge.core.zones.done_on`)."""
    return zones.done_on(value)
