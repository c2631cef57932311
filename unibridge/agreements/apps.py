from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "unibridge.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import (
            Agreement,
            AgreementDocument,
            AgreementParty,
            AgreementType,
            ApprovalStep,
            CooperationCondition,
            LanguageRequirement,
            Signature,
            SubjectArea,
        )

        auditlog.register(AgreementType)
        auditlog.register(Agreement, m2m_fields={"responsible_people"})
        auditlog.register(AgreementParty, m2m_fields={"units"})
        auditlog.register(ApprovalStep)
        auditlog.register(Signature)
        auditlog.register(CooperationCondition)
        auditlog.register(SubjectArea)
        auditlog.register(LanguageRequirement)
        # file names and checksums, not the files: who added or marked which version, when
        auditlog.register(AgreementDocument, exclude_fields=["file"])
