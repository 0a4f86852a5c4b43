"""Licences: the licences, their approved customers and the append-only actions on them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.ddl import allow_updates, refuse_updates
from chipwatch.store.types import JSONType, Money, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("authority", sa.String(100), nullable=False),
        sa.Column("licensee", sa.String(300), nullable=False),
        sa.Column("items", JSONType, nullable=False),
        sa.Column("destinations", JSONType, nullable=False),
        sa.Column("quantity_cap", sa.BigInteger(), nullable=False),
        sa.Column("value_cap", Money(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("review_basis", sa.Text(), nullable=False),
        sa.Column("conditions", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("document", JSONType, nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.CheckConstraint("quantity_cap >= 1", name="ck_licences_quantity_cap_positive"),
        sa.CheckConstraint("valid_to >= valid_from", name="ck_licences_valid_window"),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'revoked', 'expired')",
            name="ck_licences_status_known",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_licences"),
        sa.UniqueConstraint("number", name="uq_licences_number"),
    )
    op.create_index("ix_licences_licensee", "licences", ["licensee"])
    op.create_table(
        "licence_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name="fk_licence_customers_licence_id_licences"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_licence_customers"),
        sa.UniqueConstraint(
            "licence_id", "name_key", name="uq_licence_customers_licence_id_name_key"
        ),
    )
    op.create_index("ix_licence_customers_licence_id", "licence_customers", ["licence_id"])
    op.create_index("ix_licence_customers_name_key", "licence_customers", ["name_key"])
    op.create_table(
        "licence_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name="fk_licence_actions_licence_id_licences"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_licence_actions"),
    )
    op.create_index("ix_licence_actions_licence_id", "licence_actions", ["licence_id"])
    refuse_updates("licence_actions")


def downgrade() -> None:
    allow_updates("licence_actions")
    op.drop_index("ix_licence_actions_licence_id", table_name="licence_actions")
    op.drop_table("licence_actions")
    op.drop_index("ix_licence_customers_name_key", table_name="licence_customers")
    op.drop_index("ix_licence_customers_licence_id", table_name="licence_customers")
    op.drop_table("licence_customers")
    op.drop_index("ix_licences_licensee", table_name="licences")
    op.drop_table("licences")
