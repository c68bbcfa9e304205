"""Recovery certificates, one per patient, issued at a RECOVERED discharge from home
treatment and verifiable by number and code.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_certificates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("verification_code", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=128), nullable=False),
        sa.Column("issuer_name", sa.Text(), nullable=False),
        sa.Column("issuer_area_code", sa.String(length=8), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("holder_initials", sa.String(length=32), nullable=False),
        sa.Column("holder_birth_year", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_area_code"],
            ["areas.code"],
            name=op.f("fk_recovery_certificates_issuer_area_code_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_recovery_certificates_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_recovery_certificates_number")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_recovery_certificates_patient_id")),
    )


def downgrade() -> None:
    op.drop_table("recovery_certificates")
