from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "unibridge.visits"
    label = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            ChecklistItem,
            ChecklistTemplateItem,
            NewsDraft,
            NewsPublication,
            ProgrammeItem,
            Visit,
            VisitDocument,
            VisitParticipant,
        )

        auditlog.register(Visit, m2m_fields={"agreements", "responsible_people"})
        auditlog.register(VisitParticipant)
        auditlog.register(ProgrammeItem, m2m_fields={"participants"})
        auditlog.register(ChecklistTemplateItem)
        auditlog.register(ChecklistItem)
        auditlog.register(VisitDocument, exclude_fields=["file"])
        auditlog.register(NewsDraft)
        auditlog.register(NewsPublication)
