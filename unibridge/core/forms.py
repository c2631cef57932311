"""Form pieces every app uses."""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from . import zones
from .widgets import FastSelect


class LinesField(forms.CharField):
    """A list of strings edited as a textarea, one item per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args, item_validator=None, lower=False, **kwargs):
        self.item_validator = item_validator
        self.lower = lower
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
        if self.lower:
            items = [item.lower() for item in items]
        return list(dict.fromkeys(items))

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if self.item_validator:
            errors = []
            for item in value:
                try:
                    self.item_validator(item)
                except ValidationError as exc:
                    errors.extend(exc.error_list)
            if errors:
                raise ValidationError(errors)


VERSION_REQUIRED = "version_required"


class VersionedFormMixin(forms.Form):
    """Carries the record's 'updated' timestamp so a concurrent save is detected.

    A change of a stored record sent without it is refused (code ``version_required``): the
    form holds every field as the user saw it, so saving it could undo changes made since.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["version"] = instance.updated.isoformat()

    def clean_version(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("version")
        if not value:
            instance = getattr(self, "instance", None)
            if instance is not None and instance.pk:
                # on the whole form: the hidden field's own errors are not shown
                self.add_error(
                    None,
                    ValidationError(
                        _(
                            "This form came without the version of the record it was opened "
                            "with, so saving it could undo changes made since; nothing was "
                            "saved. Reload the page and make your changes again."
                        ),
                        code=VERSION_REQUIRED,
                    ),
                )
            return None
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                _("The form is damaged; reload the page."), code="invalid"
            ) from None


def invalid_form_status(form: forms.Form) -> int:
    """428 for a change sent without its version, 400 for any other invalid form."""
    return 428 if form.has_error(NON_FIELD_ERRORS, VERSION_REQUIRED) else 400


class ServiceValidatedMixin(forms.BaseForm):
    """A model form that parses input only: the page's service applies and checks the values.

    The form does not copy what was typed onto its record nor run the model's checks: the
    service does both (with its own rules) when it writes, so each rule is checked once and
    its message is the same for the pages and the API.
    """

    def _post_clean(self) -> None:
        pass


# --- Sections of a form (rendered by core/partials/form_fields.html) ------------------------------


@dataclass(frozen=True)
class FormSection:
    """A heading and its rows of bound fields; a row of two holds a natural pair."""

    heading: Any
    rows: list[list[forms.BoundField]]


def form_sections(form: forms.BaseForm) -> list[FormSection]:
    """The form's visible fields grouped as its class declares in ``sections``.

    ``sections = [(_("Basics"), ["title", ("start_date", "end_date")]), ...]`` names the
    fields of each section in order; a pair in a tuple shares a row. Names the form does not
    have (a field its ``__init__`` removed for this user or status) are passed over, and an
    empty section is left out. The visible fields not named anywhere (added later by another
    mixin, such as translations) go to the section whose heading is ``rest_section``, or to
    one more section at the end. A form without ``sections`` is one section without a heading.
    """
    visible = {field.name: field for field in form.visible_fields()}
    declared = getattr(form, "sections", None)
    if not declared:
        return [FormSection("", [[field] for field in visible.values()])] if visible else []
    # A field's inputs in other languages (core.translation_forms) go right under it.
    # (core.translation_forms marks them with the source field's object)
    names_of = {id(bound.field): name for name, bound in visible.items()}
    translations: dict[str, list[forms.BoundField]] = {}
    for field in visible.values():
        source = names_of.get(id(getattr(field.field, "translation_of", None)))
        if source is not None:
            translations.setdefault(source, []).append(field)
    placed: set[str] = set()
    result = []
    for heading, entries in declared:
        rows = []
        for entry in entries:
            names = (entry,) if isinstance(entry, str) else tuple(entry)
            row = [visible[name] for name in names if name in visible and name not in placed]
            placed.update(field.name for field in row)
            if row:
                rows.append(row)
            for field in row:
                extra = [f for f in translations.get(field.name, []) if f.name not in placed]
                placed.update(f.name for f in extra)
                rows.extend([f] for f in extra)
        result.append(FormSection(heading, rows))
    rest = [[field] for name, field in visible.items() if name not in placed]
    if rest:
        target = getattr(form, "rest_section", None)
        section = next((s for s in result if target is not None and s.heading == target), None)
        if section is not None:
            section.rows.extend(rest)
        else:
            result.append(FormSection(_("Other details"), rest))
    return [section for section in result if section.rows]


class TimeZoneField(forms.ChoiceField):
    """An IANA time zone (Asia/Almaty, Europe/Warsaw…) from a list one can type into.

    About 600 names: the select is marked ``data-searchable`` for Tom Select, and rendered by
    ``FastSelect`` (the options cost a template each otherwise).
    """

    default_error_messages = {
        # the words of the models' own check (visits.models.validate_time_zone)
        "invalid_choice": zones.NOT_A_TIME_ZONE,
    }

    def __init__(self, *, service_checks: bool = False, **kwargs) -> None:
        """``service_checks``: the form's service checks the zone (a ServiceValidatedMixin
        form), so a wrong one is passed on and reported with the service's other errors."""
        self.service_checks = service_checks
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("choices", zones.time_zone_choices)
        kwargs.setdefault("widget", FastSelect(attrs={"data-searchable": ""}))
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        return self.service_checks or zones.is_time_zone(value)
