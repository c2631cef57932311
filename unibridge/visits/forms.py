"""Forms of the visits' core pages; each takes the editing user so choices follow their scope.

The forms parse input and offer the choices; the services check the rules (the sides, the host
unit, the user's own units, one head of delegation, visa details) before anything is written.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement
from unibridge.core.forms import ServiceValidatedMixin, TimeZoneField, VersionedFormMixin
from unibridge.core.translation_forms import TranslationsFormMixin, needed_languages
from unibridge.core.widgets import (
    CountrySelect,
    FastSelect,
    RecordPicker,
    UnitTreeSelect,
    UnitTreeSelectMultiple,
)
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from .choices import ParticipantSide
from .models import ChecklistItem, Visit, VisitParticipant, default_time_zone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# a new participant's person, typed in: the form's new_<name> fields
NEW_PERSON_FIELDS = ("name_native", "name_latin", "institution", "position", "email")


def _unit_label(unit: OrganizationalUnit) -> str:
    return "— " * unit.depth + unit.display_name


def _institution_label(institution: Institution) -> str:
    return f"{institution.display_name} ({institution.country.name})"


class SingleRecordField(forms.ModelMultipleChoiceField):
    """One record chosen among thousands with the typing picker (which offers checkboxes)."""

    default_error_messages = {
        **forms.ModelMultipleChoiceField.default_error_messages,
        "one": _("Choose exactly one."),
    }

    def prepare_value(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return super().prepare_value(value)
        return [super().prepare_value(value)]

    def clean(self, value):
        records = list(super().clean(value))
        if not records:
            return None
        if len(records) > 1:
            raise ValidationError(self.error_messages["one"], code="one")
        return records[0]

    def has_changed(self, initial, data) -> bool:
        return super().has_changed(self.prepare_value(initial), data)


# --- The visit -----------------------------------------------------------------------------------


class VisitForm(TranslationsFormMixin, ServiceValidatedMixin, VersionedFormMixin, forms.ModelForm):
    """The visit's fields; the partner and the direction decide which side hosts.

    The services assign the sides and check the dates, the host unit and the home units.
    """

    partner = SingleRecordField(
        queryset=Institution.objects.filter(is_home=False),
        label=_("Partner institution"),
        help_text=_("Type to find it; the home institution is the other side."),
        error_messages={"one": _("Choose one partner institution.")},
    )
    time_zone = TimeZoneField(
        label=_("Host's time zone"), initial=default_time_zone, service_checks=True
    )
    field_order = ["direction", "partner", "title"]

    sections = [
        (_("Visit"), ["direction", "partner", "title"]),
        (_("Dates"), [("start_date", "end_date"), "time_zone"]),
        (_("Hosts"), ["host_unit", "home_units", "responsible_people"]),
        (_("Purpose"), ["purpose", "goals"]),
        (_("Notes"), ["is_confidential", "notes"]),
    ]
    rest_section = sections[0][0]

    class Meta:
        model = Visit
        fields = [
            "direction", "title", "host_unit", "home_units", "start_date", "end_date",
            "time_zone", "purpose", "goals", "responsible_people", "notes", "is_confidential",
        ]  # fmt: skip
        widgets = {
            "direction": forms.RadioSelect,
            "host_unit": UnitTreeSelect,
            "home_units": UnitTreeSelectMultiple,
            "start_date": DATE,
            "end_date": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, partner: Institution | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        visit = self.instance
        if partner is None and visit.pk:
            partner = visit.partner
        if partner is not None and not self.is_bound:
            self.initial["partner"] = partner.pk
        home = Institution.objects.filter(is_home=True).first()
        self.add_translation_fields(needed_languages([home, partner]))
        field = self.fields["partner"]
        field.widget = RecordPicker(picker_url=reverse("agreements:institution_picker"))
        field.widget.choices = field.choices
        field.label_from_instance = _institution_label

        # Host units: the home institution's and the partner's (the one typed in, when bound).
        if self.is_bound:
            getlist = getattr(self.data, "getlist", None)
            values = getlist("partner") if getlist else self.data.get("partner") or []
            values = values if isinstance(values, list | tuple) else [values]
            chosen = [pk for pk in values if str(pk).isdigit()]
            partner_ids = chosen[:1]
        else:
            partner_ids = [partner.pk] if partner is not None else []
        home = Institution.objects.filter(is_home=True).values("pk")
        host_unit = self.fields["host_unit"]
        host_unit.queryset = (
            OrganizationalUnit.objects.filter(
                Q(institution__in=home) | Q(institution__in=partner_ids)
            )
            .select_related("institution")
            .order_by("institution__is_home", "path")
        )
        host_unit.label_from_instance = lambda u: f"{u.institution.display_name}: {_unit_label(u)}"
        host_unit.help_text = _("A unit of the host institution.")

        units = self.fields["home_units"]
        units.queryset = OrganizationalUnit.objects.of_home().order_by("path")
        units.label_from_instance = _unit_label
        if not user.is_office:
            units.required = True

        people = self.fields["responsible_people"]
        picker_url = reverse("institutions:person_picker")
        if partner is not None:
            picker_url += f"?{urlencode({'institution': partner.uuid})}"
        people.widget = RecordPicker(picker_url=picker_url)
        people.queryset = Person.objects.visible_to(user).select_related("institution")
        people.widget.choices = people.choices
        self.fields["time_zone"].help_text = _(
            "The host's, such as Asia/Almaty or Europe/Warsaw; programme times are entered in it."
        )

    def values(self) -> dict[str, Any]:
        """The valid form's values as ``services.visit_plan``/``visit_change`` take them."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancellation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the visit and the partner's timeline."),
    )


