"""Decisions with a database behind them: screen against the loaded lists, open cases, audit."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.holds import HoldReview, apply_reviews, reviews_for
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision
from chipwatch.screening.cases import record_screening
from chipwatch.screening.matching import ScreeningIndex
from chipwatch.screening.runtime import load_screener
from chipwatch.screening.screener import ListScreener
from chipwatch.store import Database
from chipwatch.store.audit import append


@dataclass(frozen=True, slots=True)
class RecordedCheck:
    decision: Decision
    case_ids: tuple[int, ...]
    audit_seq: int


def chipwatch_for(db: Database) -> service.Chipwatch:
    """The default service, screening against the database's lists when any are loaded."""
    base = service.default()
    screener = load_screener(db)
    return dataclasses.replace(base, screener=screener) if screener else base


UNSCREENED = (
    "Parties were not screened against any restricted-party list (none is loaded), so the "
    "order may not be called allowed: it is held until they are screened."
)


def screened_decision(
    cw: service.Chipwatch, order: Order, reviews: Mapping[str, HoldReview] | None = None
) -> Decision:
    """``cw.check(order)`` with the holds officers cleared for this order set aside
    (``holds.apply_reviews``), except that an order whose parties no list screened is never
    ``allowed``: it becomes ``hold``, with a note saying why."""
    decision = apply_reviews(cw.check(order), reviews or {})
    if decision.screening.performed or decision.outcome != "allowed":
        return decision
    return decision._replace(outcome="hold", notes=(*decision.notes, UNSCREENED))


def order_reviews(db: Database, order: Order) -> dict[str, HoldReview]:
    with db.session() as session:
        return reviews_for(session, order)


def decide_order(db: Database, order: Order) -> Decision:
    """The decision ``check_order`` would record, without recording anything."""
    return screened_decision(chipwatch_for(db), order, order_reviews(db, order))


def check_order(db: Database, order: Order, *, actor: str) -> RecordedCheck:
    """Decide ``order``; in one transaction open a case per open match and audit the decision."""
    cw = chipwatch_for(db)
    decision = screened_decision(cw, order, order_reviews(db, order))
    with db.transaction() as session:
        return record_check(session, cw, order, decision, actor=actor)


def record_check(
    session: Session, cw: service.Chipwatch, order: Order, decision: Decision, *, actor: str
) -> RecordedCheck:
    """Open the screening cases of ``decision`` and audit it, in the caller's transaction."""
    cases = open_cases(session, cw, order, decision, actor=actor)
    record = append(
        session,
        actor=actor,
        action="decision",
        subject=order.id,
        payload=decision_payload(order, decision, cases),
        versions=decision_versions(cw, decision),
    )
    return RecordedCheck(decision, tuple(cases), record.seq)


def open_cases(
    session: Session, cw: service.Chipwatch, order: Order, decision: Decision, *, actor: str
) -> list[int]:
    """Remember the parties screened and open a case per open match; the case ids."""
    screener = cw.screener if isinstance(cw.screener, ListScreener) else None
    if screener is None and not decision.screening.performed:
        screener = _unscreened()  # no list loaded: parties are remembered as *not screened*
    if screener is None:
        return []
    return record_screening(
        session,
        screener,
        order.parties,
        decision.screening,
        order_id=order.id,
        actor=actor,
    )


def decision_payload(order: Order, decision: Decision, cases: list[int]) -> dict[str, Any]:
    """What the ``decision`` audit record says: the order (and its hash) and the outcome."""
    order_json = order.model_dump_json()
    return {
        "order_sha256": hashlib.sha256(order_json.encode()).hexdigest(),
        "order": json.loads(order_json),
        "outcome": decision.outcome,
        "jurisdictions": {c: j.outcome for c, j in decision.jurisdictions.items()},
        "rules": sorted({r.rule.id for r in decision.reasons}),
        "screening_cases": cases,
    }


@cache
def _unscreened() -> ListScreener:
    """A screener over no list: it only names parties (``party_key``) so they can be stored."""
    return ListScreener(ScreeningIndex(()))


def decision_versions(cw: service.Chipwatch, decision: Decision) -> dict[str, Any]:
    """The reference data a decision was made with, as audit records name it."""
    return {
        "rulebook": decision.rulebook_version,
        "catalog": cw.catalog.digest,
        "lists": dict(decision.screening.list_versions),
    }
