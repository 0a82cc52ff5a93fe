"""The home page's two small pictures (issue 11, point 8): open flags over the last 12 weeks and
the 90-day retention trend. Counted by one aggregate query each; drawn as inline SVG by the template
(no script, no CDN, fine under the strict CSP) with the same numbers in a table for screen readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from accounts.actors import Actor
from risks.choices import FlagStatus
from risks.retention import retention_cohorts
from risks.selectors import risk_flag_list

WEEKS = 12


@dataclass(frozen=True)
class Bar:
    label: str  # the x-axis label, e.g. "09-28" or "Sep 26"
    caption: str  # the same point in words, for the table and the tooltip
    value: int | None  # None: no value yet (an incomplete cohort)
    x: float
    center: float
    y: float
    width: float
    height: float
    note: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float


def _geometry(title: str, unit: str, points: list[tuple[str, str, int | None, str]], *, top: int) -> Chart:
    width, height, plot_top, plot_bottom = 600, 170, 24, 136
    slot = width / max(len(points), 1)
    plot = plot_bottom - plot_top
    bars = []
    for index, (label, caption, value, note) in enumerate(points):
        bar_height = plot * (value or 0) / top if top else 0
        bars.append(
            Bar(
                label=label,
                caption=caption,
                value=value,
                x=round(index * slot + 4, 1),
                center=round(index * slot + slot / 2, 1),
                y=round(plot_bottom - bar_height, 1),
                width=round(slot - 8, 1),
                height=round(bar_height, 1),
                note=note,
            )
        )
    return Chart(title=title, unit=unit, bars=bars, width=width, height=height, baseline=plot_bottom)


def open_flags_by_week(*, actor: Actor, today: dt.date | None = None, weeks: int = WEEKS) -> Chart:
    """Flags open at the end of each of the last `weeks` weeks (the last one ends today): raised by
    then, and neither resolved nor dismissed by then."""
    today = today or timezone.localdate()
    ends = [today - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    tz = timezone.get_current_timezone()
    counts = {}
    for index, end in enumerate(ends):
        cutoff = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        closed = Q(resolved_at__lt=cutoff) | Q(status=FlagStatus.DISMISSED, status_changed_at__lt=cutoff)
        counts[f"w{index}"] = Count("id", filter=Q(first_seen_at__lt=cutoff) & ~closed)
    values = risk_flag_list(actor=actor).order_by().aggregate(**counts)
    points = [
        (end.strftime("%m-%d"), f"week ending {end.isoformat()}", values[f"w{i}"], "") for i, end in enumerate(ends)
    ]
    top = max([value for _, _, value, _ in points] + [1])
    return _geometry("Open risk flags, last 12 weeks", "open flags", points, top=top)


def retention_trend(*, actor: Actor, today: dt.date | None = None) -> Chart:
    """The share of each month's starters still employed on day 90, for the last 12 start months;
    a month whose starters have not all reached day 90 has no value yet."""
    report = retention_cohorts(actor=actor, months=12, today=today)
    points = []
    for cohort in report.overall:
        if cohort.starters == 0:
            note = "no starters"
        elif not cohort.complete:
            note = f"{cohort.reached_day_90} of {cohort.starters} starters have reached day 90"
        else:
            note = f"{cohort.retained} of {cohort.starters} starters"
        points.append((cohort.month.strftime("%b %y"), f"started in {cohort.month:%B %Y}", cohort.percent, note))
    return _geometry("Still employed on day 90, by start month", "%", points, top=100)
