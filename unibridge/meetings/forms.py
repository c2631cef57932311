"""Forms of the meeting pages; each takes the editing user so choices follow their scope.

Times are typed in the meeting's own zone (the host's for a visit's meeting), not the
viewer's: "10:00" at a round table in Almaty means 10:00 in Almaty for everybody.
"""

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.fields import BaseTemporalField
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement
from unibridge.core.forms import ServiceValidatedMixin, TimeZoneField, VersionedFormMixin
from unibridge.core.translation_forms import TranslationsFormMixin, needed_languages
from unibridge.core.widgets import FastSelect, RecordPicker, UnitTreeSelectMultiple
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.visits.models import Visit

from . import services
from .choices import ActionItemStatus
from .models import ActionItem, Decision, Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
PEOPLE_FIELDS = ("visit_participants", "other_participants")


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time, kept naive: the form puts it in the meeting's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value):
        # DateTimeField would read the value in the viewer's current zone; this one must not
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        return BaseTemporalField.to_python(self, value)

    def prepare_value(self, value):
        return value


def in_zone(value: datetime.datetime | None, zone: str) -> datetime.datetime | None:
    """A stored (aware) time as the wall-clock time of ``zone``, for the form."""
    return None if value is None else services.wall_clock(value, zone)


def _unit_label(unit: OrganizationalUnit) -> str:
    return "— " * unit.depth + unit.display_name


# --- Meetings -------------------------------------------------------------------------------------


class MeetingForm(
    TranslationsFormMixin, ServiceValidatedMixin, VersionedFormMixin, forms.ModelForm
):
    """A meeting; a visit's meeting leaves out partner, units and confidentiality (the visit's).

    The services check the values (zone, times, units, link) and clean the minutes.
    """

    # the services' names of fields that the form names otherwise
    ERROR_FIELDS = {"starts_at": "starts", "ends_at": "ends", "participants": "other_participants"}

    starts = LocalDateTimeField(label=_("Starts"), help_text=_("In the meeting's time zone."))
    ends = LocalDateTimeField(label=_("Ends"), required=False)
    visit_participants = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Participants of the visit"),
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = TimeZoneField(
        help_text=_("The start and end are in this zone, such as Asia/Almaty or Europe/Warsaw."),
    )
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    other_participants = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Participants"),
        help_text=_("People of either side; type to find them."),
    )

    sections = [
        (_("Meeting"), ["kind", "title", "partner", "home_units", "is_confidential"]),
        (_("When and where"), [("starts", "ends"), "time_zone", "place", "online_link"]),
        (_("Participants"), ["visit_participants", "other_participants"]),
        (_("Agenda and minutes"), ["agenda", "minutes"]),
    ]
    rest_section = sections[0][0]

    class Meta:
        model = Meeting
        fields = [
            "kind", "title", "partner", "home_units", "time_zone", "place", "agenda", "minutes",
            "is_confidential",
        ]  # fmt: skip
        widgets = {
            "kind": FastSelect,
            "partner": FastSelect,
            "home_units": UnitTreeSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 14, "class": "rich-text"}),
        }
        help_texts = {
            "minutes": _(
                "HTML formatting: paragraphs, bold, italics, underline, lists, headings, quotes, "
                "links and tables. Anything else (scripts, styles, images) is removed."
            ),
        }

    field_order = [
        "kind", "title", "partner", "home_units", "starts", "ends", "time_zone", "place",
        "online_link", "visit_participants", "other_participants", "agenda", "minutes",
        "is_confidential",
    ]  # fmt: skip

    def __init__(self, *args, user, visit: Visit | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        meeting = self.instance
        self.visit = visit = visit or (meeting.visit if meeting.visit_id else None)
        meeting.visit = visit
        self.add_translation_fields(meeting_languages(meeting, visit))
        zone = meeting.time_zone if meeting.pk else services.default_time_zone(visit)
        if not self.is_bound:
            self.initial["time_zone"] = zone
            self.initial["online_link"] = meeting.online_link
            if meeting.pk:
                self.initial["starts"] = in_zone(meeting.starts_at, zone)
                self.initial["ends"] = in_zone(meeting.ends_at, zone)
        people = Person.objects.visible_to(user).select_related("institution")
        chosen = set(meeting.participants.values_list("pk", flat=True)) if meeting.pk else set()
        partner = services.meeting_partner(meeting) if visit else meeting.partner
        if visit is not None:
            for name in ("partner", "home_units", "is_confidential"):
                del self.fields[name]
            # the visit's own people come first, as checkboxes; anyone else through the picker
            members = self.fields["visit_participants"]
            members.queryset = people.filter(visit_participations__visit=visit).order_by(
                "name_latin", "pk"
            )
            member_ids = set(visit.participants.values_list("person_id", flat=True))
            if not member_ids:
                del self.fields["visit_participants"]  # nobody to offer yet
            if not self.is_bound:
                self.initial["visit_participants"] = sorted(chosen & member_ids)
                self.initial["other_participants"] = sorted(chosen - member_ids)
        else:
            del self.fields["visit_participants"]
            self._set_partner_choices(meeting)
            units = self.fields["home_units"]
            units.queryset = OrganizationalUnit.objects.of_home().order_by("path")
            units.label_from_instance = _unit_label
            if not user.is_office:
                units.required = True
            if not self.is_bound:
                self.initial["other_participants"] = sorted(chosen)
        others = self.fields["other_participants"]
        picker_url = reverse("institutions:person_picker")
        if partner is not None:
            picker_url += f"?{urlencode({'institution': partner.uuid})}"
        others.queryset = people
        others.widget = RecordPicker(picker_url=picker_url)
        others.widget.choices = others.choices

    def _set_partner_choices(self, meeting: Meeting) -> None:
        """Partners with a partnership record are offered (a select of 10,000 helps nobody)."""
        field = self.fields["partner"]
        field.queryset = Institution.objects.filter(is_home=False)
        offered = Institution.objects.filter(
            Q(partnership__isnull=False) | Q(pk=meeting.partner_id or 0), is_home=False
        ).order_by("name", "pk")
        field.widget.choices = [("", "---------")] + [(i.pk, i.display_name) for i in offered]
        field.help_text = _("Partners with a partnership record.")

    def values(self) -> dict[str, Any]:
        """The valid form's values as ``services.meeting_create``/``meeting_update`` take them:
        the wall-clock times by their field names, the participants of both pickers."""
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in self.fields
            if name in data and name not in ("version", "starts", "ends", *PEOPLE_FIELDS)
        }
        values["starts_at"], values["ends_at"] = data.get("starts"), data.get("ends")
        people = [p for name in PEOPLE_FIELDS for p in data.get(name) or []]
        values["participants"] = list(dict.fromkeys(people))
        return values


