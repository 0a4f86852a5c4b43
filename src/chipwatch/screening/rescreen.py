"""A new list version re-screens every stored party against the entries that changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from chipwatch.screening.cases import open_case
from chipwatch.screening.records import ScreenedParty
from chipwatch.screening.repository import diff_versions
from chipwatch.screening.runtime import load_screener
from chipwatch.store import Database


def rescreen(db: Database, version_id: int, *, actor: str) -> list[int]:
    """Cases opened because entries added or changed in ``version_id`` match stored parties."""
    with db.session() as session:
        if session.scalar(select(ScreenedParty.party_key).limit(1)) is None:
            return []  # nobody to re-screen
        diff = diff_versions(session, version_id)
    changed = {(s, e) for s, e, _ in (*diff.added, *diff.changed)}
    screener = load_screener(db)
    if not changed or screener is None:
        return []
    opened: list[int] = []
    with db.transaction() as session:
        now = dt.datetime.now(dt.UTC)
        for party in session.scalars(select(ScreenedParty).order_by(ScreenedParty.party_key)):
            _, open_matches, _ = screener.screen_name(
                party.name, party.country or None, subject=party.name
            )
            for match in open_matches:
                if (match.source, match.entry_id) in changed:
                    opened.append(
                        open_case(
                            session,
                            (party.name, party.country, party.party_key),
                            match,
                            order_id=None,
                            list_versions=screener.list_versions,
                            actor=actor,
                        )
                    )
            party.last_screened_at = now
            party.list_versions = dict(screener.list_versions)
    return opened
