"""Custody tables: chips and their append-only events and inspections, sites, landmarks,
and the flag queue (flags and their append-only dispositions).

``chips`` is the current picture (state, custodian, site, enrolled key); everything that
happened to a chip is in ``chip_events`` and ``inspections``, which are never updated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chipwatch.store.base import Base
from chipwatch.store.canonical import iso_utc
from chipwatch.store.types import JSONType, UTCDateTime


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


class Site(Base):
    """A data centre chips are installed in, with the radius its chips must be proven within."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("radius_km > 0", name="radius_positive"),
        CheckConstraint("check_in_hours > 0", name="interval_positive"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    country: Mapped[str] = mapped_column(String(2))
    operator: Mapped[str] = mapped_column(String(300))
    licence_number: Mapped[str | None] = mapped_column(String(100))
    end_user: Mapped[str | None] = mapped_column(String(300))
    radius_km: Mapped[float] = mapped_column(Float)
    check_in_hours: Mapped[float] = mapped_column(Float)
    declared_mw: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "operator": self.operator,
            "licence": self.licence_number,
            "end_user": self.end_user,
            "radius_km": self.radius_km,
            "check_in_hours": self.check_in_hours,
            "declared_mw": self.declared_mw,
            "updated_at": iso_utc(self.updated_at),
        }


class Landmark(Base):
    """A trusted server that times chips' answers; it signs what it measured."""

    __tablename__ = "landmarks"
    __table_args__ = (
        CheckConstraint("vetting IN ('vetted', 'provisional', 'revoked')", name="vetting_known"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    country: Mapped[str] = mapped_column(String(2))
    public_key: Mapped[str] = mapped_column(String(64))  # Ed25519, raw 32 bytes as hex
    vetting: Mapped[str] = mapped_column(String(16))
    vetted_by: Mapped[str | None] = mapped_column(String(200))
    vetted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "public_key": self.public_key,
            "vetting": self.vetting,
            "vetted_by": self.vetted_by,
            "vetted_at": _iso(self.vetted_at),
            "updated_at": iso_utc(self.updated_at),
        }


class Chip(Base):
    """One chip by serial: where it is in its life, who holds it, where it is installed."""

    __tablename__ = "chips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(100), unique=True)
    model: Mapped[str] = mapped_column(String(100), index=True)  # catalog model id
    licence_number: Mapped[str | None] = mapped_column(String(100), index=True)
    order_id: Mapped[str | None] = mapped_column(String(200))
    custodian: Mapped[str | None] = mapped_column(String(300))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    public_key: Mapped[str | None] = mapped_column(String(64), index=True)
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_check_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    events: Mapped[int] = mapped_column(Integer)  # the seq of its last event
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def to_dict(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "model": self.model,
            "licence": self.licence_number,
            "order_id": self.order_id,
            "custodian": self.custodian,
            "site": self.site_id,
            "state": self.state,
            "public_key": self.public_key,
            "enrolled_at": _iso(self.enrolled_at),
            "last_check_in_at": _iso(self.last_check_in_at),
            "events": self.events,
            "created_at": iso_utc(self.created_at),
        }


class ChipEvent(Base):
    """One step in a chip's life. Never updated (a trigger refuses it)."""

    __tablename__ = "chip_events"
    __table_args__ = (UniqueConstraint("serial", "seq"), UniqueConstraint("event_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(ForeignKey("chips.serial"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    event_id: Mapped[str | None] = mapped_column(String(200))  # the client's idempotency key
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "event": self.event,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "actor": self.actor,
            "at": iso_utc(self.at),
            "place": self.place,
            "evidence": self.evidence,
            "event_id": self.event_id,
            "audit_seq": self.audit_seq,
        }


class Inspection(Base):
    """A pre-export inspection of one chip, as recorded. Never updated."""

    __tablename__ = "inspections"
    __table_args__ = (CheckConstraint("result IN ('pass', 'fail')", name="result_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(ForeignKey("chips.serial"), index=True)
    model_seen: Mapped[str] = mapped_column(String(200))
    serial_seen: Mapped[str] = mapped_column(String(100))
    firmware: Mapped[str] = mapped_column(String(100))
    tamper_seal_id: Mapped[str] = mapped_column(String(100))
    tester: Mapped[str] = mapped_column(String(200))
    lab: Mapped[str] = mapped_column(String(300))
    result: Mapped[str] = mapped_column(String(4))
    failures: Mapped[list[str]] = mapped_column(JSONType)  # why the result is fail
    notes: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    public_key: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "serial": self.serial,
            "model_seen": self.model_seen,
            "serial_seen": self.serial_seen,
            "firmware": self.firmware,
            "tamper_seal_id": self.tamper_seal_id,
            "tester": self.tester,
            "lab": self.lab,
            "result": self.result,
            "failures": self.failures,
            "notes": self.notes,
            "at": iso_utc(self.at),
            "public_key": self.public_key,
            "actor": self.actor,
            "audit_seq": self.audit_seq,
        }


class CustodyFlag(Base):
    """A case for an officer: something about a chip (or a site) that needs a look."""

    __tablename__ = "custody_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str | None] = mapped_column(ForeignKey("chips.serial"), index=True)
    site_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class CustodyFlagDisposition(Base):
    """An officer's decision on a flag (cleared or confirmed), with a reason. Never updated."""

    __tablename__ = "custody_flag_dispositions"
    __table_args__ = (CheckConstraint("status IN ('cleared', 'confirmed')", name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("custody_flags.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
