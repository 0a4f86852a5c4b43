"""Attestation nonces: every challenge nonce whose signatures verified, so a replayed
measurement is refused.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attestation_nonces",
        sa.Column("nonce", sa.String(256), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("landmark", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name="pk_attestation_nonces"),
    )
    op.create_index("ix_attestation_nonces_at", "attestation_nonces", ["at"])


def downgrade() -> None:
    op.drop_index("ix_attestation_nonces_at", table_name="attestation_nonces")
    op.drop_table("attestation_nonces")
