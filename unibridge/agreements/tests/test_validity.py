"""Validity arithmetic: periods, automatic renewal, leap years and notice periods."""

import datetime

import pytest

from unibridge.agreements.models import Agreement
from unibridge.agreements.validity import (
    agreement_next_expiry,
    days_until,
    next_expiry,
    termination_effective_date,
)

D = datetime.date


def expiry(expiry_date, today, renewal_years=0, terminated_on=None):
    return next_expiry(
        effective_date=D(2020, 1, 1),
        expiry_date=expiry_date,
        renewal_years=renewal_years,
        terminated_on=terminated_on,
        today=today,
    )


def test_an_agreement_without_end_has_no_next_expiry():
    assert expiry(None, today=D(2030, 1, 1)) is None


def test_a_fixed_term_ends_on_its_expiry_date_even_after_it_has_passed():
    assert expiry(D(2025, 6, 30), today=D(2024, 1, 1)) == D(2025, 6, 30)
    assert expiry(D(2025, 6, 30), today=D(2027, 1, 1)) == D(2025, 6, 30)


def test_the_expiry_day_itself_is_still_in_the_current_period():
    assert expiry(D(2025, 6, 30), today=D(2025, 6, 30), renewal_years=1) == D(2025, 6, 30)


def test_a_renewing_agreement_before_its_first_expiry_ends_on_that_expiry():
    assert expiry(D(2025, 6, 30), today=D(2025, 6, 29), renewal_years=3) == D(2025, 6, 30)


@pytest.mark.parametrize(
    ("today", "renewal_years", "expected"),
    [
        (D(2025, 7, 1), 1, D(2026, 6, 30)),
        (D(2027, 1, 15), 1, D(2027, 6, 30)),
        (D(2027, 7, 1), 1, D(2028, 6, 30)),
        (D(2025, 7, 1), 5, D(2030, 6, 30)),
        (D(2030, 6, 30), 5, D(2030, 6, 30)),
        (D(2030, 7, 1), 5, D(2035, 6, 30)),
        (D(2041, 1, 1), 2, D(2041, 6, 30)),
        (D(2042, 1, 1), 2, D(2043, 6, 30)),
    ],
)
def test_automatic_renewal_rolls_the_period_forward_until_it_covers_today(
    today, renewal_years, expected
):
    assert expiry(D(2025, 6, 30), today=today, renewal_years=renewal_years) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2024, 3, 1), D(2025, 2, 28)),
        (D(2025, 3, 1), D(2026, 2, 28)),
        (D(2027, 3, 1), D(2028, 2, 29)),
        (D(2028, 2, 29), D(2028, 2, 29)),
        (D(2028, 3, 1), D(2029, 2, 28)),
    ],
)
def test_29_february_renews_to_28_february_and_back_to_29_in_leap_years(today, expected):
    assert expiry(D(2024, 2, 29), today=today, renewal_years=1) == expected


def test_a_four_year_renewal_from_29_february_keeps_29_february():
    assert expiry(D(2024, 2, 29), today=D(2024, 3, 1), renewal_years=4) == D(2028, 2, 29)


def test_a_termination_date_ends_the_agreement_before_its_period():
    assert expiry(
        D(2025, 6, 30), today=D(2025, 1, 1), renewal_years=1, terminated_on=D(2025, 3, 31)
    ) == D(2025, 3, 31)
    assert expiry(None, today=D(2025, 1, 1), terminated_on=D(2025, 3, 31)) == D(2025, 3, 31)


def test_a_termination_after_the_period_end_does_not_extend_it():
    assert expiry(D(2025, 6, 30), today=D(2025, 1, 1), terminated_on=D(2026, 1, 1)) == D(
        2025, 6, 30
    )


def test_terminating_an_agreement_without_end_takes_the_notice_period():
    assert termination_effective_date(
        requested_on=D(2025, 1, 10), notice_days=90, period_end=None
    ) == D(2025, 4, 10)


def test_terminating_without_notice_period_takes_effect_the_same_day():
    assert termination_effective_date(
        requested_on=D(2025, 1, 10), notice_days=0, period_end=None
    ) == D(2025, 1, 10)


def test_a_timely_notice_ends_a_renewing_agreement_at_the_end_of_the_current_period():
    assert termination_effective_date(
        requested_on=D(2025, 1, 1), notice_days=90, period_end=D(2025, 6, 30), renewal_years=1
    ) == D(2025, 6, 30)


def test_a_notice_given_exactly_on_the_last_day_is_still_in_time():
    assert termination_effective_date(
        requested_on=D(2025, 4, 1), notice_days=90, period_end=D(2025, 6, 30), renewal_years=1
    ) == D(2025, 6, 30)


def test_a_late_notice_ends_a_renewing_agreement_at_the_end_of_the_following_period():
    assert termination_effective_date(
        requested_on=D(2025, 4, 2), notice_days=90, period_end=D(2025, 6, 30), renewal_years=1
    ) == D(2026, 6, 30)
    assert termination_effective_date(
        requested_on=D(2025, 4, 2), notice_days=90, period_end=D(2025, 6, 30), renewal_years=3
    ) == D(2028, 6, 30)


def test_a_late_notice_on_a_leap_day_period_ends_on_28_february():
    assert termination_effective_date(
        requested_on=D(2028, 2, 1), notice_days=60, period_end=D(2028, 2, 29), renewal_years=1
    ) == D(2029, 2, 28)


def test_a_fixed_term_ends_after_the_notice_or_at_its_expiry_whichever_comes_first():
    assert termination_effective_date(
        requested_on=D(2025, 1, 1), notice_days=30, period_end=D(2025, 6, 30)
    ) == D(2025, 1, 31)
    assert termination_effective_date(
        requested_on=D(2025, 6, 1), notice_days=90, period_end=D(2025, 6, 30)
    ) == D(2025, 6, 30)


def test_days_until_counts_down_and_goes_negative_after_the_day():
    assert days_until(day=D(2025, 1, 31), today=D(2025, 1, 1)) == 30
    assert days_until(day=D(2025, 1, 1), today=D(2025, 1, 1)) == 0
    assert days_until(day=D(2024, 12, 31), today=D(2025, 1, 1)) == -1
    assert days_until(day=None, today=D(2025, 1, 1)) is None


def test_the_next_expiry_of_an_agreement_is_computed_from_its_fields():
    agreement = Agreement(effective_date=D(2020, 7, 1), expiry_date=D(2025, 6, 30), renewal_years=5)
    assert agreement_next_expiry(agreement, today=D(2026, 1, 1)) == D(2030, 6, 30)
