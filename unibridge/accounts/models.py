"""Users, their roles and the organisational units they coordinate."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from unibridge.core.models import in_reader_language

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


class Duty(models.Model):
    """A duty people hold besides their role, such as the legal office or the head of a unit.

    Approval routes assign their steps to a duty (or to one person): whoever holds it then
    decides. A duty held per unit (head of unit) is held for one unit and the units under it;
    its route step waits for the holders in the agreement's home units.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, help_text=_("Such as “Legal office”."))
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=120, blank=True)
    name_kk = models.CharField(_("name in Kazakh"), max_length=120, blank=True)
    name_pl = models.CharField(_("name in Polish"), max_length=120, blank=True)
    per_unit = models.BooleanField(
        _("held per unit"),
        default=False,
        help_text=_("Such as the head of unit: each holder holds it for one unit."),
    )

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self, "name")


class DutyHolder(models.Model):
    """One user holding a duty (for one unit when the duty is held per unit)."""

    duty = models.ForeignKey(
        Duty, on_delete=models.CASCADE, related_name="holders", verbose_name=_("duty")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="duties", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        "institutions.OrganizationalUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_holders",
        verbose_name=_("unit"),
        help_text=_("Only for a duty held per unit; it covers the units under it too."),
    )

    class Meta:
        verbose_name = _("duty holder")
        verbose_name_plural = _("duty holders")
        ordering = ["duty", "unit", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty", "user", "unit"],
                name="duty_holder_unique_unit",
                violation_error_message=_("This user already holds this duty for this unit."),
            ),
            # NULL units are distinct in a unique index: the duty held without a unit, once
            models.UniqueConstraint(
                fields=["duty", "user"],
                condition=models.Q(unit__isnull=True),
                name="duty_holder_unique",
                violation_error_message=_("This user already holds this duty."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duty}: {self.user}" + (f" ({self.unit})" if self.unit_id else "")

    def clean(self) -> None:
        if self.duty_id is None:
            return
        if self.duty.per_unit and self.unit_id is None:
            raise ValidationError(
                {"unit": _("“%(duty)s” is held per unit: choose the unit.") % {"duty": self.duty}}
            )
        if not self.duty.per_unit and self.unit_id is not None:
            raise ValidationError(
                {
                    "unit": _("“%(duty)s” is not held per unit: leave the unit empty.")
                    % {"duty": self.duty}
                }
            )
