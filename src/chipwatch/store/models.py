"""Every table chipwatch has, gathered on ``Base.metadata`` (what migrations must produce).

A package that adds tables adds its model module to ``MODEL_MODULES``.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from chipwatch.store.base import Base

MODEL_MODULES = (
    "chipwatch.store.audit_model",
    "chipwatch.screening.records",
    "chipwatch.licensing.model",
    "chipwatch.licensing.ledger_model",
    "chipwatch.custody.model",
    "chipwatch.location.nonce_model",
    "chipwatch.compute.model",
    "chipwatch.holds",
)


def all_models() -> MetaData:
    """Import every model module and return the metadata they registered on."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
