"""Tenure arithmetic by calendar dates, for the caps in the jurisdiction packs. Pure functions over
(start, end) periods so the German gap rule and the Polish sliding window are tested directly."""

import calendar
import datetime as dt
from dataclasses import dataclass

Period = tuple[dt.date, dt.date | None]  # (first day, last day or None for open-ended)
ONE_DAY = dt.timedelta(days=1)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    # calendar.monthrange's day count without its weekday (the Polish window calls this per day).
    last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
    return dt.date(year, month, min(day.day, last))


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
    return _days_in(_clip(periods, window_start, window_end))


def _days_in(stretches: list[tuple[dt.date, dt.date]]) -> int:
    return sum(((last - first).days + 1) for first, last in stretches)


def _clip(periods: list[Period], window_start: dt.date, window_end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The merged periods cut to [window_start, window_end]."""
    return _clip_merged(_merge(periods), window_start, window_end)


def _clip_merged(merged: list[Period], window_start: dt.date, window_end: dt.date) -> list[tuple[dt.date, dt.date]]:
    clipped = []
    for start, end in merged:
        first, last = max(start, window_start), min(end or window_end, window_end)
        if last >= first:
            clipped.append((first, last))
    return clipped


def months_as_days(months: int, *, days_per_month: int = 30) -> int:
    """A cap in months over placements spread across several periods has no calendar month of its
    own; Polish Civil Code art. 114 counts such a month as 30 days (a year as 365): 18 months = 540 days."""
    return months * days_per_month


def passes_cap(stretches: list[tuple[dt.date, dt.date]], *, max_months: int, days_per_month: int) -> bool:
    """Whether the placement days in `stretches` pass a cap of `max_months`. One unbroken stretch is a
    continuous period, counted in calendar months (Civil Code art. 112: 18 months from 1 Jan 2025 end
    on 30 Jun 2026, so 1 Jul 2026 is past the cap); several stretches are counted in days at
    `days_per_month` a month (art. 114)."""
    if not stretches:
        return False
    if len(stretches) == 1:
        first, last = stretches[0]
        return last >= add_months(first, max_months)
    return sum((last - first).days + 1 for first, last in stretches) > months_as_days(
        max_months, days_per_month=days_per_month
    )


@dataclass(frozen=True)
class WindowTenure:
    window_started_on: dt.date
    counted_days: int
    cap_days: int
    cap_date: dt.date | None  # first day past the cap, if it is passed now or within the horizon


def rolling_window_tenure(
    periods: list[Period],
    *,
    today: dt.date,
    max_months: int,
    window_months: int,
    horizon_days: int,
    days_per_month: int = 30,
) -> WindowTenure | None:
    """Poland's rule (Act of 9 July 2003 art. 20): at most `max_months` with one client within any
    `window_months` consecutive months. The window ending on a day d is (d − window_months, d]; as it
    slides, old placement days drop out. Within a window the placement is counted by `passes_cap`.

    `cap_date` is the first day of the current run of days past the cap (so it stays the same date
    every day the breach goes on: the evidence must not move with the calendar), or the first day
    within `horizon_days` that will pass it, assuming the planned periods run as planned."""
    if not any(s <= today for s, _ in periods):
        return None
    cap_days = months_as_days(max_months, days_per_month=days_per_month)
    # Merged once: the window slides over the same periods day by day below.
    merged = _merge(periods)

    def window_start_for(day: dt.date) -> dt.date:
        return add_months(day, -window_months) + ONE_DAY

    def past_cap(day: dt.date) -> bool:
        stretches = _clip_merged(merged, window_start_for(day), day)
        return passes_cap(stretches, max_months=max_months, days_per_month=days_per_month)

    window_start = window_start_for(today)
    counted = _days_in(_clip_merged(merged, window_start, today))
    cap_date = None
    if past_cap(today):
        # Walk back to the first day of this breach. Each day back removes at most one counted day
        # (a few more at a month-end clamp of the window start), so while the count is well over
        # the cap it cannot have been under it: jump by that margin instead of day by day.
        day = today
        while True:
            previous = day - ONE_DAY
            margin = _days_in(_clip_merged(merged, window_start_for(previous), previous)) - cap_days
            step = max(1, margin - 40)  # 40 days cover the art. 112/114 difference and the clamps
            if step > 1 and past_cap(day - dt.timedelta(days=step)):
                day -= dt.timedelta(days=step)
                continue
            if not past_cap(previous):
                break
            day = previous
        cap_date = day
    elif counted + horizon_days > cap_days - 31:  # each day adds at most one counted day
        for offset in range(1, horizon_days + 1):
            day = today + dt.timedelta(days=offset)
            if past_cap(day):
                cap_date = day
                break
    return WindowTenure(window_started_on=window_start, counted_days=counted, cap_days=cap_days, cap_date=cap_date)


def per_contract_cap_date(starts_on: dt.date, *, max_months: int) -> dt.date:
    """France, Portugal, Romania, Czechia: each assignment contract, renewals (extensions of the same
    contract) included, may last at most `max_months`, counted contract by contract in calendar
    months: the first day past the cap is the same date `max_months` later (18 months from 1 Jan 2025
    end on 30 Jun 2026)."""
    return add_months(starts_on, max_months)


@dataclass(frozen=True)
class SummedTenure:
    chain_started_on: dt.date
    counted_days: int
    limit_days: int
    cap_date: dt.date | None  # first day past the cap if the planned periods run as planned
    periods: tuple[Period, ...]
    earlier_chains_reset: int


def summed_tenure(
    periods: list[Period],
    *,
    today: dt.date,
    max_months: int | None = None,
    max_days: int | None = None,
    required_gap_days: int | None = None,
    days_per_month: int = 30,
) -> SummedTenure | None:
    """Italy, Colombia, Brazil: every placement with the client is added up, whatever the
    interruptions (Italy: 'indipendentemente dai periodi di interruzione'), unless the pack names a
    `required_gap_days` after which the client may use the worker again afresh (Brazil: a new
    contract only more than 90 days after the previous one ended; an earlier one keeps counting).

    A cap in months over one unbroken stretch is counted in calendar months; over several stretches
    in days at `days_per_month`; a cap in days (Brazil: 180 + 90) is counted in days."""
    started = [(s, e) for s, e in periods if s <= today]
    if not started:
        return None
    merged = _merge(periods)
    chains: list[list] = [[merged[0]]]
    for previous, current in zip(merged, merged[1:], strict=False):
        gap = (current[0] - previous[1]).days - 1
        if required_gap_days is not None and gap > required_gap_days:
            chains.append([current])
        else:
            chains[-1].append(current)
    chain = [c for c in chains if c[0][0] <= today][-1]
    resets = len([c for c in chains if c[0][0] <= today]) - 1
    limit_days = max_days if max_days is not None else max_months * days_per_month
    counted = sum(((min(e, today) if e else today) - s).days + 1 for s, e in chain if s <= today)
    cap_date = None
    used = 0
    for index, (start, end) in enumerate(chain):
        if index == 0 and max_days is None:
            due = add_months(start, max_months)
            if end is None or end >= due:
                cap_date = due
                break
        else:
            due = start + dt.timedelta(days=limit_days - used)  # the (limit + 1)-th day counted
            if due < start:
                due = start
            if end is None or end >= due:
                cap_date = due
                break
        used += (end - start).days + 1
    return SummedTenure(
        chain_started_on=chain[0][0],
        counted_days=counted,
        limit_days=limit_days,
        cap_date=cap_date,
        periods=tuple(chain),
        earlier_chains_reset=resets,
    )
