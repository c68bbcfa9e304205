"""The treatment record: follow-up tests, vaccinations and comorbidities as rows, the
clinical profile (pregnant, breastfeeding), and where each patient stands against the
release rule (`domain/release.py`).

Existing patients: comorbidities move from the array column to rows; the positive test
of each verified declaration becomes the patient's first test result; day 1 of isolation
is that test's day (else the local day of confirmation), and release needs a test on or
after day 7 (no follow-up test was recorded before this revision).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


ROLES = (
    "CITIZEN", "SCREENING_STAFF", "LOCAL_OFFICIAL", "HEALTH_STAFF", "HOSPITAL_STAFF",
    "MANAGER", "ANALYST", "ADMIN",
)  # fmt: skip


# A patient inserted without its release columns (bulk loads: the demo, the benchmark
# data, test factories) starts as `vn-moh-2022-release` has it with no test yet: day 1 is
# the local day of confirmation, a test is needed from day 7. Every later change is
# computed by domain/release.py.
RELEASE_DEFAULTS = """
CREATE FUNCTION f0care_patient_release_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.isolation_started_on := COALESCE(
    NEW.isolation_started_on, CAST(NEW.confirmed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date));
  NEW.earliest_release_on := COALESCE(NEW.earliest_release_on, NEW.isolation_started_on + 6);
  IF NEW.release_rule_set IS NULL THEN
    NEW.release_rule_set := 'vn-moh-2022-release';
    NEW.required_test := 'RAPID_ANTIGEN';
  END IF;
  RETURN NEW;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "comorbidities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_comorbidities_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comorbidities")),
    )
    op.create_index("ix_comorbidities_patient_id", "comorbidities", ["patient_id", "id"])
    op.create_table(
        "vaccinations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("vaccine", sa.Text(), nullable=False),
        sa.Column("dose_number", sa.SmallInteger(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "dose_number BETWEEN 1 AND 10", name=op.f("ck_vaccinations_dose_number_range")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_vaccinations_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vaccinations")),
    )
    op.create_index("ix_vaccinations_patient_id", "vaccinations", ["patient_id", "id"])
    op.create_table(
        "test_results",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", _enum("test_kind", "RAPID_ANTIGEN", "PCR"), nullable=False),
        sa.Column(
            "result", _enum("test_outcome", "POSITIVE", "NEGATIVE", "INVALID"), nullable=False
        ),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ct_value", sa.Numeric(4, 1), nullable=True),
        sa.Column(
            "supervision",
            _enum("test_supervision", "STAFF", "SELF_SUPERVISED", "SELF"),
            nullable=False,
        ),
        sa.Column("facility_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_role", _enum("role", *ROLES), nullable=False),
        sa.Column("confirmed_by", sa.String(length=128), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "ct_value BETWEEN 0 AND 50", name=op.f("ck_test_results_ct_value_range")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_test_results_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_test_results_facility_id_facilities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_results")),
        sa.UniqueConstraint(
            "recorded_by",
            "idempotency_key",
            name=op.f("uq_test_results_recorded_by_idempotency_key"),
        ),
    )
    op.create_index("ix_test_results_patient_id", "test_results", ["patient_id", "id"])

    false = sa.text("false")
    op.add_column(
        "patients", sa.Column("pregnant", sa.Boolean(), server_default=false, nullable=False)
    )
    op.add_column(
        "patients", sa.Column("breastfeeding", sa.Boolean(), server_default=false, nullable=False)
    )
    for name in ("isolation_started_on", "earliest_release_on", "release_due_on"):
        op.add_column("patients", sa.Column(name, sa.Date(), nullable=True))
    op.add_column(
        "patients", sa.Column("required_test", _enum("test_kind", "RAPID_ANTIGEN", "PCR"))
    )
    op.add_column("patients", sa.Column("release_rule_set", sa.String(length=32), nullable=True))
    op.add_column("patients", sa.Column("discharge_override_reason", sa.Text(), nullable=True))

    op.execute(
        "INSERT INTO comorbidities (patient_id, name) "
        "SELECT id, unnest(comorbidities) FROM patients ORDER BY id"
    )
    op.drop_column("patients", "comorbidities")
    op.execute(
        """
        INSERT INTO test_results (patient_id, kind, result, taken_at, supervision, facility_id,
            recorded_by, recorded_role, confirmed_by, confirmed_at)
        SELECT d.patient_id, d.test_kind, 'POSITIVE',
            (d.tested_on + time '12:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
            CASE WHEN d.facility_id IS NULL THEN 'SELF' ELSE 'STAFF' END, d.facility_id,
            d.submitted_by,
            CASE WHEN d.kind = 'HOSPITAL_SCREENING' THEN 'SCREENING_STAFF' ELSE 'CITIZEN' END,
            d.reviewed_by, d.reviewed_at
        FROM declarations d WHERE d.status = 'VERIFIED' AND d.patient_id IS NOT NULL
        ORDER BY d.id
        """
    )
    op.execute(
        """
        UPDATE patients p SET isolation_started_on = COALESCE(
            (SELECT min(CAST(t.taken_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date))
             FROM test_results t WHERE t.patient_id = p.id AND t.result = 'POSITIVE'),
            CAST(p.confirmed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date))
        """
    )
    op.execute(
        "UPDATE patients SET earliest_release_on = isolation_started_on + 6, "
        "required_test = 'RAPID_ANTIGEN', release_rule_set = 'vn-moh-2022-release'"
    )
    for name in ("isolation_started_on", "earliest_release_on", "release_rule_set"):
        op.alter_column("patients", name, nullable=False)
    op.create_index(
        "ix_patients_commune_release_due", "patients", ["home_commune_code", "release_due_on"]
    )
    op.execute(RELEASE_DEFAULTS)
    op.execute(
        "CREATE TRIGGER patients_release_defaults BEFORE INSERT ON patients "
        "FOR EACH ROW EXECUTE FUNCTION f0care_patient_release_defaults()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER patients_release_defaults ON patients")
    op.execute("DROP FUNCTION f0care_patient_release_defaults()")
    op.drop_index("ix_patients_commune_release_due", table_name="patients")
    op.add_column(
        "patients",
        sa.Column("comorbidities", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.execute(
        "UPDATE patients p SET comorbidities = c.names FROM (SELECT patient_id, "
        "array_agg(name ORDER BY id) AS names FROM comorbidities GROUP BY patient_id) c "
        "WHERE c.patient_id = p.id"
    )
    for name in (
        "discharge_override_reason", "release_rule_set", "required_test", "release_due_on",
        "earliest_release_on", "isolation_started_on", "breastfeeding", "pregnant",
    ):  # fmt: skip
        op.drop_column("patients", name)
    op.drop_table("test_results")
    op.drop_table("vaccinations")
    op.drop_table("comorbidities")
