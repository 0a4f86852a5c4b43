"""FastAPI dependencies shared by the routes that touch the database."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from chipwatch.store import Database, open_database

_opening = threading.Lock()


def get_database(request: Request) -> Database:
    """``app.state.database`` if the app was given one, else the configured database (opened
    and migrated once, on first use)."""
    state = request.app.state
    database: Database | None = getattr(state, "database", None)
    if database is None:
        with _opening:
            database = getattr(state, "database", None)
            if database is None:
                database = state.database = open_database()
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]
