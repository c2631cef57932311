"""Model fields shared by several apps."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, Q
from django.db.models.expressions import Combinable
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import fields as country_fields

from .cldr import CldrCountries

# Maximum lengths of free text, in characters: a reason or a comment, notes and
# descriptions, a long text (a news body), formatted minutes (HTML markup counts too).
SHORT_TEXT = 2_000
NOTES = 10_000
LONG_TEXT = 50_000
RICH_TEXT = 200_000


class TextField(models.TextField):
    """A TextField with a maximum length that forms, the API and ``full_clean`` all check.

    Django's own TextField passes max_length to its form field only; this one also validates
    the model, so a service's ``full_clean`` refuses two megabytes of notes from any source.
    """

    def __init__(self, *args: Any, max_length: int = NOTES, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(validators.MaxLengthValidator(self.max_length))


class CountryField(country_fields.CountryField):
    """django-countries' field (an ISO code is stored) with CLDR names in the reader's language.

    ``country.name``, the form choices and the admin's filter name and sort the countries
    through ``core.cldr``, so Kazakh readers get Kazakh names. The names are not part of the
    schema, like a field's choices: the field describes itself to migrations as the plain
    django-countries field, and changing the names needs no migration.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("countries", CldrCountries)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("countries", None)
        return name, "django_countries.fields.CountryField", args, kwargs


if TYPE_CHECKING:
    # The types django-stubs gives the model attribute: set a list (or a tuple), read a list.
    # Django's Field takes no type arguments at run time.
    _ListTextField = models.TextField[list[str] | tuple[str, ...] | Combinable, list[str]]
else:
    _ListTextField = models.TextField


class ChoiceListField(_ListTextField):
    """A list of choice codes stored as ',a,b,' so every database can filter by one code.

    Filter with ``Q(**{f"{name}__contains": f",{code},"})`` or :func:`has_choice`.
    """

    def __init__(
        self, *args: Any, item_choices: Iterable[tuple[str, Any]] = (), **kwargs: Any
    ) -> None:
        self.item_choices = list(item_choices)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        if kwargs.get("default") is list:
            del kwargs["default"]
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[str]:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return list(value)
        return [code for code in str(value).split(",") if code]

    def get_prep_value(self, value: Any) -> str:
        codes = self.to_python(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj: Model) -> str:
        return ",".join(self.value_from_object(obj))

    def validate(self, value: Any, model_instance: Model | None) -> None:
        allowed = {code for code, _label in self.item_choices}
        unknown = [code for code in value if code not in allowed]
        if unknown:
            raise ValidationError(
                _("Unknown choice(s): %(codes)s."),
                code="invalid_choice",
                params={"codes": ", ".join(unknown)},
            )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults: dict[str, Any] = {
            "form_class": forms.MultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        for key in ("max_length", "choices_form_class", "coerce", "empty_value"):
            defaults.pop(key, None)
        return form_class(**defaults)

    def labels(self, value: list[str]) -> list[str]:
        names = dict(self.item_choices)
        return [str(names.get(code, code)) for code in value]


def has_choice(field_name: str, code: str) -> Q:
    """Q object for 'the list in field_name holds code'."""
    return Q(**{f"{field_name}__contains": f",{code},"})
