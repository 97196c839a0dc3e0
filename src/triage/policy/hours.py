"""Working time: monitoring hours per weekday and the UK nation's bank holidays (`holidays`)."""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta

import holidays

from triage.policy.profile import WEEKDAYS, Profile


@functools.cache
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year))


def is_working_day(profile: Profile, day: date) -> bool:
    return WEEKDAYS[day.weekday()] in profile.hours and day not in _bank_holidays(profile.nation, day.year)


def _window(profile: Profile, day: date) -> tuple[datetime, datetime] | None:
    if not is_working_day(profile, day):
        return None
    start, end = profile.hours[WEEKDAYS[day.weekday()]]
    return datetime.combine(day, start), datetime.combine(day, end)


def next_working_moment(profile: Profile, moment: datetime) -> datetime:
    """`moment` itself if inside monitoring hours, else the next opening time."""
    day = moment.date()
    for _ in range(400):
        window = _window(profile, day)
        if window and moment < window[1]:
            return max(moment, window[0])
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0))
    raise ValueError(f"profile {profile.id} has no working time in the next 400 days")


def add_working_minutes(profile: Profile, start: datetime, minutes: float) -> datetime:
    """The moment `minutes` of monitored time after `start`, skipping nights, weekends, holidays."""
    moment, left = next_working_moment(profile, start), timedelta(minutes=minutes)
    while True:
        window = _window(profile, moment.date())
        assert window is not None
        available = window[1] - moment
        if left <= available:
            return moment + left
        left -= available
        moment = next_working_moment(profile, window[1])


def add_working_days(profile: Profile, start: datetime, days: int) -> datetime:
    """The same time of day `days` working days on (clamped to that day's closing time)."""
    moment = next_working_moment(profile, start)
    day = moment.date()
    for _ in range(days):
        day += timedelta(days=1)
        while not is_working_day(profile, day):
            day += timedelta(days=1)
    window = _window(profile, day)
    assert window is not None
    return min(max(datetime.combine(day, moment.time()), window[0]), window[1])


def working_minutes_between(profile: Profile, start: datetime, end: datetime) -> float:
    """Minutes of monitored time from `start` to `end` (0 when `end` is not later)."""
    total, moment = 0.0, next_working_moment(profile, start)
    while moment < end:
        window = _window(profile, moment.date())
        assert window is not None
        total += (min(window[1], end) - moment).total_seconds() / 60
        moment = next_working_moment(profile, window[1])
    return total


def deadline(profile: Profile, start: datetime, amount: float, unit: str) -> datetime:
    if unit == "minutes":
        return start + timedelta(minutes=amount)
    if unit == "working_minutes":
        return add_working_minutes(profile, start, amount)
    if unit == "working_hours":
        return add_working_minutes(profile, start, amount * 60)
    return add_working_days(profile, start, int(amount))
