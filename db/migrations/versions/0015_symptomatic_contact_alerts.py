"""Alerts of kind SYMPTOMATIC_CONTACT: a close contact of the patient reported symptoms.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KINDS = "'SOS', 'VITAL_SIGNS', 'MISSED_REPORT'"


def _kinds(kinds: str) -> None:
    op.drop_constraint(op.f("ck_alerts_alert_kind"), "alerts", type_="check")
    op.create_check_constraint(op.f("ck_alerts_alert_kind"), "alerts", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds(f"{KINDS}, 'SYMPTOMATIC_CONTACT'")


def downgrade() -> None:
    op.execute(
        "DELETE FROM alert_events WHERE alert_id IN "
        "(SELECT id FROM alerts WHERE kind = 'SYMPTOMATIC_CONTACT')"
    )
    op.execute("DELETE FROM alerts WHERE kind = 'SYMPTOMATIC_CONTACT'")
    _kinds(KINDS)
