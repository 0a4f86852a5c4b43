"""Screening tables: list versions with their entries, cases, dispositions, screened parties.

Entries are stored once per distinct content (``list_entry_contents``, keyed by content hash)
and joined to every version that holds them, so re-importing an unchanged list costs one
membership row per entry and the difference between two versions is a set difference.
Cases and dispositions are append-only: a case's status is its latest disposition.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chipwatch.store.base import Base
from chipwatch.store.types import JSONType, UTCDateTime


class ListVersion(Base):
    __tablename__ = "list_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    sources: Mapped[list[str]] = mapped_column(JSONType)
    origin: Mapped[str] = mapped_column(Text)  # the file or URL it came from
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    retrieved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    entry_count: Mapped[int] = mapped_column(Integer)
    previous_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)

    @property
    def label(self) -> str:
        return f"{self.format}#{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "format": self.format,
            "sources": list(self.sources),
            "origin": self.origin,
            "file_sha256": self.file_sha256,
            "retrieved_at": self.retrieved_at.isoformat(),
            "imported_at": self.imported_at.isoformat(),
            "actor": self.actor,
            "entry_count": self.entry_count,
            "previous_id": self.previous_id,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
        }


class ListEntryContent(Base):
    __tablename__ = "list_entry_contents"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ListVersionEntry(Base):
    __tablename__ = "list_version_entries"
    __table_args__ = (Index("ix_list_version_entries_key", "source", "entry_id"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(
        ForeignKey("list_entry_contents.content_hash"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str] = mapped_column(String(128))


class ScreenedParty(Base):
    """A party chipwatch has seen; ``last_screened_at`` is null until it is screened."""

    __tablename__ = "screened_parties"

    party_key: Mapped[str] = mapped_column(String(500), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_screened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    list_versions: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ScreeningCase(Base):
    """A possible match a person must resolve: one party against one list entry's content."""

    __tablename__ = "screening_cases"
    __table_args__ = (UniqueConstraint("party_key", "source", "entry_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    party_key: Mapped[str] = mapped_column(String(500), index=True)
    party_name: Mapped[str] = mapped_column(Text)
    party_country: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(Text)  # the party's name, or "owner: NAME"
    order_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))
    entry_name: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONType)
    list_version: Mapped[str] = mapped_column(String(200))


class ScreeningDisposition(Base):
    """An officer's clear / confirm of a case, with the reason. Never updated."""

    __tablename__ = "screening_dispositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("screening_cases.id"), index=True)
    party_key: Mapped[str] = mapped_column(String(500), index=True)
    source: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # cleared | confirmed
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
