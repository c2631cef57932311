from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "unibridge.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # search documents, partner timeline entries, action items in calendar feeds
        from . import calendar, search, timeline  # noqa: F401
        from .models import ActionItem, Decision, Meeting

        auditlog.register(Meeting, m2m_fields={"participants"})
        auditlog.register(Decision)
        auditlog.register(ActionItem)

        # action-item reminders for the daily job (registers its source)
        from . import reminders  # noqa: F401
