"""Editions of the map of Viet Nam: every edition's areas (`area_units`) and the official
conversion between them (`area_successions`); `areas` (what records refer to) says which
edition it holds; district columns may be empty (the 2025 map has no districts).

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

EDITIONS = ("VN_2021", "VN_2025")
LEVELS = ("COUNTRY", "PROVINCE", "DISTRICT", "COMMUNE")
DISTRICT_COLUMNS = (
    ("patients", "home_district_code"),
    ("contacts", "district_code"),
    ("declarations", "district_code"),
    ("alerts", "district_code"),
    ("statistics_deltas", "district_code"),
)


def _edition(name: str = "area_edition") -> sa.Enum:
    return sa.Enum(*EDITIONS, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.add_column(
        "areas",
        sa.Column("edition", _edition(), server_default=sa.text("'VN_2021'"), nullable=False),
    )
    op.create_table(
        "area_units",
        sa.Column("edition", _edition(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                *LEVELS, name="area_level", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("division_type", sa.Text(), nullable=False),
        sa.Column("codename", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.String(length=8), nullable=True),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("district_code", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("edition", "code", name=op.f("pk_area_units")),
    )
    op.create_index("ix_area_units_parent", "area_units", ["edition", "parent_code", "code"])
    op.create_table(
        "area_successions",
        sa.Column("from_edition", _edition("from_edition"), nullable=False),
        sa.Column("from_code", sa.String(length=8), nullable=False),
        sa.Column("to_edition", _edition("to_edition"), nullable=False),
        sa.Column("to_code", sa.String(length=8), nullable=False),
        sa.Column("part", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "from_edition", "from_code", "to_edition", "to_code", name=op.f("pk_area_successions")
        ),
    )
    op.create_index("ix_area_successions_to", "area_successions", ["to_edition", "to_code"])
    for table, column in DISTRICT_COLUMNS:
        op.alter_column(table, column, existing_type=sa.String(length=8), nullable=True)


def downgrade() -> None:
    for table, column in DISTRICT_COLUMNS:
        op.alter_column(table, column, existing_type=sa.String(length=8), nullable=False)
    op.drop_index("ix_area_successions_to", table_name="area_successions")
    op.drop_table("area_successions")
    op.drop_index("ix_area_units_parent", table_name="area_units")
    op.drop_table("area_units")
    op.drop_column("areas", "edition")
