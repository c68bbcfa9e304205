"""The outbox of events for people: what happened to a citizen's case, for them, rendered
in Vietnamese and English, one per cause (`dedupe_key`), in id order.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KINDS = (
    "DECLARATION_VERIFIED", "DECLARATION_REJECTED", "SOS_ACKNOWLEDGED", "ALERT_RESOLVED",
    "TRANSFER_ACCEPTED", "TRANSFER_COMPLETED", "REPORT_REMINDER", "RELEASE_DUE", "DISCHARGED",
    "CONTACT_QUARANTINE_STARTED", "CONTACT_TEST_DUE",
)  # fmt: skip


def upgrade() -> None:
    kind = sa.Enum(
        *KINDS, name="person_event_kind", native_enum=False, create_constraint=True, length=32
    )
    op.create_table(
        "person_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", kind, nullable=False),
        sa.Column("citizen_subject", sa.String(length=128), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=8), nullable=True),
        sa.Column("commune_code", sa.String(length=8), nullable=False),
        sa.Column("case_code", sa.String(length=32), nullable=True),
        sa.Column("values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("message_vi", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_person_events_dedupe_key")),
    )
    op.create_index("ix_person_events_subject_id", "person_events", ["citizen_subject", "id"])
    op.create_index("ix_person_events_province_id", "person_events", ["province_code", "id"])


def downgrade() -> None:
    op.drop_index("ix_person_events_province_id", table_name="person_events")
    op.drop_index("ix_person_events_subject_id", table_name="person_events")
    op.drop_table("person_events")
