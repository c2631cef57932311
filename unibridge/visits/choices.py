"""Choice lists of the visits app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("visit status", "Planned")
    CONFIRMED = "confirmed", pgettext_lazy("visit status", "Confirmed")
    ONGOING = "ongoing", pgettext_lazy("visit status", "Ongoing")
    COMPLETED = "completed", pgettext_lazy("visit status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("visit status", "Cancelled")


class ParticipantSide(models.TextChoices):
    DELEGATION = "delegation", _("Delegation")
    HOME = "home", _("Home participants")


class DelegationRole(models.TextChoices):
    HEAD = "head", _("Head of delegation")
    MEMBER = "member", _("Member")
    INTERPRETER = "interpreter", _("Interpreter")


class ProgrammeItemKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    ROUND_TABLE = "round_table", _("Round table")
    LAB_TOUR = "lab_tour", _("Laboratory tour")
    LECTURE = "lecture", _("Lecture")
    SIGNING = "signing", _("Signing ceremony")
    CULTURAL = "cultural", _("Cultural programme")
    TRANSFER = "transfer", _("Transfer")


class NewsLanguage(models.TextChoices):
    EN = "en", "English"
    RU = "ru", "Русский"
    KK = "kk", "Қазақша"
    PL = "pl", "Polski"


class NewsStatus(models.TextChoices):
    """The news draft's way to the public: written, approved by the office, published."""

    DRAFT = "draft", pgettext_lazy("news status", "Draft")
    APPROVED = "approved", pgettext_lazy("news status", "Approved")
    PUBLISHED = "published", pgettext_lazy("news status", "Published")


class PublicationChannel(models.TextChoices):
    """Where a news item appeared."""

    HOME_SITE = "home_site", _("The university's website")
    PARTNER_SITE = "partner_site", _("The partner's website")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER = "other", _("Other")
