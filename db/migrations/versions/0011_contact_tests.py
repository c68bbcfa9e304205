"""Close contacts' tests (a test result is a patient's or a contact's) and the local day of
each follow-up check.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("test_results", sa.Column("contact_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_test_results_contact_id_contacts"), "test_results", "contacts",
        ["contact_id"], ["id"],
    )  # fmt: skip
    op.alter_column("test_results", "patient_id", nullable=True)
    op.create_check_constraint(
        op.f("ck_test_results_one_subject"),
        "test_results",
        "num_nonnulls(patient_id, contact_id) = 1",
    )
    op.create_index("ix_test_results_contact_id", "test_results", ["contact_id", "id"])
    op.add_column("contact_follow_ups", sa.Column("checked_on", sa.Date(), nullable=False))


def downgrade() -> None:
    op.drop_column("contact_follow_ups", "checked_on")
    op.drop_index("ix_test_results_contact_id", table_name="test_results")
    op.drop_constraint(op.f("ck_test_results_one_subject"), "test_results", type_="check")
    op.execute("DELETE FROM test_results WHERE patient_id IS NULL")
    op.alter_column("test_results", "patient_id", nullable=False)
    op.drop_constraint(op.f("fk_test_results_contact_id_contacts"), "test_results")
    op.drop_column("test_results", "contact_id")
