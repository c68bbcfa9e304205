"""Statistics of the treatment record: certificates issued and medication orders per
package, per local day, counted by triggers like the other events (migration 0004).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COUNT_MEDICATION = """
CREATE FUNCTION f0care_count_medication() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
  sign integer := CASE WHEN TG_OP = 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  INSERT INTO statistics_deltas (at, metric, commune_code, district_code, province_code, delta)
  SELECT r.created_at, 'medication_orders_' || lower(coalesce(r.package, 'none')),
         p.home_commune_code, p.home_district_code, p.home_province_code, sign
  FROM patients p WHERE p.id = r.patient_id;
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(
        "CREATE TRIGGER recovery_certificates_statistics_insert AFTER INSERT OR DELETE "
        "ON recovery_certificates FOR EACH ROW EXECUTE FUNCTION "
        "f0care_count_patient_event('certificates_issued', 'issued_at')"
    )
    op.execute(COUNT_MEDICATION)
    op.execute(
        "CREATE TRIGGER medication_orders_statistics_insert AFTER INSERT OR DELETE "
        "ON medication_orders FOR EACH ROW EXECUTE FUNCTION f0care_count_medication()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER medication_orders_statistics_insert ON medication_orders")
    op.execute("DROP FUNCTION f0care_count_medication()")
    op.execute("DROP TRIGGER recovery_certificates_statistics_insert ON recovery_certificates")
