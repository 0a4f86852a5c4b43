"""Tests of the restricted-party list parsers.

Unit tests read hand-written fixtures in ``fixtures/`` (fictional parties in the official
layouts); integration tests read the real files in ``../shared/data/lists``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_LISTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "lists"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def shared(name: str) -> bytes:
    """A real list file from the shared data, or skip when that folder is absent."""
    if not SHARED_LISTS.is_dir():
        pytest.skip("../shared/data/lists is absent")
    return (SHARED_LISTS / name).read_bytes()
