"""Hold reviews: an officer's clearance of one hold rule for one order's content.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.ddl import allow_updates, refuse_updates
from chipwatch.store.types import JSONType, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hold_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(200), nullable=False),
        sa.Column("order_sha256", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("jurisdiction", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", JSONType, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hold_reviews"),
    )
    op.create_index("ix_hold_reviews_order_id", "hold_reviews", ["order_id"])
    op.create_index("ix_hold_reviews_order", "hold_reviews", ["order_sha256", "rule_id"])
    refuse_updates("hold_reviews")


def downgrade() -> None:
    allow_updates("hold_reviews")
    op.drop_table("hold_reviews")
