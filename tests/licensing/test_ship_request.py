"""A shipment request's unit price: anything non-finite or too large is a 422 naming it."""

from __future__ import annotations

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.licensing.ship_request import validated_request
from tests.licensing.shipment_fixture import order

FIELD = "order.items.0.unit_price_usd"

# an Order built without validation (model_construct, assignment) may carry any float
BAD_PRICES = [float("inf"), float("-inf"), float("nan"), 1e26, 1e12 + 1, -1.0, 0.001]


@pytest.mark.parametrize("price", BAD_PRICES, ids=repr)
def test_a_price_that_is_not_dollars_and_cents_names_its_field(price: float) -> None:
    the_order = order()
    the_order.items[0].unit_price_usd = price
    with pytest.raises(InvalidInput) as caught:
        validated_request(the_order, "MO-0001", 1, ["S-1"], "k", "bob")
    assert [e["field"] for e in caught.value.errors] == [FIELD]


@pytest.mark.parametrize(("price", "cents"), [(0.0, "0.00"), (1e12, "1000000000000.00")])
def test_prices_up_to_the_bound_are_exact(price: float, cents: str) -> None:
    the_order = order()
    the_order.items[0].unit_price_usd = price
    request = validated_request(the_order, "MO-0001", 1, ["S-1"], "k", "bob")
    assert str(request.unit_price) == cents
