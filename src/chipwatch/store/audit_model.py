"""The audit log's tables: ``audit_log`` (the hash chain) and ``audit_head`` (its end)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chipwatch.store.base import Base
from chipwatch.store.canonical import iso_utc, sha256_hex
from chipwatch.store.types import JSONType, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditRecord(Base):
    """One entry of the log. Never updated (a trigger refuses it); deleted only by ``prune``."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(300), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    versions: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def computed_hash(self) -> str:
        return record_hash(
            seq=self.seq,
            at=self.at,
            actor=self.actor,
            action=self.action,
            subject=self.subject,
            payload=self.payload,
            versions=self.versions,
            prev_hash=self.prev_hash,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": iso_utc(self.at),
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "payload": self.payload,
            "versions": self.versions,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class AuditHead(Base):
    """The single row (id 1) naming the chain's last record and, after pruning, its anchor."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    anchor_seq: Mapped[int] = mapped_column(BigInteger)
    anchor_hash: Mapped[str] = mapped_column(String(64))


def record_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    subject: str,
    payload: Any,
    versions: Any,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of every field of a record except its own hash."""
    return sha256_hex(
        {
            "seq": seq,
            "at": iso_utc(at),
            "actor": actor,
            "action": action,
            "subject": subject,
            "payload": payload,
            "versions": versions,
            "prev_hash": prev_hash,
        }
    )
