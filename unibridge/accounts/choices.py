"""Choices of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user may see and change (see ``User.is_office`` and the models' ``visible_to``)."""

    ADMIN = "admin", _("Administrator")
    OFFICE = "office", _("International office")
    COORDINATOR = "coordinator", _("Unit coordinator")
    VIEWER = "viewer", _("Viewer (leadership)")
