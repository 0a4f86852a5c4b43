"""Compute registry: site profiles (hub, operator, power) and declared inventories.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SECTORS = "'private', 'state_owned', 'public', 'military', 'university', 'cloud_provider'"


def upgrade() -> None:
    op.create_table(
        "site_profiles",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("hub", sa.String(64), nullable=True),
        sa.Column("cluster", sa.String(64), nullable=True),
        sa.Column("province", sa.String(100), nullable=True),
        sa.Column("operator", sa.String(300), nullable=True),
        sa.Column("operator_sector", sa.String(20), nullable=False),
        sa.Column("power_mw", sa.Float(), nullable=True),
        sa.Column("pue", sa.Float(), nullable=True),
        sa.Column("tariff_usd_per_kwh", sa.Float(), nullable=True),
        sa.Column("subsidy_rate", sa.Float(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"operator_sector IN ({SECTORS})", name="ck_site_profiles_sector_known"),
        sa.CheckConstraint(
            "power_mw IS NULL OR power_mw > 0", name="ck_site_profiles_power_positive"
        ),
        sa.CheckConstraint("pue IS NULL OR pue >= 1", name="ck_site_profiles_pue_at_least_one"),
        sa.CheckConstraint(
            "tariff_usd_per_kwh IS NULL OR tariff_usd_per_kwh >= 0",
            name="ck_site_profiles_tariff",
        ),
        sa.CheckConstraint(
            "subsidy_rate IS NULL OR subsidy_rate BETWEEN 0 AND 1",
            name="ck_site_profiles_subsidy",
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_site_profiles_site_id_sites"),
        sa.PrimaryKeyConstraint("site_id", name="pk_site_profiles"),
    )
    op.create_index("ix_site_profiles_hub", "site_profiles", ["hub"])
    op.create_table(
        "declared_inventory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("count >= 0", name="ck_declared_inventory_count_not_negative"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_declared_inventory_site_id_sites"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_declared_inventory"),
        sa.UniqueConstraint(
            "site_id", "model", "as_of", name="uq_declared_inventory_site_id_model_as_of"
        ),
    )
    op.create_index("ix_declared_inventory_site_id", "declared_inventory", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_declared_inventory_site_id", table_name="declared_inventory")
    op.drop_table("declared_inventory")
    op.drop_index("ix_site_profiles_hub", table_name="site_profiles")
    op.drop_table("site_profiles")
