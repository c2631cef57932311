"""The pages' forms, adapted to JSON input: same fields, same rules, errors named for the API.

The condition form reads subject areas and language skills as lines of text; over the API they
are JSON lists, so they are handed to the form as rows and their errors are named by position
(``subject_areas[1].isced_code``) rather than by line. (Agreements and parties go serializer →
service; only conditions still take this round trip through their page's form.)
"""

from django.core.exceptions import ValidationError

from unibridge.core.api.errors import api_errors, flat_errors  # noqa: F401 (moved to core)

from ..forms import ConditionForm
from ..models import LanguageRequirement, SubjectArea


def item_key(field: str, position: int, part: str = "") -> str:
    """The name of an error of one item of a JSON list: ``subject_areas[1].isced_code``."""
    return f"{field}[{position}]" + (f".{part}" if part else "")


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