class LinkAgreementForm(forms.Form):
    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.none(),
        label=_("Agreement signed during the visit"),
        widget=FastSelect,
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = queryset
        self.fields["agreement"].label_from_instance = lambda a: f"{a.reference} {a.display_title}"


# --- Participants --------------------------------------------------------------------------------


class ParticipantForm(
    TranslationsFormMixin, ServiceValidatedMixin, VersionedFormMixin, forms.ModelForm
):
    """A delegation member or home participant; a new person may be typed in instead.

    The services check the person (chosen or typed in, not both), the nationality, the visa
    details and the one head of the delegation.
    """

    # the services' names of fields that the form names otherwise
    ERROR_FIELDS = {f"new_person.{name}": f"new_{name}" for name in NEW_PERSON_FIELDS}

    new_name_native = forms.CharField(
        label=_("New person: name"),
        required=False,
        max_length=200,
        help_text=_("When the person is not in the directory yet: as they write it."),
    )
    new_name_latin = forms.CharField(
        label=_("New person: name in Latin script"),
        required=False,
        max_length=200,
        help_text=_("Filled in from the name when left empty."),
    )
    new_institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        label=_("New person: institution"),
        required=False,
        widget=FastSelect,
    )
    new_position = forms.CharField(label=_("New person: position"), required=False, max_length=200)
    new_email = forms.EmailField(label=_("New person: e-mail"), required=False)

    class Meta:
        model = VisitParticipant
        fields = [
            "person", "role", "function", "needs_visa_invitation", "nationality",
            "passport_number", "date_of_birth",
        ]  # fmt: skip
        widgets = {"person": FastSelect, "date_of_birth": DATE, "nationality": CountrySelect}

    def __init__(self, *args, user, visit: Visit, side: str, **kwargs):
        self.user = user
        self.visit = visit
        self.side = side
        super().__init__(*args, **kwargs)
        participant = self.instance
        participant.visit = visit
        participant.side = side
        self.add_translation_fields(
            needed_languages([visit.visiting_institution, visit.host_institution])
        )
        # Delegation members come from the visiting institution, home participants from the
        # host; a person already chosen stays offered.
        source = (
            visit.visiting_institution
            if side == ParticipantSide.DELEGATION
            else (visit.host_institution)
        )
        person = self.fields["person"]
        person.required = False
        person.queryset = (
            Person.objects.visible_to(user)
            .filter(Q(institution=source) | Q(pk=participant.person_id or 0))
            .order_by("name_latin", "pk")
        )
        person.label = _("Person")
        person.help_text = _("Someone in the directory; or fill in a new person below.")
        # a plain code field: the country list renders itself (CountrySelect), checked below
        self.fields["nationality"] = forms.CharField(
            label=_("Nationality"),
            required=False,
            widget=CountrySelect,
            help_text=_("Needed for a visa invitation letter."),
        )
        self.fields["passport_number"].help_text = _("Needed for a visa invitation letter.")
        if participant.pk:
            for name in ("new_name_native", "new_name_latin", "new_institution"):
                del self.fields[name]
            del self.fields["new_position"], self.fields["new_email"]
            person.required = True
        else:
            institutions = self.fields["new_institution"]
            institutions.queryset = Institution.objects.filter(
                pk__in=[visit.visiting_institution_id, visit.host_institution_id]
            )
            institutions.label_from_instance = lambda i: i.display_name
            institutions.empty_label = None
            self.initial.setdefault("new_institution", source.pk)
        if side == ParticipantSide.HOME:
            for name in ("role", "needs_visa_invitation", "nationality", "passport_number",
                         "date_of_birth"):  # fmt: skip
                del self.fields[name]

    def values(self) -> dict[str, Any]:
        """The valid form's participant values (the new person's apart: :meth:`new_person`)."""
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name != "version" and not name.startswith("new_")
        }

    def new_person(self) -> dict[str, Any]:
        """The person typed in, as ``services.participant_create`` takes them (or nothing)."""
        if "new_name_native" not in self.fields or not self.cleaned_data["new_name_native"]:
            return {}
        return {
            name: self.cleaned_data[f"new_{name}"]
            for name in NEW_PERSON_FIELDS
            if self.cleaned_data.get(f"new_{name}") not in (None, "")
        }


# --- The logistics checklist ---------------------------------------------------------------------


class ChecklistItemForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["name", "owner", "due_on", "done", "note"]
        widgets = {"owner": FastSelect, "due_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = (
            get_user_model()
            .objects.filter(Q(is_active=True) | Q(pk=self.instance.owner_id or 0))
            .order_by("last_name", "first_name", "username")
        )
        owner.label_from_instance = lambda u: u.get_full_name() or u.username
