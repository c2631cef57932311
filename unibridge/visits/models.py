"""Visits: incoming and outgoing delegations, their members, programme and logistics; visit
documents and the news draft generated from the record. Meetings live in
:mod:`unibridge.meetings`."""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement
from unibridge.core import fields
from unibridge.core.links import record_url
from unibridge.core.models import PublicModel, StoredDocument, TimeStampedModel
from unibridge.core.permissions import UnitScopedQuerySet
from unibridge.core.translations import TranslatableModel
from unibridge.core.zones import NOT_A_TIME_ZONE, is_time_zone
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from .choices import (
    DelegationRole,
    Direction,
    NewsLanguage,
    NewsStatus,
    ParticipantSide,
    ProgrammeItemKind,
    PublicationChannel,
    VisitStatus,
)


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(NOT_A_TIME_ZONE, code="invalid_time_zone", params={"value": value})


def default_time_zone() -> str:
    return settings.TIME_ZONE


# --- Visits --------------------------------------------------------------------------------------


class VisitQuerySet(UnitScopedQuerySet):
    def involving(self, user) -> models.QuerySet:
        """Visits with a home unit among the user's units."""
        return Visit.home_units.through.objects.filter(
            organizationalunit_id__in=user.unit_scope_ids
        ).values("visit_id")


