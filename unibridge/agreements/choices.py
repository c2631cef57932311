"""Choice lists of the agreements app; EWP IIA v7 codes as values where they exist."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SIGNING = "signing", _("Signing")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    SUPERSEDED = "superseded", _("Superseded")


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignatureMethod(models.TextChoices):
    INK = "ink", _("Ink")
    ELECTRONIC = "electronic", _("Electronic")


class MobilityType(models.TextChoices):
    """The four EWP IIA v7 mobility specifications."""

    STUDENT_STUDIES = "student-studies", _("Student mobility for studies")
    STUDENT_TRAINEESHIP = "student-traineeship", _("Student traineeship")
    STAFF_TEACHING = "staff-teacher", _("Staff mobility for teaching")
    STAFF_TRAINING = "staff-training", _("Staff mobility for training")

    @classmethod
    def for_students(cls) -> set[str]:
        return {cls.STUDENT_STUDIES, cls.STUDENT_TRAINEESHIP}


class EqfLevel(models.TextChoices):
    """EQF levels an IIA may name (v7 allows 5 to 8)."""

    SHORT_CYCLE = "5", _("EQF 5 — short cycle")
    BACHELOR = "6", _("EQF 6 — bachelor")
    MASTER = "7", _("EQF 7 — master")
    DOCTORATE = "8", _("EQF 8 — doctorate")


class CefrLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
