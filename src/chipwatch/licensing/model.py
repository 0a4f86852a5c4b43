"""Licence tables: ``licences``, their approved ``licence_customers`` and the append-only
``licence_actions`` that alone change a licence's status.

Draw-downs (shipments) are a later, separate append-only ledger keyed on ``licences.id``:
the caps here are what was granted; what is left is the caps minus that ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chipwatch.store.base import Base
from chipwatch.store.canonical import iso_utc
from chipwatch.store.types import JSONType, Money, UTCDateTime

Status = Literal["active", "suspended", "revoked", "expired"]
ActionName = Literal["add", "suspend", "revoke", "reinstate", "expire"]
STATUSES: tuple[Status, ...] = ("active", "suspended", "revoked", "expired")


class Licence(Base):
    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint("quantity_cap >= 1", name="quantity_cap_positive"),
        CheckConstraint("valid_to >= valid_from", name="valid_window"),
        CheckConstraint(
            "status IN ('active', 'suspended', 'revoked', 'expired')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    authority: Mapped[str] = mapped_column(String(100))
    licensee: Mapped[str] = mapped_column(String(300), index=True)
    items: Mapped[list[str]] = mapped_column(JSONType)  # catalog model ids and control classes
    destinations: Mapped[list[str]] = mapped_column(JSONType)  # ISO 3166-1 alpha-2
    quantity_cap: Mapped[int] = mapped_column(BigInteger)
    value_cap: Mapped[Decimal] = mapped_column(Money)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    review_basis: Mapped[str] = mapped_column(Text)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))  # as last set by an action
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)  # as filed
    document_sha256: Mapped[str] = mapped_column(String(64))  # of the normalised document

    customers: Mapped[list[LicenceCustomer]] = relationship(
        back_populates="licence", lazy="selectin", order_by="LicenceCustomer.id"
    )
    actions: Mapped[list[LicenceAction]] = relationship(
        back_populates="licence", lazy="selectin", order_by="LicenceAction.id"
    )

    def effective_status(self, on: dt.date) -> Status:
        """The status on a day: ``expired`` once past ``valid_to`` unless revoked."""
        if self.status == "revoked":
            return "revoked"
        if self.status == "expired" or on > self.valid_to:
            return "expired"
        return "suspended" if self.status == "suspended" else "active"

    def in_window(self, on: dt.date) -> bool:
        return self.valid_from <= on <= self.valid_to

    def to_dict(self, on: dt.date) -> dict[str, Any]:
        return {
            "number": self.number,
            "authority": self.authority,
            "licensee": self.licensee,
            "approved_customers": [c.to_dict() for c in self.customers],
            "items": self.items,
            "destinations": self.destinations,
            "quantity_cap": self.quantity_cap,
            "value_cap_usd": str(self.value_cap),
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "review_basis": self.review_basis,
            "conditions": self.conditions,
            "status": self.effective_status(on),
            "recorded_status": self.status,
            "created_at": iso_utc(self.created_at),
            "document_sha256": self.document_sha256,
            "actions": [a.to_dict() for a in self.actions],
        }


class LicenceCustomer(Base):
    __tablename__ = "licence_customers"
    __table_args__ = (UniqueConstraint("licence_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)  # for matching order parties
    country: Mapped[str | None] = mapped_column(String(2))

    licence: Mapped[Licence] = relationship(back_populates="customers")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "country": self.country}


class LicenceAction(Base):
    """One recorded action on a licence. Never updated (a trigger refuses it)."""

    __tablename__ = "licence_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(BigInteger)  # the audit record of this action

    licence: Mapped[Licence] = relationship(back_populates="actions")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "actor": self.actor,
            "at": iso_utc(self.at),
            "reason": self.reason,
            "audit_seq": self.audit_seq,
        }
