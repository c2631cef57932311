"""Bulk actions of list pages: the rows a user ticks, changed one by one through the app's service.

A list view names its actions (:class:`BulkAction`); every list also offers "Export selected"
(CSV or XLSX through ``core.exports``). A write runs the app's own service for each record,
all inside one transaction, on the records the user may see (``visible_to``) and change
(``editable_by``); a record a service refuses (its status does not allow the change) is
skipped in its own savepoint, and the message says which and why.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# The value of the export choices of the action <select>; they write nothing.
EXPORTS = {"export_csv": "csv", "export_xlsx": "xlsx"}


@dataclass(frozen=True)
class BulkAction:
    """One bulk write: its label, the value it asks for, and the service call per record.

    ``value_field`` builds the form field of the value chosen with the action (the new status,
    the person to assign) for the user; ``apply`` changes one record (the app's service);
    ``done`` words the result for the number of records changed and the chosen value.
    """

    key: str
    label: Any
    apply: Callable[[Any, Any, Any], Any]
    done: Callable[[int, Any], str]
    value_field: Callable[[Any], forms.Field] | None = None


@dataclass
class BulkResult:
    """What a bulk action did: the records changed and those skipped, with the reason."""

    changed: list[Model] = field(default_factory=list)
    not_editable: list[Model] = field(default_factory=list)
    refused: list[tuple[Model, str]] = field(default_factory=list)

    def messages(self, action: BulkAction, value: Any) -> tuple[str, list[str]]:
        """The success message and the warnings about skipped records."""
        done = action.done(len(self.changed), value) if self.changed else ""
        warnings = []
        if self.not_editable:
            count = len(self.not_editable)
            warnings.append(
                ngettext(
                    "%(count)d skipped: you may not edit it.",
                    "%(count)d skipped: you may not edit them.",
                    count,
                )
                % {"count": count}
            )
        for record, reason in self.refused:
            warnings.append(_("%(name)s skipped: %(reason)s") % {"name": record, "reason": reason})
        return done, warnings


class BulkForm(forms.Form):
    """The action chosen for the ticked rows and the value it needs (the rows come apart)."""

    def __init__(self, *args: Any, actions: Sequence[BulkAction], user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actions = {action.key: action for action in actions}
        choices = [
            ("export_csv", gettext_lazy("Export selected as CSV")),
            ("export_xlsx", gettext_lazy("Export selected as XLSX")),
            *((action.key, action.label) for action in actions),
        ]
        self.fields["action"] = forms.ChoiceField(
            label=gettext_lazy("With the selected rows"),
            choices=choices,
            widget=forms.Select(attrs={"class": "form-select form-select-sm", "data-plain": ""}),
        )
        for action in actions:
            if action.value_field is not None:
                value = action.value_field(user)
                value.required = False  # required with its own action only (see clean)
                value.widget.attrs["class"] = "form-select form-select-sm"
                self.fields[f"value_{action.key}"] = value

    @property
    def value_fields(self) -> list[tuple[str, forms.BoundField]]:
        """(action key, the field of its value), for the template."""
        prefix = "value_"
        return [(n.removeprefix(prefix), self[n]) for n in self.fields if n.startswith(prefix)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key = data.get("action", "")
        name = f"value_{key}"
        if name in self.fields and data.get(name) in (None, "", []):
            self.add_error(name, _("Choose what to apply to the selected rows."))
        return data

    @property
    def action(self) -> BulkAction | None:
        return self.actions.get(self.cleaned_data["action"])

    @property
    def value(self) -> Any:
        return self.cleaned_data.get(f"value_{self.cleaned_data['action']}")


@transaction.atomic
def bulk_apply(
    *, action: BulkAction, records: Iterable[Model], editable_ids: set, user: Any, value: Any
) -> BulkResult:
    """Apply the action to each record the user may change, in one transaction.

    Each record is changed in its own savepoint: a record its service refuses is rolled back
    alone and reported with the service's reason, the others are kept.
    """
    result = BulkResult()
    for record in records:
        if record.pk not in editable_ids:
            result.not_editable.append(record)
            continue
        try:
            with transaction.atomic():
                action.apply(record, user, value)
        except PermissionDenied:
            result.not_editable.append(record)
        except ValidationError as error:
            result.refused.append((record, " ".join(error.messages)))
        else:
            result.changed.append(record)
    return result
