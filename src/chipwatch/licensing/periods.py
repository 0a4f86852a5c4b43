"""Reporting periods: calendar quarters written ``2026-Q1``."""

from __future__ import annotations

import datetime as dt
import re

from chipwatch.errors import InvalidInput

_PERIOD = re.compile(r"(\d{4})-Q([1-4])")


def period_of(day: dt.date) -> str:
    """The quarter ``day`` falls in: 2026-02-10 -> ``2026-Q1``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_period(text: str, *, field: str = "period") -> str:
    """``text`` if it names a quarter (``2026-Q1``, case-insensitive), else InvalidInput."""
    period = text.strip().upper()
    if not _PERIOD.fullmatch(period):
        raise InvalidInput(f"'{text}' is not a quarter such as 2026-Q1", field=field)
    return period


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"not a quarter: {period!r}")
    year, quarter = int(match.group(1)), int(match.group(2))
    first = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - dt.timedelta(days=1)
