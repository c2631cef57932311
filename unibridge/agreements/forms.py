"""Forms of the agreements pages; each takes the editing user so choices follow their scope.

The forms check what a form can check (types, required fields, the EWP rules of a condition
through ``conditions.check_condition``); the services check it all again under a lock, with
the agreement's status and the user's rights, before anything is written.
"""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from unibridge.core.cldr import format_date
from unibridge.core.forms import VersionedFormMixin
from unibridge.core.translation_forms import TranslationsFormMixin, needed_languages
from unibridge.core.widgets import FastSelect, RecordPicker, UnitTreeSelectMultiple
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from . import services
from .choices import SignatureMethod
from .conditions import LANGUAGES, SUBJECT_AREAS, check_condition
from .isced import isced_fields
from .models import (
    Agreement,
    AgreementParty,
    AgreementType,
    CooperationCondition,
    LanguageRequirement,
    SubjectArea,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _unit_label(unit: OrganizationalUnit) -> str:
    return "— " * unit.depth + unit.display_name


def _institution_label(institution: Institution) -> str:
    return f"{institution.display_name} ({institution.country.name})"


def institution_picker(field: forms.ModelMultipleChoiceField) -> None:
    """Choose partner institutions among ~10,000 by typing (see views.institution_picker)."""
    field.widget = RecordPicker(picker_url=reverse("agreements:institution_picker"))
    field.widget.choices = field.choices
    field.label_from_instance = _institution_label


# --- The agreement ------------------------------------------------------------------------------


class AgreementForm(VersionedFormMixin, forms.ModelForm):
    """The agreement's own fields; those the status no longer allows are left out."""

    # Typed as a reference number: a select of 20,000 agreements is of no use to anybody.
    parent = forms.ModelChoiceField(
        queryset=Agreement.objects.none(),
        to_field_name="reference",
        required=False,
        label=_("Umbrella agreement"),
        help_text=_("Its reference number, such as MoU-2026-001."),
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No agreement you can see has this reference number.")},
    )

    sections = [
        (
            _("Agreement"),
            ["agreement_type", "partners", "home_units", "title", "title_en", "title_ru",
             "title_kk", "title_pl", "summary", "parent"],
        ),
        (_("Validity"), [("effective_date", "expiry_date"), ("renewal_years", "notice_days")]),
        (_("Cooperation"), ["cooperation_areas", "responsible_people"]),
        (_("Notes"), ["is_confidential", "notes"]),
    ]  # fmt: skip
    rest_section = sections[0][0]

    class Meta:
        model = Agreement
        fields = [
            "agreement_type", "title", "title_en", "title_ru", "title_kk", "title_pl",
            "summary", "parent", "cooperation_areas", "effective_date", "expiry_date",
            "renewal_years", "notice_days", "responsible_people", "notes", "is_confidential",
        ]  # fmt: skip
        widgets = {
            "agreement_type": FastSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "effective_date": DATE,
            "expiry_date": DATE,
        }

    def __init__(self, *args, user, partner: Institution | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        agreement = self.instance
        self.fields["agreement_type"].queryset = AgreementType.objects.filter(
            Q(is_active=True) | Q(pk=agreement.agreement_type_id or 0)
        )
        parents = Agreement.objects.visible_to(user)
        if agreement.pk:
            parents = parents.exclude(pk=agreement.pk)
            if agreement.parent_id and not self.is_bound:
                self.initial["parent"] = agreement.parent.reference
        self.fields["parent"].queryset = parents
        people = self.fields["responsible_people"]
        picker_url = reverse("institutions:person_picker")
        if partner is not None:
            picker_url += f"?{urlencode({'institution': partner.uuid})}"
        people.widget = RecordPicker(picker_url=picker_url)
        people.queryset = Person.objects.visible_to(user).select_related("institution")
        people.widget.choices = people.choices
        people.help_text = _("People of the home institution or the partner; type to find them.")
        changeable = services.agreement_changeable_fields(agreement)
        # Whether fields were left out, so the page can say why.
        self.terms_locked = any(name not in changeable for name in self.Meta.fields)
        for name in self.Meta.fields:
            if name not in changeable:
                del self.fields[name]

    def clean_parent(self) -> Agreement | None:
        parent = self.cleaned_data.get("parent")
        if parent is None or self.instance.pk is None:
            return parent
        ancestor, seen = parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if ancestor.pk == self.instance.pk:
                raise ValidationError(
                    _("An agreement cannot be under itself or under one of its own agreements."),
                    code="cycle",
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        return parent

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        effective, expiry = data.get("effective_date"), data.get("expiry_date")
        if effective and expiry and expiry <= effective:
            # at the field rather than as the model constraint's message above the form
            self.add_error("expiry_date", _("The expiry date must come after the effective date."))
        return data


class AgreementCreateForm(AgreementForm):
    """A new draft: the agreement's fields, the partners and the home institution's units."""

    partners = forms.ModelMultipleChoiceField(
        queryset=Institution.objects.filter(is_home=False),
        label=_("Partner institutions"),
        help_text=_("The home institution is always a party; it is added automatically."),
    )
    home_units = forms.ModelMultipleChoiceField(
        queryset=OrganizationalUnit.objects.none(),
        required=False,
        label=_("Home units"),
        widget=UnitTreeSelectMultiple,
        help_text=_("The units of the home institution that take part."),
    )
    field_order = ["agreement_type", "partners", "home_units"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        institution_picker(self.fields["partners"])
        units = self.fields["home_units"]
        units.queryset = OrganizationalUnit.objects.of_home().order_by("path")
        units.label_from_instance = _unit_label
        if not self.user.is_office:
            units.required = True

    def clean_home_units(self) -> Iterable[OrganizationalUnit]:
        units = self.cleaned_data.get("home_units") or []
        if not self.user.is_office and not any(u.pk in self.user.unit_scope_ids for u in units):
            raise ValidationError(
                _("Include at least one of your own units, or you could not change it later."),
                code="outside_scope",
            )
        return units


# --- Parties -------------------------------------------------------------------------------------


def party_languages(agreement: Agreement) -> list[str]:
    """English and the parties' languages, read once for all the party forms of a page."""
    languages = getattr(agreement, "_party_languages", None)
    if languages is None:
        countries = agreement.parties.values_list("institution__country", flat=True)
        languages = needed_languages(countries)
        agreement._party_languages = languages  # type: ignore[attr-defined]
    return languages


class PartyForm(TranslationsFormMixin, VersionedFormMixin, forms.ModelForm):
    """One party's units and signatory; what the status no longer allows is shown disabled."""

    remove = forms.BooleanField(label=_("Remove this party"), required=False)

    class Meta:
        model = AgreementParty
        fields = ["units", "signatory", "signatory_position"]
        widgets = {"units": UnitTreeSelectMultiple, "signatory": FastSelect}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        party = self.instance
        status = party.agreement.status
        units = self.fields["units"]
        units.queryset = OrganizationalUnit.objects.filter(
            institution_id=party.institution_id
        ).order_by("path")
        units.label_from_instance = _unit_label
        self.fields["signatory"].queryset = (
            Person.objects.visible_to(user)
            .filter(Q(institution_id=party.institution_id) | Q(pk=party.signatory_id or 0))
            .order_by("name_latin", "pk")
        )
        self.signed = hasattr(party, "signature")
        if status not in services.ACTIONS["change_terms"][0]:
            units.disabled = True
            del self.fields["remove"]
        elif party.institution.is_home:
            del self.fields["remove"]
        if self.signed or status not in services.ACTIONS["change_signatory"][0]:
            self.fields["signatory"].disabled = True
            self.fields["signatory_position"].disabled = True
        self.add_translation_fields(party_languages(party.agreement))


class AddPartiesForm(forms.Form):
    institutions = forms.ModelMultipleChoiceField(
        queryset=Institution.objects.filter(is_home=False),
        required=False,
        label=_("Add partner institutions"),
        help_text=_("For an agreement with several partners."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        institution_picker(self.fields["institutions"])


# --- Cooperation conditions ----------------------------------------------------------------------

CEFR_LIKE = re.compile(r"[A-Za-z][0-9]")


def _clarification(code: str, text: str) -> str:
    """The clarification after a code; the field's official name pasted with it is dropped.

    EWP forbids the official name as a clarification, and ``0713 Electricity and energy``
    (copied from the classification) plainly means the code alone.
    """
    text = " ".join(text.split())
    field = isced_fields().get(code)
    if field and text.casefold() in {field.name_en.casefold(), field.name_ru.casefold()}:
        return ""
    return text


def parse_subject_areas(text: str) -> list[tuple[int, SubjectArea]]:
    """``0713`` or ``0713 Electrical engineering for mining`` per line: (line number, row)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        code, _space, rest = line.strip().partition(" ")
        if code:
            rows.append(
                (number, SubjectArea(isced_code=code, clarification=_clarification(code, rest)))
            )
    return rows


def parse_language_requirements(text: str) -> list[tuple[int, LanguageRequirement]]:
    """``en B2`` or ``en B2 0713`` (or ``en B2 0713 clarification``) per line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        language, rest = words[0], words[1:]
        level = ""
        if rest and not rest[0].isdigit():
            # anything in the second place is taken for the level, so "en X9" says so
            level = rest.pop(0).upper()
        code = rest.pop(0) if rest else ""
        rows.append(
            (
                number,
                LanguageRequirement(
                    language=language,
                    cefr_level=level,
                    isced_code=code,
                    clarification=_clarification(code, " ".join(rest)),
                ),
            )
        )
    return rows


def _line_error(number: int, message: str) -> str:
    return str(_("Line %(number)s: %(message)s") % {"number": number, "message": message})


class ConditionForm(VersionedFormMixin, forms.ModelForm):
    """One cooperation condition with its subject areas and language skills as lines."""

    subject_areas = forms.CharField(
        label=_("Subject areas (ISCED-F)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One four-digit ISCED-F code per line, with an optional clarification: "
            "0713 Electrical engineering for mining."
        ),
    )
    language_requirements = forms.CharField(
        label=_("Recommended language skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: language and CEFR level, optionally an ISCED-F code of the subject "
            "areas: en B2 or en B2 0713."
        ),
    )

    class Meta:
        model = CooperationCondition
        fields = [
            "mobility_type", "sending_institution", "sending_unit", "receiving_institution",
            "receiving_unit", "mobilities_per_year", "total_months_per_year",
            "total_days_per_year", "eqf_levels", "first_academic_year", "last_academic_year",
            "blended", "other_info",
        ]  # fmt: skip
        widgets = {
            "sending_institution": FastSelect,
            "receiving_institution": FastSelect,
            "sending_unit": FastSelect,
            "receiving_unit": FastSelect,
            "other_info": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        condition = self.instance
        parties = Institution.objects.filter(
            agreement_parties__agreement_id=condition.agreement_id
        ).order_by("-is_home", "name")
        units = (
            OrganizationalUnit.objects.filter(institution__in=parties)
            .select_related("institution")
            .order_by("institution__name", "path")
        )
        for name in ("sending_institution", "receiving_institution"):
            self.fields[name].queryset = parties
            self.fields[name].label_from_instance = lambda i: i.display_name
        for name in ("sending_unit", "receiving_unit"):
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = lambda u: (
                f"{u.institution.display_name}: {_unit_label(u)}"
            )
        if condition.pk and not self.is_bound:
            self.initial["subject_areas"] = "\n".join(
                f"{a.isced_code} {a.clarification}".strip() for a in condition.subject_areas.all()
            )
            self.initial["language_requirements"] = "\n".join(
                " ".join(filter(None, [r.language, r.cefr_level, r.isced_code, r.clarification]))
                for r in condition.language_requirements.all()
            )
        self.subject_area_rows: list[tuple[int, SubjectArea]] = []
        self.language_rows: list[tuple[int, LanguageRequirement]] = []

    def clean_subject_areas(self) -> str:
        text = self.cleaned_data.get("subject_areas", "")
        self.subject_area_rows = parse_subject_areas(text)
        return text

    def clean_language_requirements(self) -> str:
        text = self.cleaned_data.get("language_requirements", "")
        self.language_rows = parse_language_requirements(text)
        return text

    @property
    def subject_area_list(self) -> list[SubjectArea]:
        return [row for _number, row in self.subject_area_rows]

    @property
    def language_list(self) -> list[LanguageRequirement]:
        return [row for _number, row in self.language_rows]

    def _post_clean(self) -> None:
        # The model's own clean() (the EWP rules of the condition's fields) runs here ...
        super()._post_clean()
        # ... and the rules of the rows, which clean() cannot see, from the same module.
        errors = check_condition(self.instance, self.subject_area_list, self.language_list)
        self.add_condition_errors(
            {k: v for k, v in errors.items() if k.startswith((SUBJECT_AREAS, LANGUAGES))}
        )
        for errors_of_field in self.errors.values():
            # a field validator and clean() can both give the same message: keep the first
            seen: set[str] = set()
            kept = []
            for index, text in enumerate(errors_of_field):
                if text not in seen:
                    seen.add(text)
                    kept.append(errors_of_field.data[index])
            errors_of_field.data[:] = kept

    def add_condition_errors(self, errors: dict[str, list]) -> None:
        """Put errors named as in ``conditions`` (``subject_areas-0-isced_code``) at fields."""
        lines = {
            SUBJECT_AREAS: [number for number, _row in self.subject_area_rows],
            LANGUAGES: [number for number, _row in self.language_rows],
        }
        for key, messages in errors.items():
            field, _dash, rest = key.partition("-")
            position = rest.partition("-")[0]
            texts = [
                text
                for item in messages
                for text in (item.messages if isinstance(item, ValidationError) else [str(item)])
            ]
            for text in texts:
                if field in lines and position.isdigit() and int(position) < len(lines[field]):
                    text = _line_error(lines[field][int(position)], text)
                self.add_error(field if field in self.fields else None, text)


# --- Lifecycle actions ---------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject: the reasons."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Give the reasons for the rejection."))
        return data


class SignatureForm(forms.Form):
    signatory_name = forms.CharField(label=_("Signed by"), max_length=200)
    signatory_position = forms.CharField(label=_("Position"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    method = forms.ChoiceField(
        label=_("Method"), choices=SignatureMethod.choices, initial=SignatureMethod.INK
    )

    def __init__(self, *args, party: AgreementParty, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("signed_on", today)
        # The service checks the dates (lifecycle_services.signature_record); these only let
        # the browser's date picker offer the days it accepts.
        sent = party.agreement.signing_started_on
        field = self.fields["signed_on"]
        field.widget.attrs["max"] = today.isoformat()
        if sent is not None:
            field.widget.attrs["min"] = sent.isoformat()
            field.help_text = _("Between %(sent)s, when it was sent for signature, and today.") % {
                "sent": format_date(sent)
            }
        if party.signatory_id:
            self.initial.setdefault("signatory_name", str(party.signatory))
        self.initial.setdefault("signatory_position", party.signatory_position)


class TerminationForm(forms.Form):
    requested_by = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        label=_("Termination asked by"),
        widget=FastSelect,
        help_text=_("The party that gave notice."),
    )
    requested_on = forms.DateField(label=_("Date of the notice"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["requested_by"]
        field.queryset = Institution.objects.filter(
            agreement_parties__agreement=agreement
        ).order_by("-is_home", "name")
        field.label_from_instance = lambda i: i.display_name
        self.initial.setdefault("requested_on", timezone.localdate())


class RenewalForm(forms.Form):
    effective_date = forms.DateField(label=_("Effective from"), widget=DATE, required=False)
    expiry_date = forms.DateField(
        label=_("Expires on"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for an agreement without end."),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        end = agreement.next_expiry or agreement.expiry_date
        if end:
            self.initial.setdefault("effective_date", end + datetime.timedelta(days=1))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        effective, expiry = data.get("effective_date"), data.get("expiry_date")
        if effective and expiry and expiry <= effective:
            self.add_error("expiry_date", _("The expiry date must come after the effective date."))
        return data
