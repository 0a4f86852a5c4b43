"""The reference data in force now, as audit records name it (for records not made from a
decision: cancellations, remittances, reports)."""

from __future__ import annotations

from typing import Any

from chipwatch import service


def reference_versions() -> dict[str, Any]:
    cw = service.default()
    return {
        "rulebook": {"name": cw.rulebook.name, "digest": cw.rulebook.digest},
        "catalog": cw.catalog.digest,
    }
