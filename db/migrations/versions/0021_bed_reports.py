"""Facilities run through the API: switched off or on, and their beds reported by their
staff as a history (the latest report is the capacity a transfer is checked against and
names the beds taken by patients f0care does not follow).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("facilities", sa.Column("beds_occupied_outside", sa.Integer(), nullable=True))
    op.add_column(
        "facilities",
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    roles = (
        "CITIZEN", "SCREENING_STAFF", "LOCAL_OFFICIAL", "HEALTH_STAFF", "HOSPITAL_STAFF",
        "MANAGER", "ANALYST", "ADMIN",
    )  # fmt: skip
    role = sa.Enum(*roles, name="role", native_enum=False, create_constraint=True, length=32)
    op.create_table(
        "bed_reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("facility_id", sa.BigInteger(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("occupied_outside", sa.Integer(), nullable=False),
        sa.Column("occupied_f0care", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.String(length=128), nullable=False),
        sa.Column("reported_role", role, nullable=False),
        sa.Column(
            "reported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_bed_reports_capacity_positive")),
        sa.CheckConstraint(
            "occupied_outside BETWEEN 0 AND capacity",
            name=op.f("ck_bed_reports_occupied_outside_range"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_bed_reports_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bed_reports")),
    )
    op.create_index("ix_bed_reports_facility_id", "bed_reports", ["facility_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_bed_reports_facility_id", table_name="bed_reports")
    op.drop_table("bed_reports")
    op.drop_column("facilities", "active")
    op.drop_column("facilities", "beds_occupied_outside")
