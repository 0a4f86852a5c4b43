"""Custody: sites, landmarks, chips with their append-only events and inspections, and the
custody flag queue (flags and their append-only dispositions).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.ddl import allow_updates, refuse_updates
from chipwatch.store.types import JSONType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("chip_events", "inspections", "custody_flags", "custody_flag_dispositions")


def _fk(table: str, column: str, target: str, target_column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{target_column}"], name=f"fk_{table}_{column}_{target}"
    )


def upgrade() -> None:
    _places()
    _chips()
    _flags()
    for table in APPEND_ONLY:
        refuse_updates(table)


def _places() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("operator", sa.String(300), nullable=False),
        sa.Column("licence_number", sa.String(100), nullable=True),
        sa.Column("end_user", sa.String(300), nullable=True),
        sa.Column("radius_km", sa.Float(), nullable=False),
        sa.Column("check_in_hours", sa.Float(), nullable=False),
        sa.Column("declared_mw", sa.Float(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("radius_km > 0", name="ck_sites_radius_positive"),
        sa.CheckConstraint("check_in_hours > 0", name="ck_sites_interval_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_sites"),
    )
    op.create_table(
        "landmarks",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("vetting", sa.String(16), nullable=False),
        sa.Column("vetted_by", sa.String(200), nullable=True),
        sa.Column("vetted_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "vetting IN ('vetted', 'provisional', 'revoked')", name="ck_landmarks_vetting_known"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_landmarks"),
    )


def _chips() -> None:
    op.create_table(
        "chips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("licence_number", sa.String(100), nullable=True),
        sa.Column("order_id", sa.String(200), nullable=True),
        sa.Column("custodian", sa.String(300), nullable=True),
        sa.Column("site_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=True),
        sa.Column("enrolled_at", UTCDateTime(), nullable=True),
        sa.Column("last_check_in_at", UTCDateTime(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("chips", "site_id", "sites", "id"),
        sa.PrimaryKeyConstraint("id", name="pk_chips"),
        sa.UniqueConstraint("serial", name="uq_chips_serial"),
    )
    for column in ("model", "licence_number", "site_id", "state", "public_key"):
        op.create_index(f"ix_chips_{column}", "chips", [column])
    op.create_table(
        "chip_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("place", sa.String(300), nullable=True),
        sa.Column("evidence", JSONType, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=True),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        _fk("chip_events", "serial", "chips", "serial"),
        sa.PrimaryKeyConstraint("id", name="pk_chip_events"),
        sa.UniqueConstraint("serial", "seq", name="uq_chip_events_serial_seq"),
        sa.UniqueConstraint("event_id", name="uq_chip_events_event_id"),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("model_seen", sa.String(200), nullable=False),
        sa.Column("serial_seen", sa.String(100), nullable=False),
        sa.Column("firmware", sa.String(100), nullable=False),
        sa.Column("tamper_seal_id", sa.String(100), nullable=False),
        sa.Column("tester", sa.String(200), nullable=False),
        sa.Column("lab", sa.String(300), nullable=False),
        sa.Column("result", sa.String(4), nullable=False),
        sa.Column("failures", JSONType, nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("result IN ('pass', 'fail')", name="ck_inspections_result_known"),
        _fk("inspections", "serial", "chips", "serial"),
        sa.PrimaryKeyConstraint("id", name="pk_inspections"),
    )
    op.create_index("ix_inspections_serial", "inspections", ["serial"])


def _flags() -> None:
    op.create_table(
        "custody_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(100), nullable=True),
        sa.Column("site_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", JSONType, nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        _fk("custody_flags", "serial", "chips", "serial"),
        sa.PrimaryKeyConstraint("id", name="pk_custody_flags"),
    )
    op.create_index("ix_custody_flags_serial", "custody_flags", ["serial"])
    op.create_index("ix_custody_flags_kind", "custody_flags", ["kind"])
    op.create_table(
        "custody_flag_dispositions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "status IN ('cleared', 'confirmed')", name="ck_custody_flag_dispositions_status_known"
        ),
        _fk("custody_flag_dispositions", "flag_id", "custody_flags", "id"),
        sa.PrimaryKeyConstraint("id", name="pk_custody_flag_dispositions"),
    )
    op.create_index(
        "ix_custody_flag_dispositions_flag_id", "custody_flag_dispositions", ["flag_id"]
    )


def downgrade() -> None:
    for table in APPEND_ONLY:
        allow_updates(table)
    for table in (
        "custody_flag_dispositions",
        "custody_flags",
        "inspections",
        "chip_events",
        "chips",
        "landmarks",
        "sites",
    ):
        op.drop_table(table)
