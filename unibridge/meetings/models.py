"""Meetings: inside a visit or standalone, with minutes, decisions and action items.

A meeting may belong to a visit, so this app reads visits' models; visits never import it
at model level (their pages read meetings through :mod:`unibridge.meetings.selectors`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement
from unibridge.core import fields
from unibridge.core.links import record_url
from unibridge.core.models import PublicModel, TimeStampedModel
from unibridge.core.permissions import UnitScopedQuerySet
from unibridge.core.translations import TranslatableModel
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.visits.models import Visit, default_time_zone, validate_time_zone

from .choices import ActionItemStatus, MeetingKind


class MeetingQuerySet(UnitScopedQuerySet):
    def involving(self, user) -> models.QuerySet:
        """Meetings with a home unit of their own or of their visit among the user's units."""
        ids = user.unit_scope_ids
        return Meeting.objects.filter(Q(home_units__in=ids) | Q(visit__home_units__in=ids)).values(
            "pk"
        )


class Meeting(TranslatableModel, PublicModel):
    """A meeting inside a visit, or standalone (a round table, an online meeting)."""

    translatable_fields = ("title", "agenda", "place")

    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
    )
    partner = models.ForeignKey(
        Institution,
        verbose_name=_("partner institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        help_text=_("For a standalone meeting; a visit's meetings take the visit's partner."),
    )
    home_units = models.ManyToManyField(
        OrganizationalUnit, verbose_name=_("home units involved"), blank=True, related_name="+"
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.ROUND_TABLE
    )
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    place = models.CharField(_("place or room"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), blank=True, related_name="meetings"
    )
    agenda = fields.TextField(
        _("agenda"), max_length=fields.NOTES, blank=True, help_text=_("One point per line.")
    )
    minutes = fields.TextField(
        _("minutes"),
        max_length=fields.RICH_TEXT,
        blank=True,
        help_text=_("Formatted text; scripts and styles are removed."),
    )
    is_confidential = models.BooleanField(_("confidential"), default=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("meetings:meeting_detail", self.uuid)


class Decision(TranslatableModel, TimeStampedModel):
    """A decision a meeting took."""

    translatable_fields = ("text",)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    text = fields.TextField(_("decision"), max_length=fields.NOTES)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActionItemQuerySet":
        """Action items of the meetings the user may see."""
        if user.is_authenticated and user.is_office:  # every meeting: no subquery to plan
            return self
        return self.filter(meeting__in=Meeting.objects.visible_to(user).values("pk"))

    def editable_by(self, user) -> "ActionItemQuerySet":
        """Those of meetings the user may change, and the user's own (to mark them done)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(meeting__in=Meeting.objects.editable_by(user).values("pk")) | Q(owner__user=user)
        )

    def overdue(self, today) -> "ActionItemQuerySet":
        return self.filter(
            due_on__lt=today, status__in=[ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS]
        )


class ActionItem(TranslatableModel, PublicModel):
    """A follow-up a meeting agreed on: what, who, by when, for which partnership."""

    translatable_fields = ("description",)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    description = fields.TextField(_("what is to be done"), max_length=fields.NOTES)
    owner = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_item_status_due")]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return record_url("meetings:action_item_detail", self.uuid)
