"""A new list version re-screens every stored party against the entries that changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from chipwatch.screening import PossibleMatch
from chipwatch.screening.cases import open_case
from chipwatch.screening.records import ScreenedParty
from chipwatch.screening.repository import diff_versions
from chipwatch.screening.runtime import load_screener
from chipwatch.screening.screener import ListScreener
from chipwatch.store import Database


def rescreen(db: Database, version_id: int, *, actor: str) -> list[int]:
    """Cases opened because entries added or changed in ``version_id`` match stored parties.

    A party never screened before is checked against every entry, not only the changed ones.
    """
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
            _, open_matches, resolved = screener.screen_name(
                party.name, party.country or None, subject=party.name
            )
            never_screened = party.last_screened_at is None  # every entry is news to it
            for match in (*open_matches, *resolved):
                news = never_screened or (match.source, match.entry_id) in changed
                if news and _needs_review(screener, party.party_key, match):
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


def _needs_review(screener: ListScreener, party_key: str, match: PossibleMatch) -> bool:
    """Open matches, and exact ones no officer has seen (no decision would show them)."""
    if match.status == "open":
        return True
    settled = screener.dispositions.latest(
        party_key, match.source, match.entry_id, match.content_hash
    )
    return settled is None or settled.content_hash != match.content_hash
