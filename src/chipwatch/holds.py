"""Hold reviews: a person clears a named hold for one order, with a reason, on the record.

A `hold` asks for a human: a red flag (route, end use), reported guidance that is not law
(China's H200 approval), an owner's unknown stake. Once an officer has looked and decided
the order may proceed, they clear *that rule for that order* (bound to the order's content
hash: a changed order needs a new review). The decision then shows the rule as reviewed and
the jurisdiction's outcome without it. Not clearable here: list matches (the screening case
queue resolves those), holds of the decision procedure itself (missing facts: supply them),
and anything that is not a hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chipwatch.errors import Conflict, InvalidInput
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision, JurisdictionResult
from chipwatch.rules.model import ENGINE, OUTCOMES, SEVERITY
from chipwatch.store.audit import append
from chipwatch.store.base import Base
from chipwatch.store.types import JSONType, UTCDateTime

NOT_HERE = {"US-SCREENING-POSSIBLE-MATCH": "resolve it in the screening case queue"}


class HoldReview(Base):
    """One officer's clearance of one hold rule for one order's content. Never updated."""

    __tablename__ = "hold_reviews"
    __table_args__ = (Index("ix_hold_reviews_order", "order_sha256", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(200), index=True)
    order_sha256: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "order_id": self.order_id,
            "order_sha256": self.order_sha256,
            "rule_id": self.rule_id,
            "jurisdiction": self.jurisdiction,
            "reason": self.reason,
            "evidence": self.evidence,
            "actor": self.actor,
            "at": self.at.isoformat(),
        }


def order_sha256(order: Order) -> str:
    return hashlib.sha256(order.model_dump_json().encode()).hexdigest()


def clearable(decision: Decision) -> dict[str, str]:
    """The hold rules a person may clear for this decision: rule id → jurisdiction."""
    return {
        r.rule.id: code
        for code, result in decision.jurisdictions.items()
        for r in result.reasons
        if r.superseded_by is None
        and r.rule.effective_outcome == "hold"
        and r.rule.instrument is not ENGINE
        and r.rule.id not in NOT_HERE
    }


def reviews_for(session: Session, order: Order) -> dict[str, HoldReview]:
    """The reviews recorded for this order's content, by rule id."""
    rows = session.scalars(
        select(HoldReview)
        .where(HoldReview.order_sha256 == order_sha256(order))
        .order_by(HoldReview.id)
    )
    return {row.rule_id: row for row in rows}


def apply_reviews(decision: Decision, reviews: Mapping[str, HoldReview]) -> Decision:
    """The decision with the reviewed holds set aside: each jurisdiction's outcome is the
    worst of its other live rules; every cleared hold stays listed, with a note saying who
    cleared it, when and why."""
    cleared = {rule: code for rule, code in clearable(decision).items() if rule in reviews}
    if not cleared:
        return decision
    results: dict[str, JurisdictionResult] = {}
    for code, result in decision.jurisdictions.items():
        if code not in cleared.values():
            results[code] = result
            continue
        live = [r for r in result.reasons if r.superseded_by is None]
        worst = max((r.rule.severity for r in live if r.rule.id not in cleared), default=0)
        results[code] = JurisdictionResult(
            code, result.name, OUTCOMES[worst], result.subject, tuple(result.reasons)
        )
    notes = tuple(
        f"Hold {rule} ({code}) cleared for this order by {reviews[rule].actor} on "
        f"{reviews[rule].at:%Y-%m-%d %H:%M} UTC: {reviews[rule].reason}"
        for rule, code in cleared.items()
    )
    overall = OUTCOMES[max(SEVERITY[r.outcome] for r in results.values())]
    return decision._replace(
        outcome=overall, jurisdictions=results, notes=(*decision.notes, *notes)
    )


def clear_hold(
    session: Session,
    order: Order,
    decision: Decision,
    rule_id: str,
    *,
    reason: str,
    actor: str,
    evidence: Mapping[str, Any] | None = None,
) -> HoldReview:
    """Record that ``actor`` cleared hold ``rule_id`` of ``order`` (its current decision),
    in the caller's transaction, with an audit record. Retrying returns the first review."""
    if not reason.strip():
        raise InvalidInput("a reason is required", field="reason")
    if not actor.strip() or len(actor) > 200:
        raise InvalidInput("an actor of at most 200 characters is required", field="actor")
    if rule_id in NOT_HERE:
        raise Conflict(f"{rule_id} cannot be cleared here: {NOT_HERE[rule_id]}", field="rule")
    holds = clearable(decision)
    if rule_id not in holds:
        named = ", ".join(sorted(holds)) or "none"
        raise Conflict(
            f"{rule_id} is not a hold a person may clear on this order (those are: {named})",
            field="rule",
        )
    existing = reviews_for(session, order).get(rule_id)
    if existing is not None:
        return existing
    review = HoldReview(
        order_id=order.id,
        order_sha256=order_sha256(order),
        rule_id=rule_id,
        jurisdiction=holds[rule_id],
        reason=reason.strip(),
        evidence=dict(evidence or {}),
        actor=actor.strip(),
        at=dt.datetime.now(dt.UTC),
    )
    session.add(review)
    session.flush()
    append(
        session,
        actor=review.actor,
        action="hold.clear",
        subject=order.id,
        payload=review.to_dict(),
        versions={"rulebook": decision.rulebook_version},
    )
    return review


def list_reviews(session: Session, *, order_id: str | None = None) -> list[HoldReview]:
    query = select(HoldReview).order_by(HoldReview.id.desc())
    if order_id is not None:
        query = query.where(HoldReview.order_id == order_id)
    return list(session.scalars(query))
