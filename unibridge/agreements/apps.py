from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "unibridge.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import search, timeline  # noqa: F401  (search documents, partner timeline)
        from .models import (
            Agreement,
            AgreementParty,
            AgreementType,
            ApprovalStep,
            CooperationCondition,
            Signature,
        )

        auditlog.register(AgreementType)
        auditlog.register(Agreement, m2m_fields={"responsible_people"})
        auditlog.register(AgreementParty, m2m_fields={"units"})
        auditlog.register(ApprovalStep)
        auditlog.register(Signature)
        auditlog.register(CooperationCondition)
