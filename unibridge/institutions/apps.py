from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "unibridge.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Institution, OrganizationalUnit, Partnership, Person

        auditlog.register(Institution)
        auditlog.register(OrganizationalUnit, exclude_fields=["path", "depth"])
        auditlog.register(Person)
        auditlog.register(Partnership, m2m_fields={"home_units", "responsible_people"})
