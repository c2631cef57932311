"""The pages' forms, adapted to JSON input: same fields, same rules, errors named for the API.

The condition form reads subject areas and language skills as lines of text; over the API they
are JSON lists, so they are handed to the form as rows and their errors are named by position
(``subject_areas[1].isced_code``) rather than by line. The party form shows what the status no
longer allows as disabled fields, which would ignore a change silently; here the fields stay
open and the service refuses the change with its reason.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q

from unibridge.core.api.errors import api_errors
from unibridge.institutions.models import Person

from ..forms import ConditionForm, PartyForm
from ..models import LanguageRequirement, SubjectArea


def item_key(field: str, position: int, part: str = "") -> str:
    """The name of an error of one item of a JSON list: ``subject_areas[1].isced_code``."""
    return f"{field}[{position}]" + (f".{part}" if part else "")


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's nested errors as {name: [messages]}, the API's one error shape.

    Errors of list items are named by position (``subject_areas[1].isced_code``); an error of
    a nested object as a whole is named after the object.
    """
    if isinstance(errors, dict):
        result: dict[str, list[str]] = {}
        for name, value in errors.items():
            if name == "non_field_errors" and prefix:
                key = prefix
            elif isinstance(name, int):  # DRF names the items of a list by position
                key = f"{prefix}[{name}]"
            else:
                key = f"{prefix}.{name}" if prefix else name
            for flat_name, messages in flat_errors(value, key).items():
                result.setdefault(flat_name, []).extend(messages)
        return result
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        result = {}
        for position, item in enumerate(errors):
            if item:
                for flat_name, messages in flat_errors(item, f"{prefix}[{position}]").items():
                    result.setdefault(flat_name, []).extend(messages)
        return result
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


class ConditionApiForm(ConditionForm):
    """The page's condition form with its subject areas and language skills given as rows."""

    def __init__(
        self,
        *args,
        subject_areas: list[SubjectArea],
        language_requirements: list[LanguageRequirement],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.given_subject_areas = subject_areas
        self.given_languages = language_requirements

    def clean_subject_areas(self) -> str:
        self.subject_area_rows = list(enumerate(self.given_subject_areas))
        return ""

    def clean_language_requirements(self) -> str:
        self.language_rows = list(enumerate(self.given_languages))
        return ""

    def add_condition_errors(self, errors: dict[str, list]) -> None:
        """Errors named as in ``conditions`` (``subject_areas-0-isced_code``), for the API."""
        for key, messages in errors.items():
            texts = [
                text
                for item in messages
                for text in (item.messages if isinstance(item, ValidationError) else [str(item)])
            ]
            field, _dash, rest = key.partition("-")
            position, _dash, part = rest.partition("-")
            if position.isdigit():
                # not a form field: kept beside the fields' errors so the form is invalid
                name = item_key(field, int(position), part)
                self._errors.setdefault(name, self.error_class()).extend(texts)
            else:
                self.add_error(field if field in self.fields else None, texts)

    def api_errors(self) -> dict[str, list[str]]:
        return api_errors(self.errors, self.instance)


class PartyApiForm(PartyForm):
    """The page's party form; a change the status does not allow is left to the service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("remove", None)
        for field in self.fields.values():
            field.disabled = False
        # the stored signatory stays a valid choice even when the user cannot see that person
        signatory = self.fields["signatory"]
        signatory.queryset = Person.objects.filter(
            Q(pk__in=signatory.queryset.values("pk")) | Q(pk=self.instance.signatory_id or 0)
        ).order_by("name_latin", "pk")
