"""A contact declared by the case itself waits for staff to confirm it; contacts listed by
staff (all of them so far) count as confirmed when listed.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE contacts SET confirmed_at = created_at")


def downgrade() -> None:
    op.drop_column("contacts", "confirmed_at")
