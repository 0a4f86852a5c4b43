"""A shipment request, validated whole before anything is decided or locked (422s)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from chipwatch.errors import InvalidInput
from chipwatch.orders import MAX_UNIT_PRICE_USD, Order
from chipwatch.store.canonical import sha256_hex
from chipwatch.store.types import CENT


@dataclass(frozen=True, slots=True)
class ShipRequest:
    order: Order
    order_json: dict[str, Any]
    licence_number: str
    quantity: int
    serials: tuple[str, ...]
    idempotency_key: str
    actor: str
    unit_price: Decimal
    sha256: str  # of order, licence, quantity and serials: what makes a retry "the same"
    order_sha256: str
    serials_sha256: str

    @property
    def value(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)

    def audit_payload(self) -> dict[str, Any]:
        return {
            "licence": self.licence_number,
            "order_id": self.order.id,
            "order_sha256": self.order_sha256,
            "request_sha256": self.sha256,
            "idempotency_key": self.idempotency_key,
            "quantity": self.quantity,
            "serials_sha256": self.serials_sha256,
        }


def validated_request(
    order: Order,
    licence_number: str,
    quantity: int,
    serials: Sequence[str],
    key: str,
    actor: str,
) -> ShipRequest:
    """The request, or InvalidInput naming every bad field."""
    errors: list[dict[str, str]] = []
    if not key.strip() or len(key) > 200:
        errors.append({"field": "idempotency_key", "problem": "give a key of 1–200 characters"})
    if not actor.strip():
        errors.append({"field": "actor", "problem": "name who ships (the actor)"})
    if len(order.items) != 1:
        errors.append(
            {"field": "order.items", "problem": "a shipment ships one order line: split the order"}
        )
    elif quantity < 1 or quantity > order.items[0].quantity:
        errors.append(
            {
                "field": "quantity",
                "problem": f"{quantity} is not between 1 and the order line's "
                f"{order.items[0].quantity} units",
            }
        )
    cleaned = tuple(s.strip() for s in serials)
    errors.extend(_serial_errors(cleaned, quantity))
    unit_price = _unit_price(order, errors)
    if errors:
        raise InvalidInput.from_errors(errors)
    order_json = order.model_dump(mode="json")
    order_sha256, serials_sha256 = sha256_hex(order_json), sha256_hex(sorted(cleaned))
    digest = sha256_hex(
        {
            "order": order_sha256,
            "licence": licence_number,
            "quantity": quantity,
            "serials": serials_sha256,
        }
    )
    return ShipRequest(
        order,
        order_json,
        licence_number,
        quantity,
        cleaned,
        key,
        actor,
        unit_price,
        digest,
        order_sha256,
        serials_sha256,
    )


def _serial_errors(serials: tuple[str, ...], quantity: int) -> list[dict[str, str]]:
    errors = []
    if len(serials) != quantity:
        errors.append(
            {"field": "serials", "problem": f"{len(serials)} serials for {quantity} units"}
        )
    seen: set[str] = set()
    for i, serial in enumerate(serials):
        if not serial or len(serial) > 100:
            errors.append({"field": f"serials.{i}", "problem": "a serial has 1–100 characters"})
        elif serial in seen:
            errors.append({"field": f"serials.{i}", "problem": f"'{serial}' is listed twice"})
        seen.add(serial)
    return errors


def _unit_price(order: Order, errors: list[dict[str, str]]) -> Decimal:
    price = order.items[0].unit_price_usd if order.items else None
    field = "order.items.0.unit_price_usd"
    if price is None:
        errors.append({"field": field, "problem": "the licence caps value: give the unit price"})
        return Decimal(0)
    # an Order built without validation (model_construct) may still carry inf, nan or 1e26
    if not math.isfinite(price) or not 0 <= price <= MAX_UNIT_PRICE_USD:
        errors.append(
            {
                "field": field,
                "problem": f"{price} is not a price from 0 to {MAX_UNIT_PRICE_USD:,.0f} dollars",
            }
        )
        return Decimal(0)
    exact = Decimal(repr(price))  # a finite float's repr always parses
    try:
        cents = exact.quantize(CENT)
    except InvalidOperation:
        cents = Decimal(-1)
    if exact != cents:
        errors.append({"field": field, "problem": f"{price} is not in dollars and cents"})
        return Decimal(0)
    return cents
