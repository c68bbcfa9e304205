"""Alert events record the escalation level reached; SOS presses on an open alert are
REPEATED events.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_TYPES = "'CREATED', 'ACKNOWLEDGED', 'RESOLVED', 'ESCALATED'"
NEW_TYPES = OLD_TYPES + ", 'REPEATED'"


def upgrade() -> None:
    op.add_column(
        "alert_events",
        sa.Column("escalation_level", sa.String(32), server_default="COMMUNE", nullable=False),
    )
    op.create_check_constraint(
        "area_level", "alert_events", "escalation_level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')"
    )
    op.execute(
        "UPDATE alert_events e SET escalation_level = a.escalation_level FROM alerts a "
        "WHERE e.alert_id = a.id AND e.type <> 'CREATED'"
    )
    op.drop_constraint(op.f("ck_alert_events_alert_event_type"), "alert_events", type_="check")
    op.create_check_constraint("alert_event_type", "alert_events", f"type IN ({NEW_TYPES})")


def downgrade() -> None:
    op.execute("DELETE FROM alert_events WHERE type = 'REPEATED'")
    op.drop_constraint(op.f("ck_alert_events_alert_event_type"), "alert_events", type_="check")
    op.create_check_constraint("alert_event_type", "alert_events", f"type IN ({OLD_TYPES})")
    op.drop_constraint(op.f("ck_alert_events_area_level"), "alert_events", type_="check")
    op.drop_column("alert_events", "escalation_level")
