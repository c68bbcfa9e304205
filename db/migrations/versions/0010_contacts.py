"""Epidemiology: exposure places of cases ("mốc dịch tễ"), close contacts (F1) with the
cases they were exposed to, and their daily follow-up checks.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column(
            "sex",
            sa.Enum(
                "MALE",
                "FEMALE",
                "OTHER",
                name="sex",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("national_id", sa.String(length=12), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("commune_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=8), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "HOUSEHOLD",
                "WORKPLACE",
                "SCHOOL",
                "HEALTH_FACILITY",
                "SOCIAL",
                "TRAVEL",
                "OTHER",
                name="contact_relation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("last_exposure_on", sa.Date(), nullable=False),
        sa.Column("source_patient_id", sa.BigInteger(), nullable=True),
        sa.Column("source_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("quarantine_started_on", sa.Date(), nullable=False),
        sa.Column("quarantine_until", sa.Date(), nullable=False),
        sa.Column("quarantine_place", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "UNDER_FOLLOW_UP",
                "COMPLETED",
                "LOST_TO_FOLLOW_UP",
                "BECAME_CASE",
                name="contact_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("became_patient_id", sa.BigInteger(), nullable=True),
        sa.Column("citizen_subject", sa.String(length=128), nullable=True),
        sa.Column("rule_set", sa.String(length=32), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["became_patient_id"],
            ["patients.id"],
            name=op.f("fk_contacts_became_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["areas.code"], name=op.f("fk_contacts_commune_code_areas")
        ),
        sa.ForeignKeyConstraint(
            ["source_contact_id"],
            ["contacts.id"],
            name=op.f("fk_contacts_source_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["source_patient_id"],
            ["patients.id"],
            name=op.f("fk_contacts_source_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index("ix_contacts_commune_id", "contacts", ["commune_code", "id"], unique=False)
    op.create_index("ix_contacts_district_id", "contacts", ["district_code", "id"], unique=False)
    op.create_index("ix_contacts_national_id", "contacts", ["national_id"], unique=False)
    op.create_index("ix_contacts_phone_dob", "contacts", ["phone", "date_of_birth"], unique=False)
    op.create_index("ix_contacts_province_id", "contacts", ["province_code", "id"], unique=False)
    op.create_table(
        "exposures",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("area_code", sa.String(length=8), nullable=True),
        sa.Column("from_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("to_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "setting",
            sa.Enum(
                "HOUSEHOLD",
                "WORKPLACE",
                "HEALTH_FACILITY",
                "MARKET",
                "SCHOOL",
                "GATHERING",
                "TRAVEL",
                "OTHER",
                name="exposure_setting",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_code"], ["areas.code"], name=op.f("fk_exposures_area_code_areas")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_exposures_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposures")),
    )
    op.create_index("ix_exposures_patient_id", "exposures", ["patient_id", "id"], unique=False)
    op.create_table(
        "contact_follow_ups",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("symptoms", postgresql.ARRAY(Text()), server_default="{}", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_follow_ups_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_follow_ups")),
    )
    op.create_index(
        "ix_contact_follow_ups_contact_id", "contact_follow_ups", ["contact_id", "id"], unique=False
    )
    op.create_table(
        "contact_sources",
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "HOUSEHOLD",
                "WORKPLACE",
                "SCHOOL",
                "HEALTH_FACILITY",
                "SOCIAL",
                "TRAVEL",
                "OTHER",
                name="contact_relation",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("last_exposure_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_sources_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_contact_sources_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("contact_id", "patient_id", name=op.f("pk_contact_sources")),
        sa.UniqueConstraint(
            "created_by",
            "idempotency_key",
            name=op.f("uq_contact_sources_created_by_idempotency_key"),
        ),
    )
    op.create_index(
        "ix_contact_sources_patient_id", "contact_sources", ["patient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_contact_sources_patient_id", table_name="contact_sources")
    op.drop_table("contact_sources")
    op.drop_index("ix_contact_follow_ups_contact_id", table_name="contact_follow_ups")
    op.drop_table("contact_follow_ups")
    op.drop_index("ix_exposures_patient_id", table_name="exposures")
    op.drop_table("exposures")
    op.drop_index("ix_contacts_province_id", table_name="contacts")
    op.drop_index("ix_contacts_phone_dob", table_name="contacts")
    op.drop_index("ix_contacts_national_id", table_name="contacts")
    op.drop_index("ix_contacts_district_id", table_name="contacts")
    op.drop_index("ix_contacts_commune_id", table_name="contacts")
    op.drop_table("contacts")
