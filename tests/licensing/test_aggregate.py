"""The aggregate cap's share: a licence's stated share that cannot be read refuses."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest

from chipwatch.licensing.aggregate import cap_share
from chipwatch.rules.decision import Decision

NO_RULE = cast(Decision, SimpleNamespace(reasons=[]))  # no rule carries a cap: only the licence

# (stored conditions, the share applied); documents filed before the share was checked may
# hold anything: what is not a number from 0 to 1 counts as 0
SHARES: list[tuple[dict[str, Any], Decimal | None]] = [
    ({}, None),
    ({"max_share_of_us_shipments": "0.4"}, Decimal("0.4")),
    ({"max_share_of_us_shipments": 0.25}, Decimal("0.25")),
    ({"max_share_of_us_shipments": "NaN"}, Decimal(0)),
    ({"max_share_of_us_shipments": "sNaN"}, Decimal(0)),
    ({"max_share_of_us_shipments": "Infinity"}, Decimal(0)),
    ({"max_share_of_us_shipments": "half"}, Decimal(0)),
    ({"max_share_of_us_shipments": "-0.5"}, Decimal(0)),
    ({"max_share_of_us_shipments": "2"}, Decimal(0)),
]


@pytest.mark.parametrize(("conditions", "share"), SHARES, ids=[repr(c) for c, _ in SHARES])
def test_a_stated_share_that_cannot_be_read_counts_as_zero(
    conditions: dict[str, Any], share: Decimal | None
) -> None:
    assert cap_share(NO_RULE, conditions, "MO") == share
