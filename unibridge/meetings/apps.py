from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "unibridge.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import ActionItem, Decision, Meeting

        auditlog.register(Meeting, m2m_fields={"participants"})
        auditlog.register(Decision)
        auditlog.register(ActionItem)
