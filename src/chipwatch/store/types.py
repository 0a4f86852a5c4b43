"""Column types with one meaning on SQLite and PostgreSQL: UTC instants, exact money, JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")
SQLITE_MAX_CENTS = 2**63 - 1  # a signed 64-bit INTEGER: about 92 quadrillion dollars

#: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: stored in UTC, always returned timezone-aware (UTC). Naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware instant")
        value = value.astimezone(dt.UTC)
        # SQLite keeps the text without an offset; every stored value is UTC by construction.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Money(TypeDecorator[Decimal]):
    """An amount with two decimals, exact: NUMERIC(20, 2) on PostgreSQL, integer cents on SQLite.

    Floats are refused, as are amounts with more than two decimals (round them first).
    """

    impl = Numeric(20, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # SQLite's NUMERIC is a float; cents in an INTEGER stay exact and SUM() exactly.
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(20, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_money(value)
        if dialect.name != "sqlite":
            return amount
        cents = int(amount * 100)
        if not -SQLITE_MAX_CENTS <= cents <= SQLITE_MAX_CENTS:
            raise ValueError(f"{amount} is beyond what SQLite stores exactly (use PostgreSQL)")
        return cents

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


def to_money(value: Decimal | int | str) -> Decimal:
    """``value`` as a Decimal with two places; refuses floats and sub-cent amounts."""
    if isinstance(value, float | bool):
        raise TypeError(f"money must be a Decimal, int or str, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"money must be finite, got {value!r}")
    if amount != amount.quantize(CENT):
        raise ValueError(f"money has more than two decimals: {value!r}")
    return amount.quantize(CENT)
