"""Create/edit forms; each takes the editing user so choices follow their unit scope."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from unibridge.core import cldr
from unibridge.core.forms import LinesField, VersionedFormMixin
from unibridge.core.translation_forms import TranslationsFormMixin, needed_languages
from unibridge.core.widgets import (
    CountrySelect,
    FastSelect,
    RecordPicker,
    RemoteSelect,
    UnitTreeSelect,
    UnitTreeSelectMultiple,
)

from . import validators
from .choices import LanguageCode
from .models import Institution, OrganizationalUnit, Partnership, Person

# Headings of form sections (core.forms.form_sections) that several forms share.
NAMES, NOTES = _("Names"), _("Notes")


def unit_label(unit: OrganizationalUnit) -> str:
    """A unit in a tree select: dashes by depth (without JavaScript; unibridge.js indents)."""
    return "— " * unit.depth + unit.display_name


class PersonChoiceField(forms.ModelChoiceField):
    """One person, named as they write their name (the bulk actions' responsible person)."""

    def label_from_instance(self, obj: Person) -> str:
        return obj.name_native


def home_person_field(user, label) -> PersonChoiceField:
    """One person of the home institution the user may see, found by typing (thousands of
    staff: the select fetches them from the person picker); the bulk actions' person."""
    return PersonChoiceField(
        label=label,
        queryset=Person.objects.visible_to(user)
        .filter(institution__is_home=True)
        .order_by("name_latin", "pk"),
        widget=RemoteSelect(options_url=reverse("institutions:person_picker")),
    )


class UserScopedForm(VersionedFormMixin, forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class InstitutionForm(UserScopedForm):
    # wider than the stored 9 characters: people paste the full https://ror.org/… address
    ror_id = forms.CharField(label=_("ROR id"), required=False, max_length=60)
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=300
    )
    aliases = LinesField(label=_("Other names"), help_text=_("One per line."))
    email_domains = LinesField(
        label=_("E-mail domains"),
        help_text=_("One per line, such as agh.edu.pl."),
        item_validator=validators.validate_domain,
        lower=True,
    )
    sections = [
        (NAMES, ["name", "name_en", "name_ru", "name_kk", "name_pl", "aliases", "acronym"]),
        (_("Where and what"), ["kind", ("country", "city"), "address", "website", "email_domains"]),
        (_("Identifiers"), [("hei_id", "erasmus_code"), ("pic", "ror_id")]),
        (NOTES, ["is_home", "notes"]),
    ]
    rest_section = NAMES

    class Meta:
        model = Institution
        fields = [
            "name", "name_en", "name_ru", "name_kk", "name_pl", "aliases", "acronym", "kind",
            "country", "city", "address", "website", "email_domains", "hei_id", "erasmus_code",
            "pic", "ror_id", "is_home", "notes",
        ]  # fmt: skip
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "country": CountrySelect,
        }

    # Shown (as a checkbox, first) only once the page has listed likely duplicates.
    confirm_duplicates = forms.BooleanField(
        label=_("Create anyway: none of the institutions listed above is this one"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.user.is_admin:
            # only an administrator sets which institution is the home one
            del self.fields["is_home"]
        if self.instance.pk:
            del self.fields["confirm_duplicates"]

    def ask_to_confirm_duplicates(self) -> None:
        """Show the "create anyway" checkbox, first in the form, below the duplicates."""
        self.fields["confirm_duplicates"].widget = forms.CheckboxInput()
        self.order_fields(["confirm_duplicates"])

    def clean_hei_id(self) -> str | None:
        return (self.cleaned_data.get("hei_id") or "").strip().lower() or None

    def clean_erasmus_code(self) -> str | None:
        value = " ".join((self.cleaned_data.get("erasmus_code") or "").upper().split(" "))
        return value.strip() or None

    def clean_ror_id(self) -> str | None:
        return validators.normalize_ror(self.cleaned_data.get("ror_id") or "") or None

    def clean_pic(self) -> str | None:
        return (self.cleaned_data.get("pic") or "").strip() or None


class OrganizationalUnitForm(UserScopedForm):
    class Meta:
        model = OrganizationalUnit
        fields = [
            "name",
            "name_en",
            "name_ru",
            "name_kk",
            "name_pl",
            "acronym",
            "kind",
            "parent",
            "ewp_ounit_id",
        ]
        widgets = {"parent": UnitTreeSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.instance
        parents = OrganizationalUnit.objects.filter(institution_id=unit.institution_id)
        if unit.pk:
            parents = parents.exclude(path__startswith=unit.path)
        if not self.user.is_office:
            scope = self.user.unit_scope_ids
            if unit.pk and unit.parent_id not in scope:
                # a coordinator's own top unit stays where the office put it
                self.fields["parent"].disabled = True
            else:
                parents = parents.filter(pk__in=scope)
                self.fields["parent"].required = True
        self.fields["parent"].queryset = parents.order_by("path")
        self.fields["parent"].label_from_instance = unit_label

    def clean_ewp_ounit_id(self) -> str | None:
        return (self.cleaned_data.get("ewp_ounit_id") or "").strip() or None


class PersonForm(TranslationsFormMixin, UserScopedForm):
    sections = [
        (_("Person"), [("name_native", "name_latin"), ("title", "position")]),
        (_("Place of work"), ["institution", "unit", ("email", "phone")]),
        (_("Expertise"), ["languages", "research_keywords"]),
        (NOTES, ["user", "is_confidential", "notes"]),
    ]

    class Meta:
        model = Person
        fields = [
            "name_native", "name_latin", "title", "position", "institution", "unit", "email",
            "phone", "languages", "research_keywords", "is_confidential", "user", "notes",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "research_keywords": forms.Textarea(attrs={"rows": 2}),
            "institution": FastSelect,
            "unit": UnitTreeSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # CLDR's names in the reader's language, in the list's order (the most met first)
        self.fields["languages"].choices = [
            (code, cldr.language_name(code)) for code in LanguageCode.values
        ]
        person = self.instance
        institution_id = person.institution_id or self.initial.get("institution")
        # The directory holds ~10,000 institutions: offer the home one and the partners.
        self.fields["institution"].queryset = Institution.objects.filter(
            Q(is_home=True) | Q(partnership__isnull=False) | Q(pk=institution_id or 0)
        ).order_by("-is_home", "name")
        units = OrganizationalUnit.objects.select_related("institution")
        units = units.filter(institution_id=institution_id) if institution_id else units.of_home()
        if not self.user.is_office:
            units = units.filter(pk__in=self.user.unit_scope_ids)
            self.fields["unit"].required = True
        self.fields["unit"].queryset = units.order_by("institution__name", "path")
        self.fields["unit"].label_from_instance = unit_label
        # the title, position and expertise in the languages of the home and their institution
        home = Institution.objects.filter(is_home=True).first()
        self.add_translation_fields(needed_languages([home, person.institution]))
        if self.user.is_admin:
            # accounts not yet linked to anybody, and this person's own
            self.fields["user"].queryset = (
                get_user_model()
                .objects.filter(Q(person__isnull=True) | Q(person=person.pk or 0))
                .order_by("username")
            )
        else:
            del self.fields["user"]

    def clean(self):
        data = super().clean()
        unit, institution = data.get("unit"), data.get("institution")
        if unit and institution and unit.institution_id != institution.pk:
            self.add_error("unit", _("This unit belongs to another institution."))
        if unit and not institution:
            data["institution"] = unit.institution
        return data


class PartnershipForm(UserScopedForm):
    sections = [
        (_("Standing"), [("status", "priority"), "started_on", "cooperation_areas"]),
        (_("Who takes care of it"), ["home_units", "responsible_people"]),
        (NOTES, ["is_confidential", "notes"]),
    ]

    class Meta:
        model = Partnership
        fields = [
            "status", "priority", "home_units", "responsible_people", "cooperation_areas",
            "started_on", "is_confidential", "notes",
        ]  # fmt: skip
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "home_units": UnitTreeSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_units"].queryset = OrganizationalUnit.objects.of_home().order_by("path")
        self.fields["home_units"].label_from_instance = unit_label
        people = self.fields["responsible_people"]
        people.widget = RecordPicker(
            picker_url=reverse("institutions:person_picker")
            + f"?{urlencode({'institution': self.instance.partner.uuid})}"
        )
        people.queryset = (
            Person.objects.visible_to(self.user)
            .filter(Q(institution__is_home=True) | Q(institution=self.instance.partner_id))
            .select_related("institution")
        )

    def clean_home_units(self):
        units = self.cleaned_data.get("home_units")
        if not self.user.is_office and not any(u.pk in self.user.unit_scope_ids for u in units):
            raise ValidationError(
                _("Include at least one of your own units, or you could no longer edit it."),
                code="outside_scope",
            )
        return units
