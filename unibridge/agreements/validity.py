"""Validity arithmetic of agreements: periods, automatic renewal and notice (no database).

Dates follow the wording of agreements: "expires on" is the last day the agreement is in
force, so a period ending on 30 June still covers 30 June. The next expiry is always computed
from the stored effective date, first expiry date and renewal period, never stored twice.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone


def next_expiry(
    *,
    effective_date: datetime.date | None,
    expiry_date: datetime.date | None,
    renewal_years: int,
    terminated_on: datetime.date | None,
    today: datetime.date,
) -> datetime.date | None:
    """The end of the period in force on ``today``; None for an agreement without end.

    - Without automatic renewal the end is the expiry date, even when it has passed.
    - With automatic renewal for N years, a period that ended before ``today`` rolls forward
      by N years until it covers ``today``. Periods are counted from the first expiry date
      (first expiry + k·N years), so an agreement expiring on 29 February ends on 28 February
      in common years and again on 29 February in leap years, instead of drifting to the 28th
      for good.
    - A termination date ends the agreement early: the result is never later than it.
    - The effective date does not move the first period's end; it only says when the first
      period starts (an agreement not yet in force still ends its first period on the
      expiry date).
    """
    del effective_date  # part of the signature so callers pass the whole validity at once
    end = expiry_date
    if end is not None and renewal_years > 0 and end < today:
        # Start from the period ending in (or just before) today's year, then step forward.
        periods = max((today.year - end.year) // renewal_years, 1)
        end = expiry_date + relativedelta(years=periods * renewal_years)
        while end < today:
            periods += 1
            end = expiry_date + relativedelta(years=periods * renewal_years)
    if terminated_on is not None and (end is None or terminated_on < end):
        return terminated_on
    return end


def termination_effective_date(
    *,
    requested_on: datetime.date,
    notice_days: int,
    period_end: datetime.date | None,
    renewal_years: int = 0,
) -> datetime.date:
    """The earliest date a termination asked for on ``requested_on`` can take effect.

    The rule follows the usual clauses of cooperation agreements:

    - Without end ("either party may terminate with N days' written notice"): the
      termination takes effect ``notice_days`` after the request.
    - Renewing automatically ("renewed for further periods unless either party gives notice
      at least N days before the end of the current period"): a notice given in time ends the
      agreement at the end of the current period; a late notice cannot stop the renewal that
      is already due, so the agreement ends at the end of the following period.
    - Fixed term without renewal ("may be terminated early with N days' notice"): the
      termination takes effect ``notice_days`` after the request, but never later than the
      expiry date, since the agreement ends then anyway.

    ``period_end`` is the end of the period in force on ``requested_on``
    (:func:`next_expiry` on that day).
    """
    earliest = requested_on + datetime.timedelta(days=notice_days)
    if period_end is None:
        return earliest
    if renewal_years > 0:
        if earliest <= period_end:
            return period_end
        return period_end + relativedelta(years=renewal_years)
    return min(earliest, period_end)


def days_until(*, day: datetime.date | None, today: datetime.date) -> int | None:
    """Days from ``today`` to ``day`` (negative once it has passed); None when there is no day."""
    if day is None:
        return None
    return (day - today).days


def agreement_next_expiry(agreement, *, today: datetime.date | None = None) -> datetime.date | None:
    """:func:`next_expiry` for a stored agreement (``today`` defaults to the local date).

    Meant to back a model property (``Agreement.next_expiry``) that pages and reminders use.
    """
    return next_expiry(
        effective_date=agreement.effective_date,
        expiry_date=agreement.expiry_date,
        renewal_years=agreement.renewal_years,
        terminated_on=agreement.terminated_on,
        today=today or timezone.localdate(),
    )
