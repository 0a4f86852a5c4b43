"""Licences: add (idempotent), status actions, listing, and what a suspension would hit.

Every write runs in one transaction with its audit record. A licence's status changes only
by an action recorded in ``licence_actions``; the licence row is locked while it changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing.documents import LicenceDocument
from chipwatch.licensing.model import STATUSES, Licence, LicenceAction, LicenceCustomer, Status
from chipwatch.licensing.shipment_status import block_pending, pending_shipment_ids
from chipwatch.licensing.shipment_views import under_licence
from chipwatch.store import Database, audit
from chipwatch.store.canonical import jsonable, sha256_hex

BLOCKING = frozenset({"suspend", "revoke"})  # actions that block pending shipments at once
# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "suspend": (frozenset({"active"}), "suspended"),
    "revoke": (frozenset({"active", "suspended", "expired"}), "revoked"),
    "reinstate": (frozenset({"suspended"}), "active"),
    "expire": (frozenset({"active", "suspended"}), "expired"),
}


@dataclass(frozen=True, slots=True)
class LicenceAdded:
    licence: Licence
    created: bool  # False: the identical document was already recorded


@dataclass(slots=True)
class BlastRadius:
    """What suspending or revoking a licence reaches (pending includes blocked shipments)."""

    licence: dict[str, Any]
    customers: list[dict[str, Any]]
    pending_shipments: list[dict[str, Any]] = field(default_factory=list)
    in_transit: list[dict[str, Any]] = field(default_factory=list)
    delivered_chips: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "licence": self.licence,
            "customers": self.customers,
            "pending_shipments": self.pending_shipments,
            "in_transit": self.in_transit,
            "delivered_chips": self.delivered_chips,
        }


def effective_status(licence: Licence, on: dt.date) -> Status:
    """``expired`` once past ``valid_to`` (unless revoked); otherwise the recorded status."""
    return licence.effective_status(on)


def add_licence(
    db: Database,
    doc: LicenceDocument,
    actor: str,
    *,
    original: Mapping[str, Any] | None = None,
) -> LicenceAdded:
    """Record a licence. The identical document again returns the recorded licence; another
    document under a recorded number is a ``Conflict``."""
    _require_actor(actor)
    normalised = doc.normalised()
    digest = sha256_hex(normalised)
    try:
        with db.transaction() as session:
            existing = _find(session, doc.number)
            if existing is not None:
                return LicenceAdded(_same_or_conflict(existing, digest), created=False)
            return LicenceAdded(
                _insert(session, doc, normalised, digest, original, actor), created=True
            )
    except IntegrityError:  # a concurrent add of the same number won the race
        with db.session() as session:
            existing = _find(session, doc.number)
            if existing is None:
                raise
            return LicenceAdded(_same_or_conflict(existing, digest), created=False)


def _same_or_conflict(existing: Licence, digest: str) -> Licence:
    if existing.document_sha256 != digest:
        raise Conflict(
            f"licence {existing.number} is already recorded with a different document "
            f"(sha256 {existing.document_sha256[:12]}…); a changed licence needs a new number "
            "or an amendment",
            field="number",
        )
    return existing


def _insert(
    session: Session,
    doc: LicenceDocument,
    normalised: dict[str, Any],
    digest: str,
    original: Mapping[str, Any] | None,
    actor: str,
) -> Licence:
    now = dt.datetime.now(dt.UTC)
    licence = Licence(
        number=doc.number,
        authority=doc.authority,
        licensee=doc.licensee,
        items=normalised["items"],
        destinations=normalised["destinations"],
        quantity_cap=doc.quantity,
        value_cap=doc.value_usd,
        valid_from=doc.valid_from,
        valid_to=doc.valid_to,
        review_basis=doc.review_basis,
        conditions=normalised["conditions"],
        status="active",
        created_at=now,
        document=jsonable(original if original is not None else normalised),
        document_sha256=digest,
    )
    licence.customers = [
        LicenceCustomer(name=c.name, name_key=c.key, country=c.country)
        for c in doc.approved_customers
    ]
    session.add(licence)
    session.flush()
    catalog = service.default().catalog
    record = audit.append(
        session,
        actor=actor,
        action="licence.add",
        subject=doc.number,
        payload={"document": normalised, "document_sha256": digest},
        versions={"catalog": catalog.version, "catalog_digest": catalog.digest},
    )
    _record_action(session, licence, "add", None, "active", actor, "", now, record.seq)
    return licence


def suspend(db: Database, number: str, actor: str, reason: str) -> Licence:
    """Stop shipments under an active licence until it is reinstated."""
    return _change_status(db, number, "suspend", actor, reason)


def revoke(db: Database, number: str, actor: str, reason: str) -> Licence:
    """End a licence for good: a revoked licence cannot be reinstated."""
    return _change_status(db, number, "revoke", actor, reason)


def reinstate(db: Database, number: str, actor: str, reason: str) -> Licence:
    """Lift a suspension."""
    return _change_status(db, number, "reinstate", actor, reason)


def expire_due(db: Database, on: dt.date, actor: str = "chipwatch") -> list[str]:
    """Record ``expire`` on every active or suspended licence past its ``valid_to``."""
    with db.session() as session:
        due = session.scalars(
            select(Licence.number).where(
                Licence.status.in_(("active", "suspended")), Licence.valid_to < on
            )
        ).all()
    for number in due:
        _change_status(db, number, "expire", actor, f"valid_to passed on {on.isoformat()}", on=on)
    return list(due)


def _change_status(
    db: Database, number: str, action: str, actor: str, reason: str, *, on: dt.date | None = None
) -> Licence:
    _require_actor(actor)
    if not reason.strip():
        raise InvalidInput(f"say why you {action} the licence", field="reason")
    allowed_from, to_status = TRANSITIONS[action]
    with db.transaction() as session:
        licence = _find(session, number, lock=True)
        if licence is None:
            raise NotFound(f"no licence numbered '{number}'")
        now = dt.datetime.now(dt.UTC)
        day = on or now.date()
        # expiry is recorded on what was recorded; every other action sees the effective status
        current = licence.status if action == "expire" else licence.effective_status(day)
        if action == "expire" and day <= licence.valid_to:
            raise Conflict(f"licence {number} is valid until {licence.valid_to}", field="status")
        if current not in allowed_from:
            raise Conflict(_refusal(licence, action, current), field="status")
        blocked = pending_shipment_ids(session, licence.id) if action in BLOCKING else []
        record = audit.append(
            session,
            actor=actor,
            action=f"licence.{action}",
            subject=number,
            payload={
                "reason": reason,
                "from_status": current,
                "to_status": to_status,
                "blocked_shipments": blocked,
            },
        )
        licence.status = to_status
        _record_action(session, licence, action, current, to_status, actor, reason, now, record.seq)
        block_pending(session, licence, blocked, actor=actor, reason=reason, audit_seq=record.seq)
        return licence


def _refusal(licence: Licence, action: str, current: str) -> str:
    if current == "revoked":
        return f"licence {licence.number} is revoked, which is final: it cannot be {action}d"
    if current == "expired":
        return (
            f"licence {licence.number} expired (valid to {licence.valid_to.isoformat()}): "
            f"it cannot be {action}d"
        )
    if action == "reinstate":
        return f"licence {licence.number} is {current}, not suspended: nothing to reinstate"
    return f"licence {licence.number} is already {current}"


def _record_action(
    session: Session,
    licence: Licence,
    action: str,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str,
    at: dt.datetime,
    audit_seq: int,
) -> None:
    entry = LicenceAction(
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        reason=reason,
        audit_seq=audit_seq,
    )
    licence.actions.append(entry)
    session.flush()


def get_licence(db: Database, number: str) -> Licence:
    with db.session() as session:
        licence = _find(session, number)
    if licence is None:
        raise NotFound(f"no licence numbered '{number}'", field="number")
    return licence


def list_licences(
    db: Database,
    *,
    status: str | None = None,
    on: dt.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Licence], int]:
    """A page of licences (by number) with the total; ``status`` is the status ``on`` a day."""
    condition = _status_condition(status, on or dt.date.today())
    with db.session() as session:
        query = select(Licence).where(condition).order_by(Licence.number)
        page = list(session.scalars(query.limit(limit).offset(offset)))
        total = session.scalar(select(func.count()).select_from(Licence).where(condition))
    return page, int(total or 0)


def _status_condition(status: str | None, on: dt.date) -> ColumnElement[bool]:
    if status is None:
        return true()
    if status not in STATUSES:
        raise InvalidInput(f"'{status}' is not one of {', '.join(STATUSES)}", field="status")
    if status == "revoked":
        return Licence.status == "revoked"
    if status == "expired":
        return or_(
            Licence.status == "expired",
            and_(Licence.status != "revoked", Licence.valid_to < on),
        )
    return and_(Licence.status == status, Licence.valid_to >= on)


def blast_radius(db: Database, number: str) -> BlastRadius:
    """What a suspension or revocation of the licence reaches: its approved customers, its
    pending (and already blocked) shipments, its shipments in transit and every chip
    delivered under it."""
    with db.session() as session:
        licence = _find(session, number)
        if licence is None:
            raise NotFound(f"no licence numbered '{number}'", field="number")
        shipments = under_licence(session, licence.id)
    today = dt.date.today()
    summary = {
        "number": licence.number,
        "licensee": licence.licensee,
        "status": licence.effective_status(today),
        "valid_to": licence.valid_to.isoformat(),
    }
    return BlastRadius(
        licence=summary, customers=[c.to_dict() for c in licence.customers], **shipments
    )


def _find(session: Session, number: str, *, lock: bool = False) -> Licence | None:
    query = select(Licence).where(Licence.number == number)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def _require_actor(actor: str) -> None:
    if not actor.strip():
        raise InvalidInput("name who acts (the actor)", field="actor")
