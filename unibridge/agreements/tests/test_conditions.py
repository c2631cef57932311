"""Cooperation conditions follow the EWP IIA v7 rules, each broken rule with a clear message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise

from unibridge.agreements import conditions
from unibridge.agreements.conditions import check_condition, validate_condition
from unibridge.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementType,
    CooperationCondition,
    LanguageRequirement,
    SubjectArea,
)
from unibridge.agreements.validators import (
    MESSAGES,
    validate_academic_year,
    validate_cefr,
    validate_language_code,
)
from unibridge.institutions.tests.factories import InstitutionFactory, UnitFactory

STUDIES = "student-studies"
TRAINEESHIP = "student-traineeship"
TEACHING = "staff-teacher"
TRAINING = "staff-training"


@pytest.fixture
def partner(db):
    return InstitutionFactory(name="AGH University of Krakow", country="PL")


@pytest.fixture
def agreement(home, partner):
    agreement_type, _created = AgreementType.objects.get_or_create(
        code="erasmus-ka171",
        defaults={"name": "Erasmus+ KA171", "reference_prefix": "KA171", "has_conditions": True},
    )
    agreement = Agreement.objects.create(
        agreement_type=agreement_type, reference="KA171-2026-001", title="KA171 with AGH"
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    AgreementParty.objects.create(agreement=agreement, institution=partner, order=1)
    return agreement


def make_condition(agreement, home, partner, **fields) -> CooperationCondition:
    """A valid student-studies condition (unsaved) from home to partner, with overrides."""
    values = {
        "agreement": agreement,
        "mobility_type": STUDIES,
        "sending_institution": home,
        "receiving_institution": partner,
        "mobilities_per_year": 2,
        "total_months_per_year": Decimal("10"),
        "eqf_levels": ["6", "7"],
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
    }
    values.update(fields)
    return CooperationCondition(**values)


@pytest.fixture
def condition(agreement, home, partner):
    def build(**fields):
        return make_condition(agreement, home, partner, **fields)

    return build


def areas(*codes: str | tuple[str, str]) -> list[SubjectArea]:
    pairs = [code if isinstance(code, tuple) else (code, "") for code in codes]
    return [SubjectArea(isced_code=code, clarification=text) for code, text in pairs]


def english(language="en", cefr_level="B2", **fields) -> LanguageRequirement:
    return LanguageRequirement(language=language, cefr_level=cefr_level, **fields)


# --- A valid condition of each kind -----------------------------------------------------------


def test_a_valid_student_condition_has_no_errors(condition):
    assert check_condition(condition(), areas("0713", "0724"), [english()]) == {}


def test_a_valid_staff_condition_has_no_errors(condition):
    staff = condition(
        mobility_type=TEACHING,
        total_months_per_year=None,
        total_days_per_year=Decimal("10"),
        eqf_levels=[],
    )
    assert check_condition(staff, areas("0715"), [english()]) == {}


def test_traineeships_and_staff_training_need_no_language_skill(condition):
    traineeship = condition(mobility_type=TRAINEESHIP)
    training = condition(
        mobility_type=TRAINING,
        total_months_per_year=None,
        total_days_per_year=Decimal("5.5"),
        eqf_levels=[],
    )
    assert check_condition(traineeship, [], []) == {}
    assert check_condition(training, [], []) == {}


def test_validate_condition_raises_the_same_errors_as_a_dict(condition):
    with pytest.raises(ValidationError) as error:
        validate_condition(condition(mobilities_per_year=0), [], [english()])
    assert error.value.message_dict == {
        "mobilities_per_year": ["Enter at least one mobility per year."]
    }


def test_validate_condition_passes_a_valid_condition(condition):
    validate_condition(condition(), areas("0713"), [english()])


# --- Direction: partners, units -------------------------------------------------------------


def test_sending_and_receiving_institutions_must_be_parties(condition, home):
    stranger = InstitutionFactory()
    errors = check_condition(condition(receiving_institution=stranger))
    assert errors == {
        "receiving_institution": ["The receiving institution must be a party to the agreement."]
    }
    errors = check_condition(condition(sending_institution=stranger))
    assert errors == {
        "sending_institution": ["The sending institution must be a party to the agreement."]
    }


def test_sending_and_receiving_institutions_must_differ(condition, home):
    errors = check_condition(condition(receiving_institution=home))
    assert errors == {
        "receiving_institution": [
            "The receiving institution must differ from the sending institution."
        ]
    }


def test_party_ids_can_be_given_for_parties_not_saved_yet(home, partner):
    unsaved = make_condition(Agreement(), home, partner)
    assert check_condition(unsaved, party_ids=[home.pk, partner.pk]) == {}
    assert check_condition(unsaved, party_ids=[partner.pk]) == {
        "sending_institution": ["The sending institution must be a party to the agreement."]
    }


def test_without_party_ids_an_unsaved_agreement_skips_the_party_rule(home, partner):
    assert check_condition(make_condition(Agreement(), home, partner)) == {}


def test_units_must_belong_to_their_institution(condition, engineering, partner):
    partner_faculty = UnitFactory(institution=partner)
    good = condition(sending_unit=engineering, receiving_unit=partner_faculty)
    assert check_condition(good) == {}
    swapped = condition(sending_unit=partner_faculty, receiving_unit=engineering)
    assert check_condition(swapped) == {
        "sending_unit": ["This unit does not belong to the sending institution."],
        "receiving_unit": ["This unit does not belong to the receiving institution."],
    }


# --- Academic years ---------------------------------------------------------------------------


def test_academic_years_must_have_the_ewp_form(condition):
    errors = check_condition(condition(first_academic_year="2026", last_academic_year="2026-2027"))
    assert errors == {
        "first_academic_year": ["Enter an academic year such as 2026/2027."],
        "last_academic_year": ["Enter an academic year such as 2026/2027."],
    }


def test_the_second_year_must_follow_the_first(condition):
    errors = check_condition(condition(last_academic_year="2028/2030"))
    assert errors == {
        "last_academic_year": ["The second year must follow the first one, such as 2028/2029."]
    }


def test_the_last_academic_year_cannot_precede_the_first(condition):
    errors = check_condition(
        condition(first_academic_year="2027/2028", last_academic_year="2026/2027")
    )
    assert errors == {
        "last_academic_year": ["The last academic year cannot come before the first one."]
    }


def test_a_condition_may_cover_a_single_academic_year(condition):
    one_year = condition(first_academic_year="2026/2027", last_academic_year="2026/2027")
    assert check_condition(one_year) == {}


@pytest.mark.parametrize("value", ["2026/2027", "1999/2000", "2099/2100"])
def test_validate_academic_year_accepts_consecutive_years(value):
    validate_academic_year(value)


@pytest.mark.parametrize(
    "value,message",
    [
        ("2026/27", "Enter an academic year such as 2026/2027."),
        (" 2026/2027", "Enter an academic year such as 2026/2027."),
        ("2026/2027-1/2", "Enter an academic year such as 2026/2027."),
        ("", "Enter an academic year such as 2026/2027."),
        ("2026/2026", "The second year must follow the first one, such as 2026/2027."),
        ("2027/2026", "The second year must follow the first one, such as 2027/2028."),
        ("1999/2001", "The second year must follow the first one, such as 1999/2000."),
    ],
)
def test_validate_academic_year_refuses_other_values(value, message):
    with pytest.raises(ValidationError) as error:
        validate_academic_year(value)
    assert error.value.messages == [message]


# --- Numbers: mobilities, months, days --------------------------------------------------------


@pytest.mark.parametrize("value", [0, None])
def test_at_least_one_mobility_per_year(condition, value):
    assert check_condition(condition(mobilities_per_year=value)) == {
        "mobilities_per_year": ["Enter at least one mobility per year."]
    }


@pytest.mark.parametrize("kind", [STUDIES, TRAINEESHIP])
def test_student_mobility_needs_months_and_no_days(condition, kind):
    errors = check_condition(
        condition(mobility_type=kind, total_months_per_year=None, total_days_per_year=30)
    )
    assert errors == {
        "total_months_per_year": ["Enter the total months per year for student mobility."],
        "total_days_per_year": ["Student mobility is counted in months, not days."],
    }


@pytest.mark.parametrize("kind", [TEACHING, TRAINING])
def test_staff_mobility_needs_days_and_no_months(condition, kind):
    errors = check_condition(condition(mobility_type=kind, eqf_levels=[]))
    assert errors == {
        "total_days_per_year": ["Enter the total days per year for staff mobility."],
        "total_months_per_year": ["Staff mobility is counted in days, not months."],
    }


@pytest.mark.parametrize(
    "value,message",
    [
        (Decimal("0"), "The total must be greater than zero."),
        (Decimal("-1"), "The total must be greater than zero."),
        (Decimal("2.125"), "Use at most two decimal places."),
    ],
)
def test_totals_are_positive_with_two_decimal_places_at_most(condition, value, message):
    assert check_condition(condition(total_months_per_year=value)) == {
        "total_months_per_year": [message]
    }
    staff = condition(
        mobility_type=TRAINING, total_months_per_year=None, total_days_per_year=value, eqf_levels=[]
    )
    assert check_condition(staff) == {"total_days_per_year": [message]}


def test_totals_may_have_two_decimal_places(condition):
    assert check_condition(condition(total_months_per_year=Decimal("4.50"))) == {}


def test_a_mobility_type_is_required(condition):
    assert check_condition(condition(mobility_type="")) == {
        "mobility_type": ["Choose a mobility type."]
    }


# --- EQF levels and blended: students only in v7 ----------------------------------------------


def test_eqf_levels_are_for_student_mobility_only(condition):
    staff = condition(
        mobility_type=TEACHING,
        total_months_per_year=None,
        total_days_per_year=Decimal("5"),
        eqf_levels=["7"],
    )
    assert check_condition(staff) == {"eqf_levels": ["EQF levels apply to student mobility only."]}


def test_eqf_levels_are_5_to_8(condition):
    assert check_condition(condition(eqf_levels=["4", "6", "9"])) == {
        "eqf_levels": ["Unknown EQF level: 4, 9. Use levels 5 to 8."]
    }


def test_student_mobility_may_leave_eqf_levels_out(condition):
    assert check_condition(condition(eqf_levels=[])) == {}


def test_blended_mobility_is_for_students_only(condition):
    assert check_condition(condition(blended=True)) == {}
    staff = condition(
        mobility_type=TRAINING,
        total_months_per_year=None,
        total_days_per_year=Decimal("5"),
        eqf_levels=[],
        blended=True,
    )
    assert check_condition(staff) == {
        "blended": ["Blended mobility applies to student mobility only."]
    }


# --- Subject areas ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["07", "071"])
def test_subject_areas_need_four_digit_codes(condition, code):
    errors = check_condition(condition(), areas("0713", code), [english()])
    assert errors == {
        "subject_areas-1-isced_code": ["Use a four-digit ISCED-F code, such as 0713."]
    }


def test_subject_areas_need_known_codes(condition):
    errors = check_condition(condition(), areas("0725"), [english()])
    assert errors == {"subject_areas-0-isced_code": ["0725 is not an ISCED-F 2013 code."]}


def test_a_clarification_may_not_repeat_the_official_name(condition):
    given = areas(
        ("0713", "Electricity and energy"), ("0724", "горное дело и добыча полезных ископаемых")
    )
    errors = check_condition(condition(), given, [english()])
    message = (
        "Do not repeat the field's official name here; "
        "leave the clarification empty when nothing needs adding."
    )
    assert errors == {
        "subject_areas-0-clarification": [message],
        "subject_areas-1-clarification": [message],
    }


def test_a_clarification_adds_detail(condition):
    given = areas(("0713", "Power plants"), ("0713", "Renewable energy"))
    assert check_condition(condition(), given, [english()]) == {}


def test_subject_areas_are_optional(condition):
    assert check_condition(condition(), [], [english()]) == {}


# --- Recommended language skills --------------------------------------------------------------


@pytest.mark.parametrize("kind", [STUDIES, TEACHING])
def test_studies_and_teaching_need_a_recommended_language_skill(condition, kind):
    staff = {"total_months_per_year": None, "total_days_per_year": 5, "eqf_levels": []}
    errors = check_condition(
        condition(mobility_type=kind, **({} if kind == STUDIES else staff)), [], []
    )
    assert errors == {
        "language_requirements": [
            "Add at least one recommended language skill for this mobility type."
        ]
    }


def test_language_rules_are_left_out_when_no_list_is_given(condition):
    assert check_condition(condition()) == {}


def test_language_code_and_cefr_level_are_checked(condition):
    given = [english(language="english", cefr_level="B3"), english(language="pl", cefr_level="")]
    assert check_condition(condition(), [], given) == {
        "language_requirements-0-language": ["Enter a language code such as en, pl or en-GB."],
        "language_requirements-0-cefr_level": ["Enter a CEFR level from A1 to C2, such as B2."],
    }


def test_a_language_skill_for_a_field_names_a_subject_area_of_the_condition(condition):
    given = [english(isced_code="0713"), english(isced_code="0521"), english(isced_code="071")]
    assert check_condition(condition(), areas("0713"), given) == {
        "language_requirements-1-isced_code": [
            "Choose one of the subject areas of this condition."
        ],
        "language_requirements-2-isced_code": ["Use a four-digit ISCED-F code, such as 0713."],
    }


def test_a_language_skill_clarification_needs_a_code(condition):
    given = [english(clarification="Lectures in English")]
    assert check_condition(condition(), areas("0713"), given) == {
        "language_requirements-0-clarification": ["A clarification needs an ISCED-F code."]
    }


def test_a_language_skill_clarification_is_the_one_of_its_subject_area(condition):
    subject_areas = areas(("0713", "Power plants"))
    same = [english(isced_code="0713", clarification="Power plants")]
    assert check_condition(condition(), subject_areas, same) == {}
    general = [english(isced_code="0713")]
    assert check_condition(condition(), subject_areas, general) == {}
    other = [english(isced_code="0713", clarification="Grids")]
    assert check_condition(condition(), subject_areas, other) == {
        "language_requirements-0-clarification": [
            "Use the clarification of the matching subject area, or leave it empty."
        ]
    }


@pytest.mark.parametrize("value", ["en", "pl", "kk", "ru", "en-GB", "zh-Hant-TW"])
def test_validate_language_code_accepts_xml_lang_tags(value):
    validate_language_code(value)


@pytest.mark.parametrize("value", ["", "e", "english", "en_GB", "en-", "12"])
def test_validate_language_code_refuses_other_values(value):
    with pytest.raises(ValidationError) as error:
        validate_language_code(value)
    assert error.value.messages == ["Enter a language code such as en, pl or en-GB."]


@pytest.mark.parametrize("value", ["A1", "A2", "B1", "B2", "C1", "C2"])
def test_validate_cefr_accepts_a1_to_c2(value):
    validate_cefr(value)


@pytest.mark.parametrize("value", ["", "b2", "C3", "NS", "B2+", "D1"])
def test_validate_cefr_refuses_other_values(value):
    with pytest.raises(ValidationError) as error:
        validate_cefr(value)
    assert error.value.messages == ["Enter a CEFR level from A1 to C2, such as B2."]


# --- Messages are translatable ----------------------------------------------------------------


def test_validator_messages_are_translated_when_shown():
    # Lazy texts: the language of the request that shows them, not of the import.
    assert all(isinstance(message, Promise) for message in MESSAGES.values())


def test_condition_messages_are_translated_when_checked(condition, monkeypatch):
    monkeypatch.setattr(conditions, "_", lambda text: f"[{translation.get_language()}] {text}")
    with translation.override("ru"):
        errors = check_condition(condition(mobilities_per_year=0))
    assert errors == {"mobilities_per_year": ["[ru] Enter at least one mobility per year."]}
