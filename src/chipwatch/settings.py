"""Settings, read once from ``CHIPWATCH_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from chipwatch.errors import InvalidInput

PACKAGE_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    rulebook_dir: Path
    catalog_file: Path
    database_url: str = "sqlite:///chipwatch.db"
    audit_retention_years: int = 10


def get_settings() -> Settings:
    data_dir = Path(os.environ.get("CHIPWATCH_DATA_DIR", PACKAGE_DATA))
    return Settings(
        data_dir=data_dir,
        rulebook_dir=Path(os.environ.get("CHIPWATCH_RULEBOOK_DIR", data_dir / "rulebook")),
        catalog_file=Path(
            os.environ.get("CHIPWATCH_CATALOG", data_dir / "catalog" / "accelerators.yaml")
        ),
        database_url=os.environ.get("CHIPWATCH_DATABASE_URL") or "sqlite:///chipwatch.db",
        audit_retention_years=_positive_int("CHIPWATCH_AUDIT_RETENTION_YEARS", 10),
    )


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(f"must be a whole number of at least 1, got {raw!r}", field=name)
    return int(raw)
