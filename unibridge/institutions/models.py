"""Institutions, their organisational units, people and the home ↔ partner partnerships."""

from typing import Self, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unibridge.core import fields
from unibridge.core.fields import ChoiceListField, CountryField, has_choice
from unibridge.core.links import record_url
from unibridge.core.models import MultilingualNameMixin, PublicModel
from unibridge.core.names import has_non_latin, transliterate
from unibridge.core.permissions import UnitScopedQuerySet
from unibridge.core.services import not_allowed
from unibridge.core.translations import TranslatableModel

from . import validators
from .choices import (
    CooperationArea,
    InstitutionType,
    LanguageCode,
    PartnershipPriority,
    PartnershipStatus,
    UnitType,
)

# --- Institutions --------------------------------------------------------------------------------


class InstitutionQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """The institution directory is shared: every signed-in user reads all of it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self

    def editable_by(self, user) -> Self:
        return self if user.is_authenticated and user.is_office else self.none()

    def partners(self) -> Self:
        return self.filter(is_home=False)


class Institution(MultilingualNameMixin, PublicModel):
    """Any organisation the office deals with: a university, institute, company, funder."""

    aliases = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Former names, abbreviations and spellings, one per line."),
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(
        _("type"),
        max_length=20,
        choices=InstitutionType.choices,
        default=InstitutionType.UNIVERSITY,
    )
    country = CountryField(_("country"))  # the ISO code; its name comes from CLDR
    city = models.CharField(_("city"), max_length=120, blank=True)
    address = fields.TextField(_("address"), max_length=fields.SHORT_TEXT, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    email_domains = models.JSONField(
        _("e-mail domains"), default=list, blank=True, help_text=_("One domain per line.")
    )
    hei_id = models.CharField(
        _("SCHAC / EWP hei-id"),
        max_length=253,
        null=True,
        blank=True,
        validators=[validators.validate_hei_id],
    )
    erasmus_code = models.CharField(
        _("Erasmus code"),
        max_length=20,
        null=True,
        blank=True,
        validators=[validators.validate_erasmus_code],
    )
    pic = models.CharField(
        _("PIC"), max_length=9, null=True, blank=True, validators=[validators.validate_pic]
    )
    ror_id = models.CharField(
        _("ROR id"), max_length=9, null=True, blank=True, validators=[validators.validate_ror_id]
    )
    is_home = models.BooleanField(
        _("home institution"),
        default=False,
        help_text=_("The university this installation belongs to; there is exactly one."),
    )
    notes = fields.TextField(_("notes"), max_length=fields.NOTES, blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hei_id"],
                name="institution_unique_hei_id",
                violation_error_code="unique",
                violation_error_message=_("Another institution already has this hei-id."),
            ),
            models.UniqueConstraint(
                fields=["erasmus_code"],
                name="institution_unique_erasmus_code",
                violation_error_code="unique",
                violation_error_message=_("Another institution already has this Erasmus code."),
            ),
            models.UniqueConstraint(
                fields=["pic"],
                name="institution_unique_pic",
                violation_error_code="unique",
                violation_error_message=_("Another institution already has this PIC."),
            ),
            models.UniqueConstraint(
                fields=["ror_id"],
                name="institution_unique_ror_id",
                violation_error_code="unique",
                violation_error_message=_("Another institution already has this ROR id."),
            ),
            models.UniqueConstraint(
                fields=["is_home"],
                condition=Q(is_home=True),
                name="institution_single_home",
                violation_error_message=_("There is already a home institution."),
            ),
        ]
        # the list pages sort by these; an index lets the database read pages in order
        indexes = [
            models.Index(fields=["country", "name"], name="institution_country_name"),
            models.Index(fields=["name", "id"], name="institution_name"),
        ]

    def save(self, *args, **kwargs):
        # Empty identifiers are stored as NULL so that uniqueness ignores them.
        for field in ("hei_id", "erasmus_code", "pic", "ror_id"):
            if getattr(self, field) == "":
                setattr(self, field, None)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_url("institutions:institution_detail", self.uuid)

    @classmethod
    def home(cls) -> "Institution | None":
        return cls.objects.filter(is_home=True).first()


# --- Organisational units -----------------------------------------------------------------------


class OrganizationalUnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationalUnitQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self

    def editable_by(self, user) -> "OrganizationalUnitQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_office:
            return self
        if user.is_coordinator:
            return self.filter(pk__in=user.unit_scope_ids)
        return self.none()

    def of_home(self) -> "OrganizationalUnitQuerySet":
        """Units of the home institution (through its one-row index, not a join over all units)."""
        return self.filter(institution__in=Institution.objects.filter(is_home=True).values("pk"))

    def subtree_ids(self, roots) -> frozenset[int]:
        """Ids of the given units and every unit below them."""
        paths = [unit.path for unit in roots]
        if not paths:
            return frozenset()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        return frozenset(self.filter(condition).values_list("pk", flat=True))


class OrganizationalUnit(MultilingualNameMixin, PublicModel):
    """A faculty, department, laboratory or office inside one institution; a tree."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="children",
    )
    kind = models.CharField(
        _("type"), max_length=20, choices=UnitType.choices, default=UnitType.FACULTY
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    ewp_ounit_id = models.CharField(
        _("EWP ounit id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("The identifier partners see in Erasmus Without Paper."),
    )
    # Materialised path of primary keys ('/3/17/') so a whole subtree is one indexed query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = OrganizationalUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["path"]
        indexes = [models.Index(fields=["name", "id"], name="unit_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "ewp_ounit_id"],
                name="unit_unique_ewp_ounit_id",
                violation_error_code="unique",
                violation_error_message=_(
                    "Another unit of this institution has this EWP ounit id."
                ),
            ),
        ]

    def clean(self):
        # the tree stays inside one institution and never loops
        parent = self.parent
        if parent is not None and (
            parent.institution_id != self.institution_id
            or (self.pk and self.path and parent.path.startswith(self.path))
        ):
            raise ValidationError({"parent": not_allowed(parent)})

    def save(self, *args, **kwargs):
        if self.ewp_ounit_id == "":
            self.ewp_ounit_id = None
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path, self.depth = path, path.count("/") - 2
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old:
                self._move_descendants(old)

    def get_absolute_url(self) -> str:
        return record_url("institutions:unit_detail", self.uuid)

    def _move_descendants(self, old_path: str) -> None:
        for unit in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            unit.path = self.path + unit.path[len(old_path) :]
            unit.depth = unit.path.count("/") - 2
            type(self).objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)

    def ancestors(self) -> models.QuerySet:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        return type(self).objects.filter(pk__in=ids).order_by("depth")


# --- People --------------------------------------------------------------------------------------


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PersonQuerySet":
        """Everyone reads the directory; confidential people only the office and their unit."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_office:
            return self
        return self.filter(Q(is_confidential=False) | Q(unit__in=user.unit_scope_ids))

    def editable_by(self, user) -> "PersonQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_office:
            return self
        if user.is_coordinator:
            return self.filter(unit__in=user.unit_scope_ids)
        return self.none()


class Person(TranslatableModel, PublicModel):
    """Staff, students, visitors and partner contacts, named in their own script and in Latin."""

    translatable_fields = ("title", "position", "research_keywords")

    name_native = models.CharField(
        _("name"), max_length=200, help_text=_("As the person writes it, in any script.")
    )
    name_latin = models.CharField(
        _("name in Latin script"),
        max_length=200,
        blank=True,
        help_text=_("Filled in from the name when left empty; correct it if the person prefers."),
    )
    title = models.CharField(_("academic title"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(
        OrganizationalUnit,
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        related_name="people",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    languages = ChoiceListField(_("languages"), item_choices=LanguageCode.choices)
    research_keywords = fields.TextField(
        _("research keywords"),
        max_length=fields.SHORT_TEXT,
        blank=True,
        help_text=_("Comma-separated fields of expertise."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Visible only to the international office and the person's unit."),
    )
    notes = fields.TextField(_("notes"), max_length=fields.NOTES, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_latin", "pk"]
        indexes = [
            models.Index(fields=["name_latin", "id"], name="person_name_latin"),
            models.Index(fields=["name_native", "id"], name="person_name_native"),
        ]

    def __str__(self) -> str:
        if self.name_latin and self.name_latin != self.name_native:
            return f"{self.name_native} ({self.name_latin})"
        return self.name_native

    def get_absolute_url(self) -> str:
        return record_url("institutions:person_detail", self.uuid)

    def save(self, *args, **kwargs):
        if not self.name_latin:
            self.name_latin = (
                transliterate(self.name_native)
                if has_non_latin(self.name_native)
                else self.name_native
            )
        if self.unit_id and not self.institution_id:
            self.institution_id = self.unit.institution_id
        super().save(*args, **kwargs)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.research_keywords.split(",") if k.strip()]


# --- Partnerships ---------------------------------------------------------------------------------


class PartnershipQuerySet(UnitScopedQuerySet):
    def involving(self, user) -> models.QuerySet:
        return Partnership.home_units.through.objects.filter(
            organizationalunit_id__in=user.unit_scope_ids
        ).values("partnership_id")

    def with_area(self, code: str) -> "PartnershipQuerySet":
        return self.filter(has_choice("cooperation_areas", code))


class Partnership(PublicModel):
    """The home institution's relationship with one partner institution, over its whole life."""

    partner = models.OneToOneField(
        Institution,
        verbose_name=_("partner institution"),
        on_delete=models.PROTECT,
        related_name="partnership",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.PROSPECT,
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=PartnershipPriority.choices,
        default=PartnershipPriority.MEDIUM,
    )
    home_units = models.ManyToManyField(
        OrganizationalUnit,
        verbose_name=_("home units involved"),
        blank=True,
        related_name="partnerships",
        help_text=_("Coordinators of these units (and their sub-units) may edit the partnership."),
    )
    responsible_people = models.ManyToManyField(
        Person, verbose_name=_("responsible people"), blank=True, related_name="partnerships"
    )
    cooperation_areas = ChoiceListField(
        _("cooperation areas"), item_choices=CooperationArea.choices
    )
    started_on = models.DateField(_("cooperation since"), null=True, blank=True)
    notes = fields.TextField(_("notes"), max_length=fields.NOTES, blank=True)
    is_confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Visible only to the international office and the involved units."),
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["partner__name"]

    def __str__(self) -> str:
        return str(self.partner)

    def get_absolute_url(self) -> str:
        return record_url("institutions:partnership_detail", self.uuid)

    @property
    def cooperation_area_labels(self) -> list[str]:
        # get_field is typed for any field; this one is the ChoiceListField declared above.
        field = cast(ChoiceListField, self._meta.get_field("cooperation_areas"))
        return field.labels(self.cooperation_areas)
