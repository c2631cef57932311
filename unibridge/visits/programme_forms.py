"""The form of a programme item: date and times typed in the host's zone, people to choose."""

import datetime
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from unibridge.core.forms import ServiceValidatedMixin, VersionedFormMixin
from unibridge.core.translation_forms import TranslationsFormMixin, needed_languages
from unibridge.core.widgets import FastSelect, RecordPicker
from unibridge.institutions.models import Person

from .choices import ParticipantSide
from .models import ProgrammeItem, Visit, VisitParticipant


class ParticipantsPicker(RecordPicker):
    """The visit's participants offered first as checkboxes; anyone else found by typing."""

    def __init__(self, *args, offered: Iterable[tuple[Person, str]] = (), **kwargs):
        self.offered = list(offered)
        super().__init__(*args, **kwargs)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        from django.utils.translation import gettext as _

        chosen = {str(v) for v in (value or []) if v not in (None, "")}
        offered_ids = {str(person.pk) for person, _note in self.offered}
        offered = format_html_join(
            "",
            '<li><label><input type="checkbox" name="{}" value="{}"{}> {}'
            ' <span class="muted">· {}</span></label></li>',
            (
                (name, person.pk, " checked" if str(person.pk) in chosen else "", person, note)
                for person, note in self.offered
            ),
        )
        others = [v for v in (value or []) if str(v) not in offered_ids]
        picker = super().render(name, others, attrs, renderer)
        if not self.offered:
            return picker
        return format_html(
            '<p class="muted">{}</p><ul class="picker-chosen picker-offered">{}</ul>'
            '<p class="muted">{}</p>{}',
            _("Participants of the visit:"),
            offered,
            _("Others:"),
            picker,
        )


class ProgrammeItemForm(
    TranslationsFormMixin, ServiceValidatedMixin, VersionedFormMixin, forms.ModelForm
):
    """One programme item; its date and times are wall-clock times in the host's zone.

    The services read the times in the zone (refusing one the clocks skip), check that the
    end comes after the start and keep the participants the user may not see.
    """

    day = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    online_link = forms.URLField(
        label=_("Online link"), required=False, assume_scheme="https", max_length=200
    )

    field_order = [
        "kind", "title", "day", "start_time", "end_time", "place", "online_link",
        "responsible", "participants", "description",
    ]  # fmt: skip

    class Meta:
        model = ProgrammeItem
        fields = [
            "kind", "title", "place", "online_link", "responsible", "participants", "description",
        ]  # fmt: skip
        widgets = {
            "kind": FastSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, visit: Visit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.user = user
        self.instance.visit = visit
        self.add_translation_fields(
            needed_languages([visit.visiting_institution, visit.host_institution])
        )
        tz = visit.tz
        zone_help = _("In the host's time zone, %(zone)s.") % {"zone": visit.time_zone}
        self.fields["day"].help_text = _("The visit runs from %(first)s to %(last)s.") % {
            "first": date_format(visit.start_date),
            "last": date_format(visit.end_date),
        }
        self.fields["start_time"].help_text = zone_help
        self.fields["end_time"].help_text = zone_help
        self.fields["place"].help_text = _("A room, such as “Senate hall, room 101”.")
        item = self.instance
        if not self.is_bound:
            if item.pk:
                self.initial["day"] = item.starts_at.astimezone(tz).date()
                self.initial["start_time"] = item.starts_at.astimezone(tz).time()
                self.initial["end_time"] = item.ends_at.astimezone(tz).time()
            else:
                self.initial.setdefault("day", visit.start_date)

        self.people = Person.objects.visible_to(user)
        members = [
            (p.person, _participant_note(p))
            for p in VisitParticipant.objects.filter(visit=visit)
            .select_related("person")
            .order_by("side", "order", "pk")
        ]

        responsible = self.fields["responsible"]
        responsible.queryset = self.people
        # Only the likely people are rendered (a university has thousands); validation still
        # accepts anyone the user may see, so an earlier choice survives an edit.
        offered: dict[int, Person] = {person.pk: person for person, _note in members}
        for person in visit.responsible_people.all():
            offered.setdefault(person.pk, person)
        if item.pk and item.responsible_id and item.responsible_id not in offered:
            offered[item.responsible_id] = item.responsible
        responsible.widget.choices = [("", "---------")] + [
            (pk, str(person)) for pk, person in offered.items()
        ]
        responsible.help_text = _(
            "A participant or a person responsible for the visit; add others to the visit first."
        )

        participants = self.fields["participants"]
        picker_url = reverse("institutions:person_picker")
        partner = visit.partner
        if partner is not None:
            picker_url += f"?{urlencode({'institution': partner.uuid})}"
        participants.widget = ParticipantsPicker(offered=members, picker_url=picker_url)
        participants.queryset = self.people
        participants.widget.choices = participants.choices
        participants.help_text = _("Tick the visit's participants; type to find anyone else.")

    def values(self) -> dict[str, Any]:
        """The valid form's values as the programme services take them: the start and end
        as wall-clock times of the host's zone (the services read them in it)."""
        data = self.cleaned_data
        values = {name: data[name] for name in self._meta.fields if name in self.fields}
        day = data["day"]
        values["starts_at"] = datetime.datetime.combine(day, data["start_time"])
        values["ends_at"] = datetime.datetime.combine(day, data["end_time"])
        return values


def _participant_note(participant: VisitParticipant) -> str:
    if participant.side == ParticipantSide.HOME:
        return str(participant.get_side_display())
    return str(participant.get_role_display())
