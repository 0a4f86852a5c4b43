"""The aggregate cap: China and Macau shipments of a product stay within a share of the
exporter's US shipments of it.

The rulebook states the cap as a condition of US-2026-H200-CASE-BY-CASE (text, not a
computable rule); a licence may state it too (``conditions.max_share_of_us_shipments``);
when both do, the smaller share applies. US volumes are *reported* by the exporter
(``us_shipments``, the latest report per licensee, product and quarter counts); China and
Macau volumes are *derived* from the draw-down ledger (draws net of reversals, every licence
of the licensee). The cap is cumulative: everything shipped to China and Macau so far,
this shipment included, against the US volumes reported for quarters up to this one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.errors import InvalidInput, NotFound
from chipwatch.licensing.ledger_model import LicenceDrawdown, Shipment, UsShipmentReport
from chipwatch.licensing.periods import parse_period
from chipwatch.licensing.shipment_checks import RefusalReason
from chipwatch.licensing.versions import reference_versions
from chipwatch.rules.decision import Decision
from chipwatch.store import Database, audit

CAPPED_DESTINATIONS = frozenset({"CN", "MO"})  # where a licence's own cap condition applies
LICENCE_CONDITION = "max_share_of_us_shipments"


def cap_share(decision: Decision, conditions: dict[str, Any], destination: str) -> Decimal | None:
    """The share of US shipments this destination's shipments may reach, from the rules that
    fired (their ``volume_cap``, in the rulebook) and the licence; None when no cap applies."""
    shares = [
        Decimal(str(r.rule.volume_cap.share_of_us_shipments))
        for r in decision.reasons
        if r.superseded_by is None
        and r.rule.volume_cap is not None
        and destination in r.rule.volume_cap.destinations
    ]
    if destination not in CAPPED_DESTINATIONS and not shares:
        return None
    stated = conditions.get(LICENCE_CONDITION)
    if stated is not None:
        shares.append(_stated_share(stated))
    return min(shares) if shares else None


def _stated_share(stated: object) -> Decimal:
    """The licence's share; one that is not a number from 0 to 1 (filed before documents
    were checked for it) counts as 0: a cap that cannot be read refuses, it does not lapse."""
    try:
        share = Decimal(str(stated))
    except InvalidOperation:
        return Decimal(0)
    return share if share.is_finite() and 0 <= share <= 1 else Decimal(0)


def cap_reason(
    *, licensee: str, product: str, period: str, shipped: int, us_units: int, quantity: int,
    share: Decimal,
) -> RefusalReason | None:  # fmt: skip
    """A refusal if ``quantity`` more would take China/Macau volume (``shipped`` so far) past
    ``share`` of the ``us_units`` reported through ``period``."""
    allowed = share * us_units
    if shipped + quantity <= allowed:
        return None
    return RefusalReason(
        "aggregate_cap",
        "us_shipments",
        f"China/Macau shipments of {product} by {licensee} would reach {shipped + quantity} "
        f"units, over {share:%} of the {us_units} units reported shipped to US end users "
        f"through {period} (allowed: {int(allowed)}); report US volumes with "
        "`chipwatch shipments report-us`",
    )


def us_volume(session: Session, licensee: str, product: str, *, through: str) -> int:
    """Units reported shipped in the US in quarters up to ``through`` (latest report each)."""
    latest = (
        select(func.max(UsShipmentReport.id))
        .where(
            UsShipmentReport.licensee == licensee,
            UsShipmentReport.product == product,
            UsShipmentReport.period <= through,
        )
        .group_by(UsShipmentReport.period)
    )
    total = session.scalar(
        select(func.sum(UsShipmentReport.quantity)).where(UsShipmentReport.id.in_(latest))
    )
    return int(total or 0)


def china_volume(session: Session, licensee: str, product: str) -> int:
    """Units drawn (net of reversals) for China and Macau, across the licensee's licences."""
    total = session.scalar(
        select(func.sum(LicenceDrawdown.quantity))
        .join(Shipment, Shipment.id == LicenceDrawdown.shipment_id)
        .where(
            Shipment.licensee == licensee,
            Shipment.model_id == product,
            Shipment.destination.in_(sorted(CAPPED_DESTINATIONS)),
        )
    )
    return int(total or 0)


def record_us_shipments(
    db: Database,
    *,
    licensee: str,
    product: str,
    period: str,
    quantity: int,
    actor: str,
    source: str = "",
) -> UsShipmentReport:
    """Record the exporter's report of US shipments (a later report supersedes it)."""
    if not licensee.strip():
        raise InvalidInput("name the licensee (exporter) reporting", field="licensee")
    if quantity < 0:
        raise InvalidInput("a quantity cannot be negative", field="quantity")
    try:
        model = service.default().catalog.resolve(product)
    except NotFound as exc:
        raise InvalidInput(exc.problem, field="product") from None
    period = parse_period(period)
    with db.transaction() as session:
        record = audit.append(
            session,
            actor=actor,
            action="us_shipments.report",
            subject=licensee,
            payload={
                "licensee": licensee,
                "product": model.id,
                "period": period,
                "quantity": quantity,
                "source": source,
            },
            versions=reference_versions(),
        )
        report = UsShipmentReport(
            licensee=licensee,
            product=model.id,
            period=period,
            quantity=quantity,
            source=source,
            at=record.at,
            actor=actor,
            audit_seq=record.seq,
        )
        session.add(report)
        session.flush()
        return report


def list_us_shipments(db: Database, *, licensee: str | None = None) -> list[UsShipmentReport]:
    """Every report (superseded ones too), oldest first."""
    query = select(UsShipmentReport).order_by(UsShipmentReport.id)
    if licensee is not None:
        query = query.where(UsShipmentReport.licensee == licensee)
    with db.session() as session:
        return list(session.scalars(query))
