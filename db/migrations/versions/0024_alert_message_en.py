"""Alerts keep their text in English too (`message` stays the Vietnamese one); alerts
raised before this have none, and read their Vietnamese text in every language.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("message_en", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("alerts", "message_en")
