"""Foundation: the audit log (hash chain) and its head.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.ddl import allow_updates, refuse_updates
from chipwatch.store.types import JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("versions", JSONType, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    for column in ("at", "actor", "action", "subject"):
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("anchor_seq", sa.BigInteger(), nullable=False),
        sa.Column("anchor_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_head_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.bulk_insert(
        head,
        [{"id": 1, "seq": 0, "hash": GENESIS_HASH, "anchor_seq": 0, "anchor_hash": GENESIS_HASH}],
    )
    refuse_updates("audit_log")


def downgrade() -> None:
    allow_updates("audit_log")
    op.drop_table("audit_head")
    for column in ("at", "actor", "action", "subject"):
        op.drop_index(f"ix_audit_log_{column}", table_name="audit_log")
    op.drop_table("audit_log")
