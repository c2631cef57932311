"""Choice lists of the institutions app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionType(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    COMPANY = "company", _("Company")
    FUNDER = "funder", _("Funder")
    MINISTRY = "ministry", _("Ministry or government body")
    OTHER = "other", _("Other")


class UnitType(models.TextChoices):
    FACULTY = "faculty", _("Faculty")
    INSTITUTE = "institute", _("Institute")
    DEPARTMENT = "department", _("Department")
    LABORATORY = "laboratory", _("Laboratory")
    CENTRE = "centre", _("Centre")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class PartnershipStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    DEVELOPING = "developing", _("Developing")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    ENDED = "ended", _("Ended")


class PartnershipPriority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CooperationArea(models.TextChoices):
    """Shared with agreements: what a partnership or agreement covers."""

    JOINT_RESEARCH = "joint_research", _("Joint research")
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
    STAFF_EXCHANGE = "staff_exchange", _("Staff exchange")
    INTERNSHIPS = "internships", _("Internships")
    EDUCATIONAL_PROGRAMMES = "educational_programmes", _("Educational programmes")
    INTERNATIONAL_PROJECTS = "international_projects", _("International projects")
    OTHER = "other", _("Other")


class LanguageCode(models.TextChoices):
    """Languages people speak (ISO 639-1), the ones an international office meets most."""

    EN = "en", _("English")
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")
    PL = "pl", _("Polish")
    DE = "de", _("German")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    IT = "it", _("Italian")
    TR = "tr", _("Turkish")
    ZH = "zh", _("Chinese")
    KO = "ko", _("Korean")
    JA = "ja", _("Japanese")
    AR = "ar", _("Arabic")
    UZ = "uz", _("Uzbek")
    KY = "ky", _("Kyrgyz")
    UK = "uk", _("Ukrainian")
    CS = "cs", _("Czech")
    LT = "lt", _("Lithuanian")
    HU = "hu", _("Hungarian")
    PT = "pt", _("Portuguese")