class Visit(TranslatableModel, PublicModel):
    """A delegation visit: who comes from where, to whom, when, why, and how it went."""

    translatable_fields = ("title", "purpose", "goals")

    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCOMING
    )
    title = models.CharField(_("title"), max_length=300)
    visiting_institution = models.ForeignKey(
        Institution,
        verbose_name=_("visiting institution"),
        on_delete=models.PROTECT,
        related_name="visits_made",
    )
    host_institution = models.ForeignKey(
        Institution,
        verbose_name=_("host institution"),
        on_delete=models.PROTECT,
        related_name="visits_hosted",
    )
    host_unit = models.ForeignKey(
        OrganizationalUnit,
        verbose_name=_("host unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits_hosted",
    )
    home_units = models.ManyToManyField(
        OrganizationalUnit,
        verbose_name=_("home units involved"),
        blank=True,
        related_name="visits",
        help_text=_("Their coordinators work on the visit."),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("host's time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Programme times are entered in it, such as Asia/Almaty or Europe/Warsaw."),
    )
    purpose = fields.TextField(_("purpose"), max_length=fields.NOTES, blank=True)
    goals = fields.TextField(
        _("goals"), max_length=fields.NOTES, blank=True, help_text=_("One per line.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    cancellation_reason = fields.TextField(
        _("reason for cancellation"), max_length=fields.SHORT_TEXT, blank=True
    )
    responsible_people = models.ManyToManyField(
        Person, verbose_name=_("responsible people"), blank=True, related_name="visits_responsible"
    )
    agreements = models.ManyToManyField(
        Agreement,
        verbose_name=_("agreements signed during the visit"),
        blank=True,
        related_name="visits",
    )
    notes = fields.TextField(_("internal notes"), max_length=fields.NOTES, blank=True)
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Visible only to the international office and the home units involved."),
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-start_date", "title"]
        indexes = [
            models.Index(fields=["-start_date", "title"], name="visit_default_order"),
            models.Index(fields=["status", "start_date"], name="visit_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="visit_end_not_before_start",
                violation_error_message=_("The last day cannot come before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("visits:visit_detail", self.uuid)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def partner(self) -> Institution:
        """The institution on the other side from the home university."""
        if self.direction == Direction.INCOMING:
            return self.visiting_institution
        return self.host_institution


class VisitParticipant(TranslatableModel, TimeStampedModel):
    """A delegation member or a home participant of a visit."""

    translatable_fields = ("function",)

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="participants", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="visit_participations"
    )
    side = models.CharField(
        _("side"),
        max_length=12,
        choices=ParticipantSide.choices,
        default=ParticipantSide.DELEGATION,
    )
    role = models.CharField(
        _("role in the delegation"),
        max_length=12,
        choices=DelegationRole.choices,
        default=DelegationRole.MEMBER,
    )
    function = models.CharField(
        _("function"), max_length=200, blank=True, help_text=_("Such as 'moderator'.")
    )
    needs_visa_invitation = models.BooleanField(_("needs a visa invitation"), default=False)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("visit participant")
        verbose_name_plural = _("visit participants")
        ordering = ["visit", "side", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "person"],
                name="visit_participant_unique_person",
                violation_error_message=_("This person already takes part in the visit."),
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class ProgrammeItem(TranslatableModel, TimeStampedModel):
    """One point of a visit's programme; times are stored in UTC, entered in the host's zone."""

    translatable_fields = ("title", "description", "place")

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="programme", verbose_name=_("visit")
    )
    # stable calendar UID: a re-imported .ics updates its events instead of duplicating them
    uid = models.UUIDField(_("calendar id"), unique=True, editable=False, default=uuid.uuid4)
    kind = models.CharField(
        _("type"),
        max_length=20,
        choices=ProgrammeItemKind.choices,
        default=ProgrammeItemKind.MEETING,
    )
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place or room"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    description = fields.TextField(_("description"), max_length=fields.NOTES, blank=True)
    responsible = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_items_responsible",
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), blank=True, related_name="programme_items"
    )

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["visit", "starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="programme_item_times")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="programme_item_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChecklistTemplateItem(models.Model):
    """A logistics task every visit of one direction starts with; administrators edit them."""

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    name = models.CharField(_("task"), max_length=200)
    name_ru = models.CharField(_("task in Russian"), max_length=200, blank=True)
    name_kk = models.CharField(_("task in Kazakh"), max_length=200, blank=True)
    name_pl = models.CharField(_("task in Polish"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    days_before_start = models.SmallIntegerField(
        _("due (days before the first day)"),
        default=7,
        help_text=_("Negative: after the first day (such as a report)."),
    )
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist template item")
        verbose_name_plural = _("checklist template items")
        ordering = ["direction", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(TimeStampedModel):
    """One logistics task of a visit: owner, due date, done."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("visit")
    )
    name = models.CharField(_("task"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checklist_items",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    # Set on the visit page's checklist by selectors.checklist_of (not a column).
    is_overdue: bool

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["visit", "order", "pk"]
        indexes = [models.Index(fields=["done", "due_on"], name="checklist_open_due")]

    def __str__(self) -> str:
        return self.name


# --- Documents and the news draft ---------------------------------------------------------------


class VisitDocumentKind(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    PHOTO = "photo", _("Photo")
    VISA_INVITATION = "visa_invitation", _("Visa invitation letter")
    PROGRAMME = "programme", _("Visit programme")
    ATTENDANCE_CERTIFICATE = "attendance_certificate", _("Certificate of attendance")
    NEWS = "news", _("News draft")


class VisitDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VisitDocumentQuerySet":
        """Documents of the visits the user may see; one issued for a member (a visa letter,
        a certificate) only to those who may see that member."""
        if user.is_authenticated and user.is_office:
            return self
        return self.filter(visit__in=Visit.objects.visible_to(user).values("pk")).filter(
            Q(participant__isnull=True)
            | Q(participant__person__in=Person.objects.visible_to(user).values("pk"))
        )


class VisitDocument(StoredDocument):
    """A file of a visit: an upload, a photo, or a document generated from its record."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="documents", verbose_name=_("visit")
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=VisitDocumentKind.choices,
        default=VisitDocumentKind.UPLOAD,
    )
    participant = models.ForeignKey(
        VisitParticipant,
        verbose_name=_("for participant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    objects = VisitDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit document")
        verbose_name_plural = _("visit documents")
        ordering = ["visit", "-created", "-pk"]


class NewsDraft(TimeStampedModel):
    """The news article about a visit in one language, generated from the record, editable."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="news_drafts", verbose_name=_("visit")
    )
    language = models.CharField(_("language"), max_length=2, choices=NewsLanguage.choices)
    title = models.CharField(_("title"), max_length=300)
    lead = fields.TextField(_("lead paragraph"), max_length=fields.NOTES)
    body = fields.TextField(
        _("body"),
        max_length=fields.LONG_TEXT,
        help_text=_("Paragraphs separated by an empty line."),
    )
    is_edited = models.BooleanField(
        _("edited by hand"),
        default=False,
        help_text=_("Generating again asks before replacing an edited draft."),
    )
    # draft → approved → published: see visits.publication_services
    status = models.CharField(
        _("status"), max_length=12, choices=NewsStatus.choices, default=NewsStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("news draft")
        verbose_name_plural = _("news drafts")
        ordering = ["visit", "language"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "language"], name="news_draft_unique_language")
        ]

    def __str__(self) -> str:
        return self.title


class NewsPublicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NewsPublicationQuerySet":
        """Publications of the news of visits the user may see."""
        if user.is_authenticated and user.is_office:
            return self
        return self.filter(draft__visit__in=Visit.objects.visible_to(user).values("pk"))


class NewsPublication(PublicModel):
    """Where and when a news draft appeared in its language: a site, social media, a paper.

    One draft may appear in several places (the university's site and the partner's).
    """

    draft = models.ForeignKey(
        NewsDraft,
        verbose_name=_("news draft"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    published_on = models.DateField(_("published on"))
    channel = models.CharField(_("channel"), max_length=20, choices=PublicationChannel.choices)
    url = models.URLField(_("link"), max_length=500)

    objects = NewsPublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("news publication")
        verbose_name_plural = _("news publications")
        ordering = ["-published_on", "pk"]
        indexes = [models.Index(fields=["published_on"], name="news_publication_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "url"],
                name="news_publication_unique_link",
                violation_error_message=_("This publication is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def language(self) -> str:
        return self.draft.language

    @property
    def language_label(self) -> str:
        return str(NewsLanguage(self.draft.language).label)
