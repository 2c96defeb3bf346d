"""The case build's date and period rules, as pure functions (no database): easy to test with any date."""

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import cache

import holidays

# Seed 001: "Date must be in MM/DD/20YY or M/D/20YY format".
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(20\d\d)")
_BIRTH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)")
DATE_FORMAT_MESSAGE = "Date must be in MM/DD/20YY or M/D/20YY format."
BIRTH_DATE_FORMAT_MESSAGE = "Enter the date of birth as MM/DD/YYYY, such as 04/02/1950."
# How far ahead a date of service may be: a request is for care that is about to start.
MAX_DAYS_AHEAD = 365
# Seed 001: a Home Health bundle is valid for 30 days from the start of care.
HOME_HEALTH_DEFAULT_DAYS = 30
# Seed 002: "Purchases are typically valid for 180 days."
DME_PURCHASE_DAYS = 180


def parse_us_date(text: str, *, birth_date: bool = False) -> datetime.date:
    """MM/DD/20YY or M/D/20YY (dates of service), MM/DD/YYYY (birth dates); ValueError with the seed's message."""
    pattern, message = (_BIRTH_DATE, BIRTH_DATE_FORMAT_MESSAGE) if birth_date else (_US_DATE, DATE_FORMAT_MESSAGE)
    match = pattern.fullmatch((text or "").strip())
    if not match:
        raise ValueError(message)
    month, day, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text.strip()} is not a real date. {message}") from None


def format_us_date(day: datetime.date | None) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}" if day else ""


@cache
def _federal_holidays(year: int) -> frozenset[datetime.date]:
    # The US public (federal) holidays, with the observed weekday when one falls on a weekend.
    return frozenset(holidays.country_holidays("US", years=[year]))


def is_business_day(day: datetime.date) -> bool:
    """Monday to Friday and not a US federal holiday (observed dates included)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: datetime.date, count: int) -> datetime.date:
    """The date ``count`` business days after ``start`` (weekends and federal holidays skipped)."""
    day = start
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_days_after(start: datetime.date, count: int) -> datetime.date:
    """The last day of a window of ``count`` business days that opens after ``start`` (a decision's day): seed 002,
    "up to 60 business days to accept the alternative recommendation". Weekends and federal holidays not counted."""
    return add_business_days(start, count)


def last_day_within(start: datetime.date, days: int) -> datetime.date:
    """The last calendar day of a window of ``days`` days after ``start`` (the appeal window: day 180 is in)."""
    return start + datetime.timedelta(days=days)


@dataclass(frozen=True)
class DateOfServiceRules:
    """A plan's rules for one program (reference.PlanProgram): same-day and retrospective requests."""

    same_day_online: bool
    retro_window_business_days: int | None
    phone_in_instruction: str


def date_of_service_problem(*, date_of_service: datetime.date, today: datetime.date, rules: DateOfServiceRules):
    """Why this date of service cannot be requested online today, or None when it can."""
    if date_of_service > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        return f"Enter a date within the next {MAX_DAYS_AHEAD} days."
    if date_of_service == today and not rules.same_day_online:
        return "The start of care date cannot be today. " + rules.phone_in_instruction
    if date_of_service < today:
        if rules.retro_window_business_days is None:
            return "The date is in the past: this is a retrospective request. " + rules.phone_in_instruction
        last_day = retro_last_day(date_of_service=date_of_service, window=rules.retro_window_business_days)
        if today > last_day:
            return (
                f"A retrospective request must be submitted within {rules.retro_window_business_days} business "
                f"days of the date of service (by {format_us_date(last_day)} for {format_us_date(date_of_service)})."
            )
    return None


def retro_last_day(*, date_of_service: datetime.date, window: int) -> datetime.date:
    """The last day a retrospective request for ``date_of_service`` is accepted (seed 002: 15 business days)."""
    return add_business_days(date_of_service, window)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(*, start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of ``days`` days that starts on ``start`` (both days included)."""
    return start + datetime.timedelta(days=max(days, 1) - 1)


def dme_line_end(*, start: datetime.date, billing_basis: str, units: int) -> datetime.date:
    """Seed 002: purchases are valid 180 days; daily and monthly rentals for the number of units."""
    if billing_basis == "daily_rental":
        return period_end(start=start, days=units)
    if billing_basis == "monthly_rental":
        return add_months(start, units) - datetime.timedelta(days=1)
    return period_end(start=start, days=DME_PURCHASE_DAYS)


def line_validity(
    *, billing_basis: str, start: datetime.date, units: int, period_days: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of an approved line (REV-2, seed 002), both included: a DME purchase 180 days,
    a daily or monthly rental the approved number of days or months, Home Health visits the requested
    timeframe (``period_days``) or the bundle's 30 days. ``start`` is where the request's period starts
    (``selectors.requested_period``): the date of service, or the request date for a retrospective DME request.
    """
    if billing_basis == "visit":
        return start, period_end(start=start, days=period_days or HOME_HEALTH_DEFAULT_DAYS)
    return start, dme_line_end(start=start, billing_basis=billing_basis, units=units)


# The display unit of a service line's quantity, by its HCPCS code's billing basis (HcpcsCode.BillingBasis):
# Home Health visits, DME purchases in units, rentals in the days or months they are rented for.
SERVICE_UNITS = {
    "visit": "Visits",
    "purchase": "Units",
    "daily_rental": "Days",
    "monthly_rental": "Months",
}


def service_unit(billing_basis: str) -> str:
    """The unit a line's quantity is counted in ("Visits", "Units", "Days", "Months"), from its billing basis."""
    return SERVICE_UNITS.get(billing_basis, "Units")


def periods_overlap(a: tuple[datetime.date, datetime.date], b: tuple[datetime.date, datetime.date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def duration_words(delta: datetime.timedelta) -> str:
    """A decision clock's words: "2 days 4 hours", "3 hours 5 minutes", "12 minutes" (the two largest units, at
    least one minute), for a duration either side of zero."""
    minutes = max(int(abs(delta.total_seconds()) // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return " ".join([_plural(days, "day")] + ([_plural(hours, "hour")] if hours else []))
    if hours:
        return " ".join([_plural(hours, "hour")] + ([_plural(minutes, "minute")] if minutes else []))
    return _plural(minutes, "minute")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
