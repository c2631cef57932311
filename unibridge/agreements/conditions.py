"""The EWP IIA v7 rules for one cooperation condition (a `*-mobility-spec`), with clear messages.

Services and forms call :func:`check_condition` (a dict of messages) or
:func:`validate_condition` (raises ``ValidationError`` with that dict) before saving a condition
with its subject areas and language requirements.

Errors of the condition's own fields use the field name (``last_academic_year``). Errors of one
subject area or language requirement use the formset naming ``subject_areas-0-isced_code`` and
``language_requirements-1-cefr_level`` (position in the list given), so a form can put each
message next to its row; errors about the list as a whole use ``language_requirements``.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import EqfLevel, MobilityType
from .isced import isced_fields
from .models import AgreementParty, CooperationCondition, LanguageRequirement, SubjectArea
from .validators import (
    academic_year_start,
    validate_academic_year,
    validate_cefr,
    validate_isced_code,
    validate_language_code,
)

SUBJECT_AREAS = "subject_areas"
LANGUAGES = "language_requirements"

# v7 requires at least one recommended-language-skill in these two specs only.
NEEDS_LANGUAGE = {MobilityType.STUDENT_STUDIES, MobilityType.STAFF_TEACHING}

Errors = dict[str, list[str]]


def check_condition(
    condition: CooperationCondition,
    subject_areas: Sequence[SubjectArea] | None = None,
    languages: Sequence[LanguageRequirement] | None = None,
    *,
    party_ids: Iterable[int] | None = None,
) -> Errors:
    """Every broken rule of the condition, as {field: [messages]}; empty when it is valid.

    ``subject_areas`` and ``languages`` are the rows the condition will have (saved or not);
    ``None`` leaves those rules out (``Model.clean()`` cannot see unsaved rows), while an
    empty list means "none". ``party_ids`` are the agreement's institutions, read from the
    database when not given; for an unsaved agreement without them that rule is left out.
    """
    errors: Errors = defaultdict(list)
    _check_direction(condition, errors, party_ids)
    _check_years(condition, errors)
    _check_numbers(condition, errors)
    if subject_areas is not None:
        _check_subject_areas(subject_areas, errors)
    if languages is not None:
        _check_languages(condition, languages, subject_areas, errors)
    return dict(errors)


def validate_condition(
    condition: CooperationCondition,
    subject_areas: Sequence[SubjectArea] | None = None,
    languages: Sequence[LanguageRequirement] | None = None,
    *,
    party_ids: Iterable[int] | None = None,
) -> None:
    """Raise ``ValidationError({field: [messages]})`` when :func:`check_condition` finds any."""
    errors = check_condition(condition, subject_areas, languages, party_ids=party_ids)
    if errors:
        raise ValidationError(errors)


# --- The condition's own fields -------------------------------------------------------------


def _check_direction(condition: CooperationCondition, errors: Errors, party_ids) -> None:
    """Sending and receiving HEIs are the agreement's partners, differ, and own their units."""
    sending_id = condition.sending_institution_id
    receiving_id = condition.receiving_institution_id
    if party_ids is None and condition.agreement_id is not None:
        party_ids = AgreementParty.objects.filter(agreement_id=condition.agreement_id).values_list(
            "institution_id", flat=True
        )
    # An unsaved agreement without party_ids (an admin inline, say) has no parties to compare.
    parties = set(party_ids) if party_ids is not None else None
    if parties is not None and sending_id is not None and sending_id not in parties:
        errors["sending_institution"].append(
            _("The sending institution must be a party to the agreement.")
        )
    if parties is not None and receiving_id is not None and receiving_id not in parties:
        errors["receiving_institution"].append(
            _("The receiving institution must be a party to the agreement.")
        )
    if sending_id is not None and sending_id == receiving_id:
        errors["receiving_institution"].append(
            _("The receiving institution must differ from the sending institution.")
        )
    sending_unit = condition.sending_unit if condition.sending_unit_id else None
    if sending_unit and sending_id is not None and sending_unit.institution_id != sending_id:
        errors["sending_unit"].append(_("This unit does not belong to the sending institution."))
    receiving_unit = condition.receiving_unit if condition.receiving_unit_id else None
    if (
        receiving_unit
        and receiving_id is not None
        and receiving_unit.institution_id != receiving_id
    ):
        errors["receiving_unit"].append(
            _("This unit does not belong to the receiving institution.")
        )


def _check_years(condition: CooperationCondition, errors: Errors) -> None:
    """Both years are academic year ids and the last does not precede the first."""
    valid = True
    for field in ("first_academic_year", "last_academic_year"):
        try:
            validate_academic_year(getattr(condition, field))
        except ValidationError as error:
            errors[field].extend(error.messages)
            valid = False
    if valid and academic_year_start(condition.last_academic_year) < academic_year_start(
        condition.first_academic_year
    ):
        errors["last_academic_year"].append(
            _("The last academic year cannot come before the first one.")
        )


