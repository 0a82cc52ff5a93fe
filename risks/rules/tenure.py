"""Tenure arithmetic by calendar dates, for the caps in the jurisdiction packs. Pure functions over
(start, end) periods so the German gap rule and the Polish sliding window are tested directly."""

import calendar
import datetime as dt
from dataclasses import dataclass

Period = tuple[dt.date, dt.date | None]  # (first day, last day or None for open-ended)
ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """Completed calendar months from `start` to `end`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def _merge(periods: list[Period]) -> list[tuple[dt.date, dt.date | None]]:
    """Sorted, overlapping or touching periods merged (two records of one person may overlap)."""
    merged: list[list] = []
    for start, end in sorted(periods, key=lambda p: p[0]):
        if merged:
            last_end = merged[-1][1]
            if last_end is None or start <= last_end + ONE_DAY:
                merged[-1][1] = None if (last_end is None or end is None) else max(last_end, end)
                continue
        merged.append([start, end])
    return [(start, end) for start, end in merged]


@dataclass(frozen=True)
class ConsecutiveTenure:
    """The chain of placements that counts towards a consecutive cap on `today`."""

    chain_started_on: dt.date
    counted_days: int
    interruption_days: int
    cap_date: dt.date  # the first day past the cap if the placement goes on without a break
    periods: tuple[Period, ...]
    earlier_chains_reset: int  # how many earlier placements stopped counting after a long gap


def consecutive_tenure(
    periods: list[Period], *, today: dt.date, max_months: int, reset_after_gap_months: int
) -> ConsecutiveTenure | None:
    """Germany's rule (AÜG §1(1b)): placements with the same client count together unless the
    interruption between two of them exceeded `reset_after_gap_months`; the interruption itself does
    not count, so it pushes the cap date back by its length. Periods starting after `today` are ignored."""
    started = [(s, e) for s, e in periods if s <= today]
    if not started:
        return None
    merged = _merge(started)
    chain_start, chain_periods, interruption, resets = merged[0][0], [merged[0]], 0, 0
    for previous, current in zip(merged, merged[1:], strict=False):
        previous_end = previous[1]
        # The interruption runs from the day after one placement to the day before the next; it
        # exceeds N months when it reaches the same date N months after its first day (measured from
        # the last working day instead, a placement ending on 28 Feb would reset on 1 Jun).
        interruption_starts = previous_end + ONE_DAY
        if current[0] - ONE_DAY >= add_months(interruption_starts, reset_after_gap_months):
            chain_start, chain_periods, interruption = current[0], [current], 0
            resets += 1
        else:
            interruption += (current[0] - previous_end).days - 1
            chain_periods.append(current)
    counted = sum(((min(e, today) if e else today) - s).days + 1 for s, e in chain_periods)
    cap_date = add_months(chain_start, max_months) + dt.timedelta(days=interruption)
    return ConsecutiveTenure(
        chain_started_on=chain_start,
        counted_days=counted,
        interruption_days=interruption,
        cap_date=cap_date,
        periods=tuple(chain_periods),
        earlier_chains_reset=resets,
    )


def days_in_window(periods: list[Period], *, window_start: dt.date, window_end: dt.date) -> int:
    total = 0
    for start, end in _merge(periods):
        first = max(start, window_start)
        last = min(end or window_end, window_end)
        if last >= first:
            total += (last - first).days + 1
    return total


def months_as_days(months: int) -> int:
    """Placement days spread over several periods have no calendar month of their own, so a cap in
    months is counted as days of an average month (365.25 / 12): 18 months = 548 days."""
    return round(months * 365.25 / 12)


@dataclass(frozen=True)
class WindowTenure:
    window_started_on: dt.date
    counted_days: int
    cap_days: int
    cap_date: dt.date | None  # first day past the cap, if it falls within the horizon


def rolling_window_tenure(
    periods: list[Period], *, today: dt.date, max_months: int, window_months: int, horizon_days: int
) -> WindowTenure | None:
    """Poland's rule: at most `max_months` with one client within any `window_months` consecutive
    months. The window ending on a day d is (d − window_months, d]; as it slides, old placement days
    drop out. The cap is passed on the first day whose window holds more than the cap's days;
    `cap_date` is that day if it is today or falls within `horizon_days`, assuming the planned periods
    run as planned (open-ended ones go on)."""
    if not any(s <= today for s, _ in periods):
        return None
    cap_days = months_as_days(max_months)

    def window_for(day: dt.date) -> tuple[dt.date, int]:
        window_start = add_months(day, -window_months) + ONE_DAY
        return window_start, days_in_window(periods, window_start=window_start, window_end=day)

    window_start, counted = window_for(today)
    cap_date = today if counted > cap_days else None
    # Each day adds at most one counted day, so the cap cannot be passed sooner than this.
    if cap_date is None and counted + horizon_days > cap_days:
        for offset in range(1, horizon_days + 1):
            day = today + dt.timedelta(days=offset)
            if window_for(day)[1] > cap_days:
                cap_date = day
                break
    return WindowTenure(window_started_on=window_start, counted_days=counted, cap_days=cap_days, cap_date=cap_date)
