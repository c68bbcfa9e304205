"""The rehoming queue: records a move to a new map could not place for certain (their old
commune was split, or has no entry in the conversion table), until staff choose.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "rehoming_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "kind",
            _enum("rehoming_kind", "PATIENT", "CONTACT", "DECLARATION", "FACILITY", "USER"),
            nullable=False,
        ),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", _enum("rehoming_reason", "SPLIT", "UNMAPPED"), nullable=False),
        sa.Column("old_edition", _enum("old_edition", "VN_2021", "VN_2025"), nullable=False),
        sa.Column("old_code", sa.String(length=8), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("placed_code", sa.String(length=8), nullable=False),
        sa.Column("candidates", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_code", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rehoming_items")),
    )
    op.create_index(
        "uq_rehoming_items_open",
        "rehoming_items",
        ["kind", "entity_id"],
        unique=True,
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.create_index(
        "ix_rehoming_items_province_open",
        "rehoming_items",
        ["province_code", "id"],
        postgresql_where=sa.text("resolved_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_rehoming_items_province_open", table_name="rehoming_items")
    op.drop_index("uq_rehoming_items_open", table_name="rehoming_items")
    op.drop_table("rehoming_items")
