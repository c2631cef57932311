"""The ISCED-F 2013 list: its size per level, names in English and Russian, choices, validation."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from unibridge.agreements.isced import (
    BROAD,
    DETAILED,
    NARROW,
    is_known,
    isced_choices,
    isced_fields,
    isced_name,
)
from unibridge.agreements.validators import validate_isced_code


def codes(level: str) -> list[str]:
    return [field.code for field in isced_fields().values() if field.level == level]


def test_the_list_has_11_broad_57_narrow_and_150_detailed_fields():
    assert codes(BROAD) == [f"{number:02d}" for number in range(11)]
    assert len(codes(NARROW)) == 57
    assert len(codes(DETAILED)) == 150


def test_without_the_residual_entries_there_are_29_narrow_and_80_detailed_fields():
    # Residual entries end in 0 (not further defined), 8 (inter-disciplinary) or 9 (n.e.c.).
    assert len([code for code in codes(NARROW) if code[-1] not in "089"]) == 29
    assert len([code for code in codes(DETAILED) if code[-1] not in "089"]) == 80


def test_each_code_has_the_length_of_its_level_and_its_parents_are_listed():
    lengths = {BROAD: 2, NARROW: 3, DETAILED: 4}
    for field in isced_fields().values():
        assert len(field.code) == lengths[field.level], field.code
        assert field.name_en and field.name_ru, field.code
        if field.level != BROAD:
            assert is_known(field.code[:-1]), field.code


@pytest.mark.parametrize(
    "code,name",
    [
        ("07", "Engineering, manufacturing and construction"),
        ("071", "Engineering and engineering trades"),
        ("0713", "Electricity and energy"),
        ("0715", "Mechanics and metal trades"),
        ("0724", "Mining and extraction"),
        ("0521", "Environmental sciences"),
        ("0613", "Software and applications development and analysis"),
        ("0421", "Law"),
        ("1041", "Transport services"),
        ("0710", "Engineering and engineering trades not further defined"),
        ("0719", "Engineering and engineering trades not elsewhere classified"),
        ("0799", "Engineering, manufacturing and construction not elsewhere classified"),
        (
            "0788",
            "Inter-disciplinary programmes and qualifications involving engineering, "
            "manufacturing and construction",
        ),
    ],
)
def test_names_in_english(code, name):
    assert isced_name(code, "en") == name


def test_every_broad_field_from_01_has_an_inter_disciplinary_field():
    for number in range(1, 11):
        assert is_known(f"{number:02d}8")
        assert is_known(f"{number:02d}88")
    assert not is_known("008")


def test_residual_entries_exist_only_where_a_field_has_several_subdivisions():
    assert is_known("0119") and is_known("0110")  # four kinds of education
    assert not is_known("0429") and not is_known("0420")  # Law has one detailed field
    assert is_known("0599") and is_known("050")
    assert not is_known("0699") and not is_known("060")  # ICT has one narrow field


def test_names_in_russian():
    assert isced_name("0713", "ru") == "Электроэнергетика и энергетика"
    assert isced_name("0724", "ru") == "Горное дело и добыча полезных ископаемых"
    assert isced_name("0715", "ru-RU") == "Механика и металлообработка"
    assert isced_name("05", "ru") == "Естественные науки, математика и статистика"


def test_names_follow_the_current_language_and_fall_back_to_english():
    with translation.override("ru"):
        assert isced_name("0521") == "Науки об окружающей среде"
    with translation.override("kk"):
        assert isced_name("0521") == "Environmental sciences"
    assert isced_name("0521", "pl") == "Environmental sciences"


def test_an_unknown_code_has_no_name():
    assert isced_name("0725", "en") == ""
    assert not is_known("0725")
    assert not is_known("99")


def test_choices_carry_the_code_and_the_name_in_the_current_language():
    with translation.override("ru"):
        choices = dict(isced_choices(DETAILED))
    assert choices["0713"] == "0713 Электроэнергетика и энергетика"
    with translation.override("en"):
        choices = dict(isced_choices(DETAILED))
    assert choices["0713"] == "0713 Electricity and energy"
    assert len(choices) == 150


def test_choices_of_one_level_or_all_in_the_order_of_the_classification():
    assert [code for code, _label in isced_choices(BROAD)][:3] == ["00", "01", "02"]
    everything = [code for code, _label in isced_choices()]
    assert len(everything) == 11 + 57 + 150
    assert everything.index("07") < everything.index("071") < everything.index("0711")


def test_choices_refuse_an_unknown_level():
    with pytest.raises(ValueError, match="Unknown ISCED-F level"):
        isced_choices("field")


def test_the_list_is_read_once():
    assert isced_fields() is isced_fields()
    assert isced_fields.cache_info().currsize == 1


@pytest.mark.parametrize("code", ["0713", "0724", "0788", "0719", "0000"])
def test_four_digit_codes_of_the_list_are_valid(code):
    validate_isced_code(code)


@pytest.mark.parametrize(
    "code,message",
    [
        ("07", "Use a four-digit ISCED-F code, such as 0713."),
        ("071", "Use a four-digit ISCED-F code, such as 0713."),
        ("7", "Use a four-digit ISCED-F code, such as 0713."),
        ("", "Enter a four-digit ISCED-F code, such as 0713."),
        ("07130", "Enter a four-digit ISCED-F code, such as 0713."),
        ("07a3", "Enter a four-digit ISCED-F code, such as 0713."),
        ("0725", "0725 is not an ISCED-F 2013 code."),
        ("9999", "9999 is not an ISCED-F 2013 code."),
    ],
)
def test_other_codes_are_refused_with_a_clear_message(code, message):
    with pytest.raises(ValidationError) as error:
        validate_isced_code(code)
    assert error.value.messages == [message]
