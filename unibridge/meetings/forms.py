"""Forms of the meeting pages; each takes the editing user so choices follow their scope.

Times are typed in the meeting's own zone (the host's for a visit's meeting), not the
viewer's: "10:00" at a round table in Almaty means 10:00 in Almaty for everybody.
"""

import datetime
import functools
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.fields import BaseTemporalField
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from unibridge.agreements.models import Agreement
from unibridge.core.forms import VersionedFormMixin
from unibridge.core.widgets import FastSelect, RecordPicker
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.visits.models import Visit

from . import services
from .choices import ActionItemStatus
from .models import ActionItem, Decision, Meeting
from .sanitize import sanitize_minutes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


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
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


# the service's rule: a wall-clock time the clocks skip is refused
aware = services.zone_aware


@functools.lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone name; read once (listing them scans the zone files)."""
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _unit_label(unit: OrganizationalUnit) -> str:
    return "— " * unit.depth + unit.display_name


# --- Meetings -------------------------------------------------------------------------------------


class MeetingForm(VersionedFormMixin, forms.ModelForm):
    """A meeting; a visit's meeting leaves out partner, units and confidentiality (the visit's)."""

    starts = LocalDateTimeField(label=_("Starts"), help_text=_("In the meeting's time zone."))
    ends = LocalDateTimeField(label=_("Ends"), required=False)
    visit_participants = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Participants of the visit"),
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=FastSelect,
        help_text=_("The start and end are in this zone, such as Asia/Almaty or Europe/Warsaw."),
    )
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    other_participants = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Participants"),
        help_text=_("People of either side; type to find them."),
    )

    class Meta:
        model = Meeting
        fields = [
            "kind", "title", "partner", "home_units", "time_zone", "place", "agenda", "minutes",
            "is_confidential",
        ]  # fmt: skip
        widgets = {
            "kind": FastSelect,
            "partner": FastSelect,
            "home_units": forms.CheckboxSelectMultiple,
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

    def clean_minutes(self) -> str:
        return sanitize_minutes(self.cleaned_data.get("minutes", ""))

    def clean_home_units(self):
        units = self.cleaned_data.get("home_units") or []
        if not self.user.is_office and not any(u.pk in self.user.unit_scope_ids for u in units):
            raise ValidationError(services.OUTSIDE_SCOPE, code="outside_scope")
        return units

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = data.get("time_zone")
        starts, ends = data.get("starts"), data.get("ends")
        if zone:
            for name, value in (("starts", starts), ("ends", ends)):
                if value is not None:
                    try:
                        data[f"{name}_at"] = aware(value, zone)
                    except ValidationError as error:
                        self.add_error(name, error)
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends", services.END_BEFORE_START)
        # not a model field of the form: declared here to accept links typed without https://
        self.instance.online_link = data.get("online_link") or ""
        if starts_at:
            self.instance.starts_at = starts_at
            self.instance.ends_at = ends_at if ends is not None else None
        participants = list(data.get("visit_participants") or []) + list(
            data.get("other_participants") or []
        )
        data["participants"] = list(dict.fromkeys(participants))
        return data

    def save(self, commit: bool = False) -> Meeting:
        """The meeting, unsaved, with its visit's fields applied: ``services.meeting_save``
        writes it (audited, minutes sanitised, with its participants and units)."""
        if commit:
            raise TypeError("MeetingForm does not write; call services.meeting_save().")
        meeting = super().save(commit=False)
        services.prepare_meeting(meeting)
        return meeting


# --- Decisions ------------------------------------------------------------------------------------


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


# --- Action items ---------------------------------------------------------------------------------


def _agreement_label(agreement: Agreement) -> str:
    return f"{agreement.reference} {agreement.title}".strip()


class ActionItemForm(VersionedFormMixin, forms.ModelForm):
    """An action item of a meeting: owner among the meeting's people and the system's users."""

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
        # Offered: the meeting's and the visit's people and everybody with an account (they
        # see "My action items"); any visible person is accepted.
        owner = self.fields["owner"]
        people = Person.objects.visible_to(user)
        owner.queryset = people
        offered = people.filter(
            Q(meetings=meeting)
            | Q(visit_participations__visit_id=meeting.visit_id or 0)
            | Q(user__isnull=False)
            | Q(pk=item.owner_id or 0)
        ).distinct()
        owner.widget.choices = [("", "---------")] + [(p.pk, str(p)) for p in offered]
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


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItemStatus.choices)
