"""Accelerator models, their specs and sources, and their control class on a date."""

from chipwatch.catalog.classify import Classification, classify_chip, classify_system
from chipwatch.catalog.loader import Catalog, load_catalog
from chipwatch.catalog.model import ChipModel

__all__ = [
    "Catalog",
    "ChipModel",
    "Classification",
    "classify_chip",
    "classify_system",
    "load_catalog",
]
