"""Shipment and fee tables: what was shipped under which licence, and what it owes.

``licence_drawdowns`` and ``fee_ledger`` are append-only ledgers (a trigger refuses updates):
cancelling a shipment appends a reversal, never edits the draw. A shipment's status changes
only by an appended ``shipment_events`` row; ``shipments.status`` is the latest of them.
``shipment_requests`` remembers every idempotency key with its first result (a shipment or
a refusal). ``us_shipments`` holds the exporter's reported US volumes (the aggregate cap).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chipwatch.store.base import Base
from chipwatch.store.canonical import iso_utc
from chipwatch.store.types import JSONType, Money, UTCDateTime

ShipmentStatus = Literal["pending", "blocked", "shipped", "delivered", "cancelled"]
SHIPMENT_STATUSES: tuple[ShipmentStatus, ...] = (
    "pending",
    "blocked",
    "shipped",
    "delivered",
    "cancelled",
)
FeeKind = Literal["accrual", "reversal", "remittance"]


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint(
            "status IN ('pending', 'blocked', 'shipped', 'delivered', 'cancelled')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    licensee: Mapped[str] = mapped_column(String(300), index=True)
    order_id: Mapped[str] = mapped_column(String(200), index=True)
    order: Mapped[dict[str, Any]] = mapped_column(JSONType)  # as decided
    order_sha256: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[str] = mapped_column(String(100), index=True)  # catalog id of the line
    eccn: Mapped[str | None] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    value: Mapped[Decimal] = mapped_column(Money)
    ship_date: Mapped[dt.date] = mapped_column(Date)  # the order's date
    period: Mapped[str] = mapped_column(String(7), index=True)  # 2026-Q1
    destination: Mapped[str] = mapped_column(String(2))
    end_user: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), index=True)  # the latest event's
    decision_outcome: Mapped[str] = mapped_column(String(24))
    versions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))


class ShipmentSerial(Base):
    """A chip in a shipment. ``released`` once the shipment is cancelled (the chip may ship
    again); a serial is live in at most one shipment (a partial unique index)."""

    __tablename__ = "shipment_serials"
    __table_args__ = (
        Index(
            "uq_shipment_serials_live_serial",
            "serial",
            unique=True,
            sqlite_where=text("NOT released"),
            postgresql_where=text("NOT released"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    serial: Mapped[str] = mapped_column(String(100))
    released: Mapped[bool] = mapped_column(Boolean, server_default=false())


class ShipmentEvent(Base):
    """A status change of a shipment. Never updated."""

    __tablename__ = "shipment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "at": iso_utc(self.at),
            "actor": self.actor,
            "reason": self.reason,
            "audit_seq": self.audit_seq,
        }


class ShipmentRequest(Base):
    """An idempotency key and the first result it got: a shipment, or a refusal."""

    __tablename__ = "shipment_requests"

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    licence_number: Mapped[str] = mapped_column(String(100))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    refusal: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # the problem document
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class LicenceDrawdown(Base):
    """One entry of a licence's draw-down ledger: a draw (positive) or its reversal
    (negative). What is left of a licence is its caps minus the sum of its entries."""

    __tablename__ = "licence_drawdowns"
    __table_args__ = (
        UniqueConstraint("shipment_id", "kind"),
        CheckConstraint(
            "(kind = 'draw' AND quantity > 0 AND value >= 0) OR "
            "(kind = 'reversal' AND quantity < 0 AND value <= 0)",
            name="signed_by_kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "quantity": self.quantity,
            "value_usd": str(self.value),
            "at": iso_utc(self.at),
            "audit_seq": self.audit_seq,
        }


class FeeEntry(Base):
    """One entry of the fee ledger: an accrual on a shipment, its reversal, or a remittance.

    Amounts are signed (reversals negative). ``binding`` is False for reported arrangements
    that are not published law (shown, not owed).
    """

    __tablename__ = "fee_ledger"
    __table_args__ = (
        UniqueConstraint("licensee", "reference"),
        CheckConstraint("kind IN ('accrual', 'reversal', 'remittance')", name="kind_known"),
        Index("ix_fee_ledger_licensee_period", "licensee", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    licensee: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(7), index=True)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    rate: Mapped[str | None] = mapped_column(String(20))  # exact decimal, as text
    licence_rate: Mapped[str | None] = mapped_column(String(20))
    base_value: Mapped[Decimal | None] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    binding: Mapped[bool] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(JSONType)
    reference: Mapped[str | None] = mapped_column(String(200))  # a remittance's reference
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "licensee": self.licensee,
            "period": self.period,
            "shipment_id": self.shipment_id,
            "rule_id": self.rule_id,
            "label": self.label,
            "basis": self.basis,
            "citation": self.citation,
            "rate": self.rate,
            "licence_rate": self.licence_rate,
            "base_value_usd": None if self.base_value is None else str(self.base_value),
            "amount_usd": str(self.amount),
            "binding": self.binding,
            "flags": list(self.flags),
            "reference": self.reference,
            "at": iso_utc(self.at),
            "actor": self.actor,
            "audit_seq": self.audit_seq,
        }


class UsShipmentReport(Base):
    """Units of a product the exporter reports shipped to US end users in a period. Never
    updated: a later report for the same licensee, product and period supersedes it."""

    __tablename__ = "us_shipments"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("ix_us_shipments_licensee_product", "licensee", "product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licensee: Mapped[str] = mapped_column(String(300))
    product: Mapped[str] = mapped_column(String(100))  # catalog model id
    period: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "licensee": self.licensee,
            "product": self.product,
            "period": self.period,
            "quantity": self.quantity,
            "source": self.source,
            "at": iso_utc(self.at),
            "actor": self.actor,
            "audit_seq": self.audit_seq,
        }
