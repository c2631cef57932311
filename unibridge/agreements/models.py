"""Agreements: memoranda, framework, exchange, Erasmus+ and other agreements, their parties,
approvals, signatures and cooperation conditions (which map one-to-one onto EWP IIA v7)."""

from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unibridge.core import cldr, fields
from unibridge.core.fields import ChoiceListField
from unibridge.core.links import record_url
from unibridge.core.models import (
    DocumentTemplate,
    MultilingualNameMixin,
    PublicModel,
    StoredDocument,
    TimeStampedModel,
    in_reader_language,
)
from unibridge.core.permissions import UnitScopedQuerySet
from unibridge.core.translations import TranslatableModel
from unibridge.institutions.choices import CooperationArea
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from .choices import (
    AgreementStatus,
    ApprovalDecision,
    CefrLevel,
    EqfLevel,
    MobilityType,
    SignatureMethod,
)
from .validators import validate_academic_year, validate_isced_code, validate_language_code

DEFAULT_REFERENCE_PATTERN = "{prefix}-{year}-{number:03d}"


def default_reminder_days() -> list[int]:
    return [180, 90, 30]


# --- Types ---------------------------------------------------------------------------------------


class AgreementType(MultilingualNameMixin, PublicModel):
    """A kind of agreement (data, so an administrator can add one) with its defaults."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    reference_prefix = models.CharField(
        _("reference prefix"), max_length=20, help_text=_("Such as MoU; used in reference numbers.")
    )
    reference_pattern = models.CharField(
        _("reference pattern"),
        max_length=60,
        default=DEFAULT_REFERENCE_PATTERN,
        help_text=_("Placeholders: {prefix}, {year} and {number} (such as {number:03d})."),
    )
    reminder_days = models.JSONField(
        _("reminders before expiry (days)"), default=default_reminder_days, blank=True
    )
    signature_wait_days = models.PositiveSmallIntegerField(
        _("remind when a partner's signature takes longer than (days)"), default=30
    )
    has_conditions = models.BooleanField(
        _("has mobility conditions"),
        default=False,
        help_text=_("Exchange and Erasmus+ agreements list mobilities per direction."),
    )
    is_erasmus_iia = models.BooleanField(
        _("Erasmus+ inter-institutional agreement"),
        default=False,
        help_text=_("Served to partners through Erasmus Without Paper."),
    )
    document_template = models.ForeignKey(
        DocumentTemplate,
        verbose_name=_("document template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "agreement"},
        help_text=_("Empty: the built-in bilingual template."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    # On the type, which is the route: whether one person may hold two of its steps is a
    # property of that route (a small memorandum route may let the vice-rector who heads the
    # unit approve twice; a double-degree route may not), and administrators change it in
    # the admin without a deployment, which a site setting would need.
    route_allows_same_approver = models.BooleanField(
        _("one person may approve several steps of a round"),
        default=False,
        help_text=_(
            "Off: each step of a review round is approved by a different person, even when "
            "one person holds several of the route's duties."
        ),
    )

    class Meta:
        verbose_name = _("agreement type")
        verbose_name_plural = _("agreement types")
        ordering = ["name"]


class ApprovalRouteStep(models.Model):
    """One internal approval a type's agreements go through, in order.

    Assigned either to a duty (the legal office; the head of the agreement's unit for a duty
    held per unit) or to one person: who may decide it follows from that alone.
    """

    agreement_type = models.ForeignKey(
        AgreementType, on_delete=models.CASCADE, related_name="route", verbose_name=_("type")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=120, help_text=_("Such as 'Legal office'."))
    duty = models.ForeignKey(
        "accounts.Duty",
        verbose_name=_("decided by the holders of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A duty held per unit is decided by its holders in the agreement's units."),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("or by this person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("approval route step")
        verbose_name_plural = _("approval route steps")
        ordering = ["agreement_type", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement_type", "order"],
                name="route_step_unique_order",
                violation_error_message=_("Two steps of this route have the same order."),
            ),
            models.CheckConstraint(
                condition=Q(duty__isnull=True, approver__isnull=False)
                | Q(duty__isnull=False, approver__isnull=True),
                name="route_step_one_assignee",
                violation_error_message=_(
                    "Assign the step either to a duty or to one person (not both)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """The last reference number used per type and year; numbers are never reused."""

    agreement_type = models.ForeignKey(AgreementType, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement_type", "year"], name="reference_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_type.reference_prefix} {self.year}: {self.last_number}"


# --- Agreements ----------------------------------------------------------------------------------


class AgreementQuerySet(UnitScopedQuerySet):
    def involving(self, user) -> models.QuerySet:
        """Agreements with a party unit among the user's units."""
        return AgreementParty.units.through.objects.filter(
            organizationalunit_id__in=user.unit_scope_ids
        ).values("agreementparty__agreement_id")


