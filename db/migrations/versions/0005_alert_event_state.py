"""Each alert event keeps the alert as it was when the event was committed (status,
severity, escalation level, presses, who acknowledged it), so a replay shows the history
that happened, not the alert's state today. Existing events get the alert's current state:
their past is not known.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alert_events", sa.Column("alert_state", JSONB(), nullable=True))
    op.execute(
        "UPDATE alert_events e SET alert_state = to_jsonb(a) FROM alerts a WHERE a.id = e.alert_id"
    )
    op.alter_column("alert_events", "alert_state", nullable=False)


def downgrade() -> None:
    op.drop_column("alert_events", "alert_state")
