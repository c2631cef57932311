"""Users, their roles and the organisational units they coordinate."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from .choices import Role


class User(AbstractUser):
    """A person who logs in; what they may see and change follows from role and units."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    units = models.ManyToManyField(
        "institutions.OrganizationalUnit",
        verbose_name=_("coordinated units"),
        blank=True,
        related_name="coordinators",
        help_text=_("A unit coordinator edits the records of these units and their sub-units."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    # The secret part of the user's private iCalendar feed URL; a new one revokes the old.
    calendar_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    # AbstractBaseUser keeps a raw password here from set_password to the save (its stubs
    # leave the attribute out).
    _password: str | None

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_dropped = True

    def save(self, *args, **kwargs) -> None:
        """Save; a changed password also revokes the user's API tokens (sessions end by
        themselves: Django ties them to the password's hash)."""
        # set_password keeps the raw password until the save; a hash upgrade at sign-in does
        # not, so it revokes nothing.
        password_changed = self._password is not None or getattr(self, "_password_dropped", False)
        if self._state.adding or not password_changed:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            Token.objects.filter(user=self).delete()
        self._password_dropped = False

    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_office(self) -> bool:
        """Administrators and international office staff see and change everything."""
        return self.is_active and (self.role in (Role.ADMIN, Role.OFFICE) or self.is_superuser)

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == Role.COORDINATOR

    @property
    def can_write(self) -> bool:
        return self.is_office or self.is_coordinator

    @cached_property
    def unit_scope_ids(self) -> frozenset[int]:
        """Ids of the coordinated units and all their sub-units (empty for other roles)."""
        if not self.is_coordinator:
            return frozenset()
        from unibridge.institutions.models import OrganizationalUnit

        return OrganizationalUnit.objects.subtree_ids(self.units.all())