# --- Decisions ------------------------------------------------------------------------------------


def meeting_languages(meeting: Meeting | None, visit: Visit | None) -> list[str]:
    """The languages a meeting's texts are needed in: English and its institutions'."""
    if visit is not None:
        return needed_languages([visit.visiting_institution, visit.host_institution])
    home = Institution.objects.filter(is_home=True).first()
    partner = meeting.partner if meeting is not None and meeting.partner_id else None
    return needed_languages([home, partner])


class DecisionForm(TranslationsFormMixin, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = meeting or (self.instance.meeting if self.instance.meeting_id else None)
        visit = meeting.visit if meeting is not None and meeting.visit_id else None
        self.add_translation_fields(meeting_languages(meeting, visit))


# --- Action items ---------------------------------------------------------------------------------


def _agreement_label(agreement: Agreement) -> str:
    return f"{agreement.reference} {agreement.title}".strip()


class ActionItemForm(
    TranslationsFormMixin, ServiceValidatedMixin, VersionedFormMixin, forms.ModelForm
):
    """An action item of a meeting: owner among its and its visit's people and the home side's.

    The services check the agreement again and set the completion day.
    """

    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on", "status", "partnership", "agreement"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "owner": FastSelect,
            "due_on": DATE,
            "status": FastSelect,
            "partnership": FastSelect,
            "agreement": FastSelect,
        }

    def __init__(self, *args, user, meeting: Meeting, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        item = self.instance
        item.meeting = meeting
        self.add_translation_fields(
            meeting_languages(meeting, meeting.visit if meeting.visit_id else None)
        )
        # Offered: those the services accept (services.owner_candidates) and the stored owner
        owner = self.fields["owner"]
        people = Person.objects.visible_to(user)
        owner.queryset = people
        offered = people.filter(
            Q(pk__in=services.owner_candidates(meeting).values("pk")) | Q(pk=item.owner_id or 0)
        ).order_by("name_latin", "pk")
        owner.widget.choices = [("", _("No owner yet"))] + [(p.pk, str(p)) for p in offered]
        owner.help_text = _(
            "A participant of the meeting or of its visit, or someone of the home institution."
        )
        partnership = self.fields["partnership"]
        partnership.queryset = Partnership.objects.visible_to(user).select_related("partner")
        partnership.widget.choices = [("", "---------")] + [
            (p.pk, p.partner.display_name) for p in partnership.queryset
        ]
        agreements = services.agreements_for(meeting, user).order_by("reference")
        if item.agreement_id:
            agreements = agreements | Agreement.objects.filter(pk=item.agreement_id)
        agreement = self.fields["agreement"]
        agreement.queryset = agreements
        agreement.label_from_instance = _agreement_label
        agreement.widget.choices = [("", "---------")] + [
            (a.pk, _agreement_label(a)) for a in agreements
        ]
        agreement.help_text = _("An agreement the meeting's partner is a party to.")
        if not item.pk and not self.is_bound:
            default = services.default_partnership(meeting)
            if default is not None:
                self.initial["partnership"] = default.pk

    def values(self) -> dict[str, Any]:
        """The valid form's values as ``services.action_item_create``/``update`` take them."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItemStatus.choices)