def _check_numbers(condition: CooperationCondition, errors: Errors) -> None:
    """Mobilities, months or days by kind of mobility, EQF levels and blended for students."""
    mobilities = condition.mobilities_per_year
    if mobilities is None or mobilities < 1:
        errors["mobilities_per_year"].append(_("Enter at least one mobility per year."))

    kind = condition.mobility_type
    if kind not in MobilityType.values:
        errors["mobility_type"].append(_("Choose a mobility type."))
        return
    for_students = kind in MobilityType.for_students()
    months = condition.total_months_per_year
    days = condition.total_days_per_year
    if for_students:
        if months is None:
            errors["total_months_per_year"].append(
                _("Enter the total months per year for student mobility.")
            )
        else:
            _check_total(months, "total_months_per_year", errors)
        if days is not None:
            errors["total_days_per_year"].append(
                _("Student mobility is counted in months, not days.")
            )
    else:
        if days is None:
            errors["total_days_per_year"].append(
                _("Enter the total days per year for staff mobility.")
            )
        else:
            _check_total(days, "total_days_per_year", errors)
        if months is not None:
            errors["total_months_per_year"].append(
                _("Staff mobility is counted in days, not months.")
            )

    levels = list(condition.eqf_levels or [])
    if levels and not for_students:
        # v7 has eqf-level (and blended) in StudentMobilityExtension only.
        errors["eqf_levels"].append(_("EQF levels apply to student mobility only."))
    unknown = [level for level in levels if level not in EqfLevel.values]
    if unknown:
        errors["eqf_levels"].append(
            _("Unknown EQF level: %(levels)s. Use levels 5 to 8.") % {"levels": ", ".join(unknown)}
        )
    if condition.blended and not for_students:
        errors["blended"].append(_("Blended mobility applies to student mobility only."))


def _check_total(value, field: str, errors: Errors) -> None:
    """A decimal above zero with at most two decimal places (xs:decimal, fractionDigits 2)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors[field].append(_("Enter a number."))
        return
    if number <= 0:
        errors[field].append(_("The total must be greater than zero."))
    elif number.normalize().as_tuple().exponent < -2:
        errors[field].append(_("Use at most two decimal places."))


# --- Subject areas and language requirements ------------------------------------------------


def _check_subject_areas(subject_areas: Sequence[SubjectArea], errors: Errors) -> None:
    for index, area in enumerate(subject_areas):
        prefix = f"{SUBJECT_AREAS}-{index}-"
        try:
            validate_isced_code(area.isced_code)
        except ValidationError as error:
            errors[prefix + "isced_code"].extend(error.messages)
        if _is_official_name(area.isced_code, area.clarification):
            errors[prefix + "clarification"].append(_official_name_message())


def _check_languages(
    condition: CooperationCondition,
    languages: Sequence[LanguageRequirement],
    subject_areas: Sequence[SubjectArea] | None,
    errors: Errors,
) -> None:
    if not languages and condition.mobility_type in NEEDS_LANGUAGE:
        errors[LANGUAGES].append(
            _("Add at least one recommended language skill for this mobility type.")
        )
    areas = {(area.isced_code, area.clarification) for area in subject_areas or []}
    area_codes = {code for code, _clarification in areas}
    for index, requirement in enumerate(languages):
        prefix = f"{LANGUAGES}-{index}-"
        try:
            validate_language_code(requirement.language)
        except ValidationError as error:
            errors[prefix + "language"].extend(error.messages)
        if requirement.cefr_level:  # optional in v7
            try:
                validate_cefr(requirement.cefr_level)
            except ValidationError as error:
                errors[prefix + "cefr_level"].extend(error.messages)

        code, clarification = requirement.isced_code, requirement.clarification
        if not code:
            if clarification:
                errors[prefix + "clarification"].append(_("A clarification needs an ISCED-F code."))
            continue
        try:
            validate_isced_code(code)
        except ValidationError as error:
            errors[prefix + "isced_code"].extend(error.messages)
            continue
        if subject_areas is not None and code not in area_codes:
            errors[prefix + "isced_code"].append(
                _("Choose one of the subject areas of this condition.")
            )
        if _is_official_name(code, clarification):
            errors[prefix + "clarification"].append(_official_name_message())
        elif code in area_codes and clarification and (code, clarification) not in areas:
            errors[prefix + "clarification"].append(
                _("Use the clarification of the matching subject area, or leave it empty.")
            )


def _is_official_name(code: str, clarification: str) -> bool:
    """v7: the isced-clarification MUST NOT hold the official name of the code."""
    field = isced_fields().get(code)
    if field is None or not clarification:
        return False
    text = clarification.strip().casefold()
    return text in {field.name_en.casefold(), field.name_ru.casefold()}


def _official_name_message() -> str:
    return _(
        "Do not repeat the field's official name here; "
        "leave the clarification empty when nothing needs adding."
    )