class Agreement(TranslatableModel, PublicModel):
    """One agreement, from draft to expiry, with its parties, approvals and conditions."""

    translatable_fields = ("title", "summary")

    agreement_type = models.ForeignKey(
        AgreementType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="agreements"
    )
    reference = models.CharField(_("reference number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=500)
    title_en = models.CharField(_("title in English"), max_length=500, blank=True)
    title_ru = models.CharField(_("title in Russian"), max_length=500, blank=True)
    title_kk = models.CharField(_("title in Kazakh"), max_length=500, blank=True)
    title_pl = models.CharField(_("title in Polish"), max_length=500, blank=True)
    summary = fields.TextField(_("summary"), max_length=fields.NOTES, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("umbrella agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
    )
    cooperation_areas = ChoiceListField(
        _("cooperation areas"), item_choices=CooperationArea.choices
    )
    responsible_people = models.ManyToManyField(
        Person, verbose_name=_("responsible people"), blank=True, related_name="agreements"
    )
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    expiry_date = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("Leave empty for an agreement without end."),
    )
    renewal_years = models.PositiveSmallIntegerField(
        _("renews automatically for (years)"),
        default=0,
        help_text=_("0: no automatic renewal."),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=0,
        help_text=_("Termination must be announced this long before the end of a period."),
    )
    signing_started_on = models.DateField(
        _("sent for signature on"),
        null=True,
        blank=True,
        help_text=_("Reminders follow up on a partner's signature from this day."),
    )
    termination_requested_on = models.DateField(_("termination asked on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = fields.TextField(
        _("reason for termination"), max_length=fields.SHORT_TEXT, blank=True
    )
    termination_requested_by = models.ForeignKey(
        Institution,
        verbose_name=_("termination asked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = fields.TextField(_("internal notes"), max_length=fields.NOTES, blank=True)
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Visible only to the international office and the parties' units."),
    )

    objects = AgreementQuerySet.as_manager()

    # Set on the list page's rows by selectors.agreement_rows (not columns).
    partner_names: list[str]
    partner_countries: list[str]

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-effective_date", "reference"]
        indexes = [
            models.Index(fields=["status", "expiry_date"], name="agreement_status_expiry"),
            models.Index(fields=["status", "terminated_on"], name="agreement_status_terminated"),
            # the default order of the list page and the API
            models.Index(fields=["-effective_date", "reference"], name="agreement_default_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(expiry_date__gt=models.F("effective_date")),
                name="agreement_expiry_after_effective",
                violation_error_message=_("The expiry date must come after the effective date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_title}"

    def get_absolute_url(self) -> str:
        return record_url("agreements:agreement_detail", self.uuid)

    @property
    def display_title(self) -> str:
        return in_reader_language(self, "title")

    @property
    def is_indefinite(self) -> bool:
        return self.expiry_date is None

    @property
    def next_expiry(self):
        """The end of the current period, renewals counted (None: no end)."""
        from .validity import agreement_next_expiry

        return agreement_next_expiry(self)

    @property
    def cooperation_area_labels(self) -> list[str]:
        # get_field is typed for any field; this one is the ChoiceListField declared above.
        field = cast(ChoiceListField, self._meta.get_field("cooperation_areas"))
        return field.labels(self.cooperation_areas)


class AgreementParty(TranslatableModel, TimeStampedModel):
    """One institution that is party to an agreement, its units and its signatory."""

    translatable_fields = ("signatory_position",)

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("agreement")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="agreement_parties",
        verbose_name=_("institution"),
    )
    units = models.ManyToManyField(
        OrganizationalUnit, verbose_name=_("units"), blank=True, related_name="agreement_parties"
    )
    signatory = models.ForeignKey(
        Person,
        verbose_name=_("signatory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements_to_sign",
    )
    signatory_position = models.CharField(_("signatory's position"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    # Set on the detail page's parties by selectors.for_display (not a column).
    signed_by: str

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "institution"],
                name="party_unique_institution",
                violation_error_message=_("This institution is already a party to the agreement."),
            )
        ]

    def __str__(self) -> str:
        return str(self.institution)


class Signature(TranslatableModel, TimeStampedModel):
    """A party's signature: who signed, when, where and how."""

    translatable_fields = ("signatory_position", "place")

    party = models.OneToOneField(
        AgreementParty, on_delete=models.CASCADE, related_name="signature", verbose_name=_("party")
    )
    signed_on = models.DateField(_("signed on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    method = models.CharField(
        _("method"), max_length=20, choices=SignatureMethod.choices, default=SignatureMethod.INK
    )
    signatory_name = models.CharField(_("signed by"), max_length=200)
    signatory_position = models.CharField(_("position"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.signatory_name}, {self.signed_on}"


class ApprovalStep(TimeStampedModel):
    """One internal approval of one review round of an agreement."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("agreement")
    )
    round = models.PositiveSmallIntegerField(_("review round"), default=1)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=120)
    # Copied from the route step when the round opens: a later change of the route does not
    # move a round under way. The holders of a duty are read when deciding, so a new head of
    # unit decides the steps waiting for the unit's head.
    duty = models.ForeignKey(
        "accounts.Duty",
        verbose_name=_("duty"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approvals_to_give",
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=ApprovalDecision.choices,
        default=ApprovalDecision.PENDING,
    )
    comment = fields.TextField(_("comment"), max_length=fields.SHORT_TEXT, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["agreement", "round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "round", "order"], name="approval_step_unique_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- Cooperation conditions (EWP IIA v7 mobility specifications) ------------------------------


class CooperationCondition(TimeStampedModel):
    """Mobilities in one direction: who sends whom, how many, how long, in which fields."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("agreement")
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Kept stable: the EWP hash depends on it.")
    )
    mobility_type = models.CharField(
        _("mobility type"), max_length=30, choices=MobilityType.choices
    )
    sending_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sending institution"),
    )
    sending_unit = models.ForeignKey(
        OrganizationalUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sending unit"),
    )
    receiving_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving institution"),
    )
    receiving_unit = models.ForeignKey(
        OrganizationalUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving unit"),
    )
    mobilities_per_year = models.PositiveIntegerField(
        _("mobilities per year"), validators=[MinValueValidator(1)]
    )
    total_months_per_year = models.DecimalField(
        _("total months per year"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    total_days_per_year = models.DecimalField(
        _("total days per year"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    eqf_levels = ChoiceListField(_("EQF levels"), item_choices=EqfLevel.choices)
    first_academic_year = models.CharField(
        _("first academic year"),
        max_length=9,
        help_text=_("Such as 2026/2027."),
        validators=[validate_academic_year],
    )
    last_academic_year = models.CharField(
        _("last academic year"),
        max_length=9,
        help_text=_("Such as 2028/2029."),
        validators=[validate_academic_year],
    )
    blended = models.BooleanField(_("blended mobility"), default=False)
    other_info = fields.TextField(_("other information"), max_length=fields.NOTES, blank=True)

    class Meta:
        verbose_name = _("cooperation condition")
        verbose_name_plural = _("cooperation conditions")
        ordering = ["agreement", "order", "pk"]

    def clean(self) -> None:
        """The EWP IIA v7 rules on the condition's own fields (rows are checked by services)."""
        from .conditions import check_condition  # conditions imports this module

        errors = check_condition(self)
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        direction = f"{self.sending_institution} → {self.receiving_institution}"
        return f"{self.get_mobility_type_display()}: {direction}"


class SubjectArea(models.Model):
    """An ISCED-F 2013 field of a condition, with an optional clarification."""

    condition = models.ForeignKey(
        CooperationCondition, on_delete=models.CASCADE, related_name="subject_areas"
    )
    order = models.PositiveSmallIntegerField(default=0)
    isced_code = models.CharField(_("ISCED-F code"), max_length=4, validators=[validate_isced_code])
    clarification = models.CharField(_("clarification"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("subject area")
        verbose_name_plural = _("subject areas")
        ordering = ["condition", "order", "pk"]

    def __str__(self) -> str:
        return self.isced_code


class LanguageRequirement(models.Model):
    """A recommended language skill (language and CEFR level), optionally for one field."""

    condition = models.ForeignKey(
        CooperationCondition, on_delete=models.CASCADE, related_name="language_requirements"
    )
    order = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(
        _("language"),
        max_length=10,
        help_text=_("Such as en or pl."),
        validators=[validate_language_code],
    )
    cefr_level = models.CharField(
        _("CEFR level"), max_length=2, choices=CefrLevel.choices, blank=True
    )
    isced_code = models.CharField(
        _("for ISCED-F code"), max_length=4, blank=True, validators=[validate_isced_code]
    )
    clarification = models.CharField(_("clarification"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("language requirement")
        verbose_name_plural = _("language requirements")
        ordering = ["condition", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.language} {self.cefr_level}".strip()

    @property
    def language_name(self) -> str:
        """The language by its CLDR name in the reader's language: 'английский' for en."""
        return cldr.language_name(self.language)


# --- Documents -----------------------------------------------------------------------------------


class AgreementDocument(StoredDocument):
    """One version of an agreement's document: an uploaded scan or draft, or a generated one."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="documents", verbose_name=_("agreement")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    is_signed_original = models.BooleanField(
        _("signed original"),
        default=False,
        help_text=_("The scan or file of the agreement as both parties signed it."),
    )
    # A generated version's inputs (its template and the text of every language), so that
    # generating again from an unchanged record adds no identical version.
    source_hash = models.CharField(_("hash of the generated text"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["agreement", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version"], name="agreement_document_unique_version"
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(is_signed_original=True),
                name="agreement_document_one_signed_original",
                violation_error_message=_("Only one version can be the signed original."),
            ),
        ]
