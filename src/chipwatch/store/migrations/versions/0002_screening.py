"""Screening: list versions and entries, screened parties, cases and dispositions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Hand-written and frozen: never import models here (only chipwatch.store.types and .ddl).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chipwatch.store.ddl import allow_updates, refuse_updates
from chipwatch.store.types import JSONType, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("sources", JSONType, nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("retrieved_at", UTCDateTime(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_list_versions"),
    )
    op.create_index("ix_list_versions_file_sha256", "list_versions", ["file_sha256"])
    op.create_table(
        "list_entry_contents",
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("content", JSONType, nullable=False),
        sa.Column("raw", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("content_hash", name="pk_list_entry_contents"),
    )
    op.create_table(
        "list_version_entries",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["list_versions.id"],
            name="fk_list_version_entries_version_id_list_versions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["content_hash"],
            ["list_entry_contents.content_hash"],
            name="fk_list_version_entries_content_hash_list_entry_contents",
        ),
        sa.PrimaryKeyConstraint("version_id", "content_hash", name="pk_list_version_entries"),
    )
    op.create_index("ix_list_version_entries_key", "list_version_entries", ["source", "entry_id"])
    op.create_table(
        "screened_parties",
        sa.Column("party_key", sa.String(500), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_screened_at", UTCDateTime(), nullable=True),
        sa.Column("list_versions", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("party_key", name="pk_screened_parties"),
    )
    op.create_table(
        "screening_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("party_key", sa.String(500), nullable=False),
        sa.Column("party_name", sa.Text(), nullable=False),
        sa.Column("party_country", sa.String(2), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("order_id", sa.String(200), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("entry_name", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", JSONType, nullable=False),
        sa.Column("list_version", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_screening_cases"),
        sa.UniqueConstraint(
            "party_key",
            "source",
            "entry_id",
            "content_hash",
            name="uq_screening_cases_party_key_source_entry_id_content_hash",
        ),
    )
    op.create_index("ix_screening_cases_opened_at", "screening_cases", ["opened_at"])
    op.create_index("ix_screening_cases_party_key", "screening_cases", ["party_key"])
    op.create_table(
        "screening_dispositions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_key", sa.String(500), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["screening_cases.id"],
            name="fk_screening_dispositions_case_id_screening_cases",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_screening_dispositions"),
    )
    op.create_index("ix_screening_dispositions_case_id", "screening_dispositions", ["case_id"])
    op.create_index("ix_screening_dispositions_party_key", "screening_dispositions", ["party_key"])
    refuse_updates("screening_cases")
    refuse_updates("screening_dispositions")


def downgrade() -> None:
    allow_updates("screening_dispositions")
    allow_updates("screening_cases")
    for table in (
        "screening_dispositions",
        "screening_cases",
        "screened_parties",
        "list_version_entries",
        "list_entry_contents",
        "list_versions",
    ):
        op.drop_table(table)
