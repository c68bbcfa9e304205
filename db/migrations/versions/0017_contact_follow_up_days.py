"""A contact's quarantine day by day, as rows: generated from the contact rule when the
contact is listed and kept current as checks and tests are recorded, so that
`Contact.followUps` is read like every other list. Existing contacts get theirs from the
rule they were listed under (vn-moh-2021-12-contacts: 7 days, tests on days 1 and 7; the
day of a test in Viet Nam's time).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_follow_up_days",
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("day_number", sa.SmallInteger(), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("test_due", sa.Boolean(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("tested", sa.Boolean(), nullable=False),
        sa.Column("symptoms", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_follow_up_days_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("contact_id", "day_number", name=op.f("pk_contact_follow_up_days")),
    )
    op.execute(
        """
        INSERT INTO contact_follow_up_days
            (contact_id, day_number, on_day, test_due, checked, tested, symptoms)
        SELECT c.id, n, c.last_exposure_on + n - 1, n IN (1, 7),
               EXISTS (SELECT 1 FROM contact_follow_ups f
                       WHERE f.contact_id = c.id AND f.checked_on = c.last_exposure_on + n - 1),
               EXISTS (SELECT 1 FROM test_results t
                       WHERE t.contact_id = c.id
                         AND (t.taken_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                             = c.last_exposure_on + n - 1),
               COALESCE((SELECT f.symptoms FROM contact_follow_ups f
                         WHERE f.contact_id = c.id AND f.checked_on = c.last_exposure_on + n - 1
                         ORDER BY f.id DESC LIMIT 1), '{}')
        FROM contacts c CROSS JOIN generate_series(1, 7) AS n
        """
    )


def downgrade() -> None:
    op.drop_table("contact_follow_up_days")
