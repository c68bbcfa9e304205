"""Audit rows say where their actor worked at the time ("area:<code>" or
"facility:<id>"), so that a citizen can learn which organisation read their record without
learning who; and an index to find the rows about given records.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("organisation", sa.String(length=40), nullable=True))
    op.create_index("ix_audit_log_entity_ids", "audit_log", ["entity_ids"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_audit_log_entity_ids", table_name="audit_log")
    op.drop_column("audit_log", "organisation")
