"""Shipments and fees: shipments with their serials, events and idempotency keys, the
append-only licence draw-down and fee ledgers, and the exporter's reported US volumes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.ddl import allow_updates, refuse_updates
from chipwatch.store.types import JSONType, Money, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ("shipment_events", "shipment_requests", "licence_drawdowns", "fee_ledger")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    _shipments()
    _shipment_children()
    _ledgers()
    op.create_table(
        "us_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licensee", sa.String(300), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name="ck_us_shipments_quantity_not_negative"),
        sa.PrimaryKeyConstraint("id", name="pk_us_shipments"),
    )
    op.create_index("ix_us_shipments_licensee_product", "us_shipments", ["licensee", "product"])
    refuse_updates("us_shipments")
    for table in APPEND_ONLY:
        refuse_updates(table)


def _shipments() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("licensee", sa.String(300), nullable=False),
        sa.Column("order_id", sa.String(200), nullable=False),
        sa.Column("order", JSONType, nullable=False),
        sa.Column("order_sha256", sa.String(64), nullable=False),
        sa.Column("model_id", sa.String(100), nullable=False),
        sa.Column("eccn", sa.String(32), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", Money(), nullable=False),
        sa.Column("value", Money(), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("end_user", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision_outcome", sa.String(24), nullable=False),
        sa.Column("versions", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.CheckConstraint("quantity >= 1", name="ck_shipments_quantity_positive"),
        sa.CheckConstraint(
            "status IN ('pending', 'blocked', 'shipped', 'delivered', 'cancelled')",
            name="ck_shipments_status_known",
        ),
        _fk("shipments", "licence_id", "licences"),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
    )
    for column in ("licence_id", "licensee", "order_id", "model_id", "period", "status"):
        op.create_index(f"ix_shipments_{column}", "shipments", [column])


def _shipment_children() -> None:
    op.create_table(
        "shipment_serials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("released", sa.Boolean(), server_default=sa.false(), nullable=False),
        _fk("shipment_serials", "shipment_id", "shipments"),
        sa.PrimaryKeyConstraint("id", name="pk_shipment_serials"),
    )
    op.create_index("ix_shipment_serials_shipment_id", "shipment_serials", ["shipment_id"])
    op.create_index(
        "uq_shipment_serials_live_serial",
        "shipment_serials",
        ["serial"],
        unique=True,
        sqlite_where=sa.text("NOT released"),
        postgresql_where=sa.text("NOT released"),
    )
    op.create_table(
        "shipment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        _fk("shipment_events", "shipment_id", "shipments"),
        sa.PrimaryKeyConstraint("id", name="pk_shipment_events"),
    )
    op.create_index("ix_shipment_events_shipment_id", "shipment_events", ["shipment_id"])
    op.create_table(
        "shipment_requests",
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("licence_number", sa.String(100), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("refusal", JSONType, nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        _fk("shipment_requests", "shipment_id", "shipments"),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_shipment_requests"),
    )


def _ledgers() -> None:
    op.create_table(
        "licence_drawdowns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value", Money(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'draw' AND quantity > 0 AND value >= 0) OR "
            "(kind = 'reversal' AND quantity < 0 AND value <= 0)",
            name="ck_licence_drawdowns_signed_by_kind",
        ),
        _fk("licence_drawdowns", "licence_id", "licences"),
        _fk("licence_drawdowns", "shipment_id", "shipments"),
        sa.PrimaryKeyConstraint("id", name="pk_licence_drawdowns"),
        sa.UniqueConstraint("shipment_id", "kind", name="uq_licence_drawdowns_shipment_id_kind"),
    )
    op.create_index("ix_licence_drawdowns_licence_id", "licence_drawdowns", ["licence_id"])
    op.create_index("ix_licence_drawdowns_shipment_id", "licence_drawdowns", ["shipment_id"])
    op.create_table(
        "fee_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("licensee", sa.String(300), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.String(100), nullable=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("rate", sa.String(20), nullable=True),
        sa.Column("licence_rate", sa.String(20), nullable=True),
        sa.Column("base_value", Money(), nullable=True),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("binding", sa.Boolean(), nullable=False),
        sa.Column("flags", JSONType, nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('accrual', 'reversal', 'remittance')", name="ck_fee_ledger_kind_known"
        ),
        _fk("fee_ledger", "licence_id", "licences"),
        _fk("fee_ledger", "shipment_id", "shipments"),
        sa.PrimaryKeyConstraint("id", name="pk_fee_ledger"),
        sa.UniqueConstraint("licensee", "reference", name="uq_fee_ledger_licensee_reference"),
    )
    op.create_index("ix_fee_ledger_period", "fee_ledger", ["period"])
    op.create_index("ix_fee_ledger_shipment_id", "fee_ledger", ["shipment_id"])
    op.create_index("ix_fee_ledger_licensee_period", "fee_ledger", ["licensee", "period"])


def downgrade() -> None:
    for table in (*APPEND_ONLY, "us_shipments"):
        allow_updates(table)
    for table in (
        "us_shipments",
        "fee_ledger",
        "licence_drawdowns",
        "shipment_requests",
        "shipment_events",
        "shipment_serials",
        "shipments",
    ):
        op.drop_table(table)
