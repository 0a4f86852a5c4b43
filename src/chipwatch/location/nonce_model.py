"""``attestation_nonces``: the nonces already used (migration 0006)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from chipwatch.store.base import Base
from chipwatch.store.types import UTCDateTime


class AttestationNonce(Base):
    """A challenge nonce whose chip and landmark signatures verified (lowercase hex)."""

    __tablename__ = "attestation_nonces"

    nonce: Mapped[str] = mapped_column(String(256), primary_key=True)
    serial: Mapped[str] = mapped_column(String(100))
    landmark: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
