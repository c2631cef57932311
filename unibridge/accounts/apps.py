from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "unibridge.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_seen
        from .models import User

        user_logged_in.connect(mark_seen, dispatch_uid="accounts.mark_seen")

        auditlog.register(
            User,
            exclude_fields=["password", "last_login"],
            m2m_fields={"units", "groups"},
        )
