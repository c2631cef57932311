from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "unibridge.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import DocumentTemplate

        # who replaced a document template, when: generated documents depend on it
        auditlog.register(DocumentTemplate, exclude_fields=["file"])
