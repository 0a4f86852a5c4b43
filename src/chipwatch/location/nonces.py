"""Nonces already used: a replayed measurement is ``invalid``.

Only nonces whose chip and landmark signatures both verified are remembered, so nobody can
burn a landmark's future nonces by sending forged reports. Nonces compare case-insensitively.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class NonceUse:
    nonce: str
    serial: str
    landmark: str
    at: dt.datetime


class NonceStore(Protocol):
    def seen(self, nonces: Iterable[str]) -> set[str]:
        """The (lowercase) nonces among these that were used before."""
        ...

    def remember(self, uses: Iterable[NonceUse]) -> set[str]:
        """Record these uses; return the nonces someone else recorded first (a race lost)."""
        ...


class MemoryNonceStore:
    """Seen nonces in memory: for the stand-alone CLI within one run, tests and benchmarks."""

    def __init__(self) -> None:
        self.uses: dict[str, NonceUse] = {}

    def seen(self, nonces: Iterable[str]) -> set[str]:
        return {n.lower() for n in nonces if n.lower() in self.uses}

    def remember(self, uses: Iterable[NonceUse]) -> set[str]:
        lost = set()
        for use in uses:
            key = use.nonce.lower()
            if key in self.uses:
                lost.add(key)
            else:
                self.uses[key] = use
        return lost
