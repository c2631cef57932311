"""The API's names for the errors of a cooperation condition's subject areas and languages.

The condition page reads subject areas and language skills as lines of text; over the API they
are JSON lists, and the errors of their items are named by position
(``subject_areas[1].isced_code``) rather than by line.
"""

from django.core.exceptions import NON_FIELD_ERRORS


def item_key(field: str, position: int, part: str = "") -> str:
    """The name of an error of one item of a JSON list: ``subject_areas[1].isced_code``."""
    return f"{field}[{position}]" + (f".{part}" if part else "")


def condition_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """``condition_save``'s errors (``subject_areas-0-isced_code``) named for the API.

    A field validator and the EWP rules can both give the same message: it is kept once.
    """
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        field, _dash, rest = key.partition("-")
        position, _dash, part = rest.partition("-")
        if position.isdigit():
            name = item_key(field, int(position), part)
        else:
            name = "non_field_errors" if key == NON_FIELD_ERRORS else key
        kept = result.setdefault(name, [])
        kept.extend(m for m in messages if m not in kept)
    return result
