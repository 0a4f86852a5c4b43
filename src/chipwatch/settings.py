"""Settings, read once from ``CHIPWATCH_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    rulebook_dir: Path
    catalog_file: Path


def get_settings() -> Settings:
    data_dir = Path(os.environ.get("CHIPWATCH_DATA_DIR", PACKAGE_DATA))
    return Settings(
        data_dir=data_dir,
        rulebook_dir=Path(os.environ.get("CHIPWATCH_RULEBOOK_DIR", data_dir / "rulebook")),
        catalog_file=Path(
            os.environ.get("CHIPWATCH_CATALOG", data_dir / "catalog" / "accelerators.yaml")
        ),
    )
