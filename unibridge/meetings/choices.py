"""Choice lists of the meetings app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    ROUND_TABLE = "round_table", _("Round table")
    MEETING = "meeting", _("Meeting")
    ONLINE = "online", _("Online meeting")


class ActionItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "In progress")
    DONE = "done", pgettext_lazy("action item status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action item status", "Cancelled")
