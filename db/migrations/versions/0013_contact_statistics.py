"""When a contact became a case, counted per local day by a trigger like the other events
(migration 0004): the statistics' contactsBecameCases.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COUNT_CONTACT = """
CREATE FUNCTION f0care_count_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.became_case_at IS NOT NULL THEN
    INSERT INTO statistics_deltas (at, metric, commune_code, district_code, province_code, delta)
    VALUES (OLD.became_case_at, 'contacts_became_cases', OLD.commune_code, OLD.district_code,
            OLD.province_code, -1);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.became_case_at IS NOT NULL THEN
    INSERT INTO statistics_deltas (at, metric, commune_code, district_code, province_code, delta)
    VALUES (NEW.became_case_at, 'contacts_became_cases', NEW.commune_code, NEW.district_code,
            NEW.province_code, 1);
  END IF;
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.add_column(
        "contacts", sa.Column("became_case_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(COUNT_CONTACT)
    op.execute(
        "CREATE TRIGGER contacts_statistics_insert AFTER INSERT OR DELETE ON contacts "
        "FOR EACH ROW EXECUTE FUNCTION f0care_count_contact()"
    )
    op.execute(
        "CREATE TRIGGER contacts_statistics_update AFTER UPDATE OF became_case_at, commune_code "
        "ON contacts FOR EACH ROW WHEN ((OLD.became_case_at, OLD.commune_code) IS DISTINCT FROM "
        "(NEW.became_case_at, NEW.commune_code)) EXECUTE FUNCTION f0care_count_contact()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER contacts_statistics_update ON contacts")
    op.execute("DROP TRIGGER contacts_statistics_insert ON contacts")
    op.execute("DROP FUNCTION f0care_count_contact()")
    op.drop_column("contacts", "became_case_at")
