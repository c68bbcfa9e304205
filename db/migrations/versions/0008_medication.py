"""Medication at home: the drug catalogue (reference data of `domain/medication.py`,
catalogue vn-moh-4109-2021), medication orders, adverse events, and the day until which a
patient's molnupiravir course is followed for adverse effects.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from domain.medication import CATALOGUE, DRUGS

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    drugs = op.create_table(
        "drugs",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("catalogue", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("strength", sa.Text(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("drug_group", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_drugs")),
    )
    op.bulk_insert(
        drugs,
        [
            {
                "code": d.code,
                "catalogue": CATALOGUE,
                "name": d.name,
                "strength": d.strength,
                "form": d.form,
                "drug_group": d.group,
            }
            for d in DRUGS
        ],  # fmt: skip
    )
    op.create_table(
        "medication_orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("drug_code", sa.String(length=32), nullable=False),
        sa.Column("package", _enum("medication_package", "A", "B", "C"), nullable=True),
        sa.Column("dose", sa.Text(), nullable=False),
        sa.Column("frequency", sa.Text(), nullable=False),
        sa.Column("days", sa.SmallInteger(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("prescribed_by", sa.String(length=128), nullable=True),
        sa.Column("facility_id", sa.BigInteger(), nullable=True),
        sa.Column("self_started", sa.Boolean(), nullable=False),
        sa.Column("consent_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", _enum("medication_status", "ACTIVE", "STOPPED"), nullable=False),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("days BETWEEN 1 AND 30", name=op.f("ck_medication_orders_days_range")),
        sa.ForeignKeyConstraint(
            ["drug_code"], ["drugs.code"], name=op.f("fk_medication_orders_drug_code_drugs")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_medication_orders_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_medication_orders_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_orders")),
        sa.UniqueConstraint(
            "recorded_by",
            "idempotency_key",
            name=op.f("uq_medication_orders_recorded_by_idempotency_key"),
        ),
    )
    op.create_index("ix_medication_orders_patient_id", "medication_orders", ["patient_id", "id"])
    op.create_index("ix_medication_orders_created_at", "medication_orders", ["created_at"])
    op.create_table(
        "adverse_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("medication_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("reported_by", sa.String(length=128), nullable=False),
        sa.Column(
            "reported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["medication_id"],
            ["medication_orders.id"],
            name=op.f("fk_adverse_events_medication_id_medication_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_events")),
    )
    op.create_index("ix_adverse_events_medication_id", "adverse_events", ["medication_id", "id"])
    op.add_column("patients", sa.Column("adverse_follow_up_until", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("patients", "adverse_follow_up_until")
    op.drop_table("adverse_events")
    op.drop_table("medication_orders")
    op.drop_table("drugs")
