"""Contacts of contacts, a contact's own app account, and contacts lost to follow-up:
the key of a contact-of-contact row (retries), the one-time link code (hashed) staff give a
contact so that their app can report for them, and indexes for both lookups.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("link_code_hash", sa.String(length=64), nullable=True))
    op.add_column(
        "contacts", sa.Column("link_code_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("contacts", sa.Column("idempotency_key", sa.String(length=128), nullable=True))
    op.create_unique_constraint(
        op.f("uq_contacts_created_by_idempotency_key"),
        "contacts",
        ["created_by", "idempotency_key"],
    )
    op.create_index("ix_contacts_source_contact_id", "contacts", ["source_contact_id"])
    op.create_index("ix_contacts_citizen_subject", "contacts", ["citizen_subject"])
    op.create_index(
        "uq_contacts_link_code_hash",
        "contacts",
        ["link_code_hash"],
        unique=True,
        postgresql_where=sa.text("link_code_hash IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_contacts_link_code_hash", table_name="contacts")
    op.drop_index("ix_contacts_citizen_subject", table_name="contacts")
    op.drop_index("ix_contacts_source_contact_id", table_name="contacts")
    op.drop_constraint(op.f("uq_contacts_created_by_idempotency_key"), "contacts", type_="unique")
    op.drop_column("contacts", "idempotency_key")
    op.drop_column("contacts", "link_code_expires_at")
    op.drop_column("contacts", "link_code_hash")
