"""Decisions with a database behind them: screen against the loaded lists, open cases, audit."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from chipwatch import service
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision
from chipwatch.screening.cases import record_screening
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


def check_order(db: Database, order: Order, *, actor: str) -> RecordedCheck:
    """Decide ``order``; in one transaction open a case per open match and audit the decision."""
    cw = chipwatch_for(db)
    decision = cw.check(order)
    order_json = order.model_dump_json()
    with db.transaction() as session:
        cases: list[int] = []
        if isinstance(cw.screener, ListScreener):
            cases = record_screening(
                session,
                cw.screener,
                order.parties,
                decision.screening,
                order_id=order.id,
                actor=actor,
            )
        record = append(
            session,
            actor=actor,
            action="decision",
            subject=order.id,
            payload={
                "order_sha256": hashlib.sha256(order_json.encode()).hexdigest(),
                "order": json.loads(order_json),
                "outcome": decision.outcome,
                "jurisdictions": {c: j.outcome for c, j in decision.jurisdictions.items()},
                "rules": sorted({r.rule.id for r in decision.reasons}),
                "screening_cases": cases,
            },
            versions={
                "rulebook": decision.rulebook_version,
                "catalog": cw.catalog.digest,
                "lists": dict(decision.screening.list_versions),
            },
        )
        return RecordedCheck(decision, tuple(cases), record.seq)
