"""Today's date in UTC, the day licence checks judge expiry on.

Call it as ``clock.utc_today()`` (not a from-import) so that tests can pin the day with
``monkeypatch.setattr(clock, "utc_today", ...)``.
"""

from __future__ import annotations

import datetime as dt


def utc_today() -> dt.date:
    """The current date in UTC."""
    return dt.datetime.now(dt.UTC).date()
