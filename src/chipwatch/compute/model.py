"""Compute registry tables: a profile per custody site (hub, operator, power) and declared
inventories for fleets not tracked chip by chip."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chipwatch.store.base import Base
from chipwatch.store.canonical import iso_utc
from chipwatch.store.types import UTCDateTime

SECTORS: Final = (
    "private",
    "state_owned",
    "public",
    "military",
    "university",
    "cloud_provider",
)
_SECTOR_LIST = ", ".join(f"'{s}'" for s in SECTORS)


class SiteProfile(Base):
    """What the compute report needs to know about a site beyond custody's ``sites`` row."""

    __tablename__ = "site_profiles"
    __table_args__ = (
        CheckConstraint(f"operator_sector IN ({_SECTOR_LIST})", name="sector_known"),
        CheckConstraint("power_mw IS NULL OR power_mw > 0", name="power_positive"),
        CheckConstraint("pue IS NULL OR pue >= 1", name="pue_at_least_one"),
        CheckConstraint("tariff_usd_per_kwh IS NULL OR tariff_usd_per_kwh >= 0", name="tariff"),
        CheckConstraint("subsidy_rate IS NULL OR subsidy_rate BETWEEN 0 AND 1", name="subsidy"),
    )

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    hub: Mapped[str | None] = mapped_column(String(64), index=True)
    cluster: Mapped[str | None] = mapped_column(String(64))
    province: Mapped[str | None] = mapped_column(String(100))
    operator: Mapped[str | None] = mapped_column(String(300))
    operator_sector: Mapped[str] = mapped_column(String(20))
    power_mw: Mapped[float | None] = mapped_column(Float)
    pue: Mapped[float | None] = mapped_column(Float)
    tariff_usd_per_kwh: Mapped[float | None] = mapped_column(Float)
    subsidy_rate: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site_id,
            "hub": self.hub,
            "cluster": self.cluster,
            "province": self.province,
            "operator": self.operator,
            "operator_sector": self.operator_sector,
            "power_mw": self.power_mw,
            "pue": self.pue,
            "tariff_usd_per_kwh": self.tariff_usd_per_kwh,
            "subsidy_rate": self.subsidy_rate,
            "updated_at": iso_utc(self.updated_at),
        }


class DeclaredInventory(Base):
    """``count`` units of a catalog model at a site, as declared on ``as_of``. The latest
    declaration on or before the report date counts; it replaces earlier ones."""

    __tablename__ = "declared_inventory"
    __table_args__ = (
        UniqueConstraint("site_id", "model", "as_of"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    model: Mapped[str] = mapped_column(String(100))  # catalog model id (a chip or a system)
    count: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site_id,
            "model": self.model,
            "count": self.count,
            "as_of": self.as_of.isoformat(),
            "source": self.source,
            "imported_at": iso_utc(self.imported_at),
        }
