"""A small, valid licence document for tests; ``licence_document(**changes)`` varies it."""

from __future__ import annotations

import copy
from typing import Any

LICENCE: dict[str, Any] = {
    "number": "T-0001",
    "authority": "BIS",
    "licensee": "Example Exporter Inc.",
    "approved_customers": [
        {"name": "Alibaba Cloud Computing Co., Ltd.", "country": "CN"},
        "阿里云计算有限公司",
    ],
    "items": ["NVIDIA H200", "3A090.a"],
    "destinations": ["CN"],
    "quantity": 100,
    "value_usd": "3100000.00",
    "valid_from": "2026-02-01",
    "valid_to": "2027-01-31",
    "review_basis": "case by case",
    "conditions": {"fee_rate": "0.25", "third_party_testing": True, "reporting": "quarterly"},
}


def licence_document(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(LICENCE)
    document.update(changes)
    return document
