"""Shipping under a licence: re-decide the order, check the licence, draw it down — in one
transaction, under the licence's row lock, with its audit records.

The order's date is the shipment's date (the rulebook version, the licence window and the
fee period all use it). A shipment ships one order line. An idempotency key keeps its first
result, a shipment or a refusal: the same key with the same request gets that result again
and draws nothing; with a different request it is a ``Conflict``. Refusals are recorded
(``shipment_requests`` and the audit log) so that an auditor sees them too. Concurrent
requests on one database are shipped together (``group_commit``), each checked against
what the ones before it drew.
"""

from __future__ import annotations

from collections.abc import Sequence

from chipwatch.licensing.group_commit import group_commit
from chipwatch.licensing.ledger_jobs import Job, ShipmentResult
from chipwatch.licensing.ship_request import validated_request
from chipwatch.orders import Order
from chipwatch.store import Database

__all__ = ["ShipmentResult", "ship"]


def ship(
    db: Database,
    *,
    order: Order,
    licence_number: str,
    quantity: int,
    serials: Sequence[str],
    idempotency_key: str,
    actor: str,
) -> ShipmentResult:
    """Draw ``quantity`` units of the order's line on the licence, or raise ShipmentRefused
    (409, every reason), Conflict (a reused key), NotFound or InvalidInput."""
    request = validated_request(order, licence_number, quantity, serials, idempotency_key, actor)
    return group_commit(db).submit(Job(request))
