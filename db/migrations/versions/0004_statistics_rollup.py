"""Statistics rollup: triggers append a delta row for every counted event, and for every
change of a patient's (status, severity, tier), in the same transaction as the write; a
background fold sums them into `daily_counts` (per area at every level, per local day) and
`current_counts` (per area, now). The rollup is filled by `db.rollup.ensure` on startup.
Indexes for the figures still computed from the tables: review and occupancy.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AREA_CODE = sa.String(8)

# A patient counts as a new case when confirmed, and as recovered or a death when
# discharged so (events of a day), and in its current (status, severity, tier) bucket
# (no day: `at` is null); `sign` adds (+1) or retracts (-1) all that.
PATIENT_DELTAS = """
CREATE FUNCTION f0care_patient_deltas(p patients, sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO statistics_deltas
    (at, metric, commune_code, district_code, province_code, delta)
  SELECT e.at, e.metric, p.home_commune_code, p.home_district_code, p.home_province_code, sign
  FROM (VALUES
    (p.confirmed_at, 'new_cases'),
    (CASE WHEN p.discharge_outcome = 'RECOVERED' THEN p.discharged_at END, 'recovered'),
    (CASE WHEN p.discharge_outcome = 'DECEASED' THEN p.discharged_at END, 'deaths')
  ) AS e(at, metric) WHERE e.at IS NOT NULL
  UNION ALL
  SELECT NULL, 'now:' || p.status || ':' || coalesce(p.severity, '') || ':' || p.tier,
         p.home_commune_code, p.home_district_code, p.home_province_code, sign
$$"""

# Each trigger appends (time, metric, home commune/district/province, +1 or -1).
FUNCTIONS = {
    "f0care_count_patient": """
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        PERFORM f0care_patient_deltas(OLD, -1);
      END IF;
      IF TG_OP <> 'DELETE' THEN
        PERFORM f0care_patient_deltas(NEW, 1);
      END IF;
      RETURN NULL;
    END""",
    "f0care_count_declaration": """
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        INSERT INTO statistics_deltas
          (at, metric, commune_code, district_code, province_code, delta)
        VALUES (OLD.created_at, 'declarations:' || OLD.status,
                OLD.commune_code, OLD.district_code, OLD.province_code, -1);
      END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO statistics_deltas
          (at, metric, commune_code, district_code, province_code, delta)
        VALUES (NEW.created_at, 'declarations:' || NEW.status,
                NEW.commune_code, NEW.district_code, NEW.province_code, 1);
      END IF;
      RETURN NULL;
    END""",
    # reports, transfers and alerts count for the patient's home (which never changes)
    "f0care_count_patient_event": """
    DECLARE
      r record;
      sign integer := CASE WHEN TG_OP = 'DELETE' THEN -1 ELSE 1 END;
    BEGIN
      r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      INSERT INTO statistics_deltas
          (at, metric, commune_code, district_code, province_code, delta)
      SELECT (to_jsonb(r) ->> TG_ARGV[1])::timestamptz, TG_ARGV[0],
             p.home_commune_code, p.home_district_code, p.home_province_code, sign
      FROM patients p WHERE p.id = r.patient_id;
      RETURN NULL;
    END""",
}

PATIENT_COUNTED = (
    "confirmed_at",
    "discharged_at",
    "discharge_outcome",
    "home_commune_code",
    "status",
    "severity",
    "tier",
)
TRIGGERS = [
    # (table, events, function, arguments, condition)
    ("patients", "INSERT OR DELETE", "f0care_count_patient", "", None),
    (
        "patients",
        f"UPDATE OF {', '.join(PATIENT_COUNTED)}",
        "f0care_count_patient",
        "",
        f"({', '.join('OLD.' + c for c in PATIENT_COUNTED)}) IS DISTINCT FROM "
        f"({', '.join('NEW.' + c for c in PATIENT_COUNTED)})",
    ),
    ("declarations", "INSERT OR DELETE", "f0care_count_declaration", "", None),
    (
        "declarations",
        "UPDATE OF status, created_at, commune_code",
        "f0care_count_declaration",
        "",
        "(OLD.status, OLD.created_at, OLD.commune_code) "
        "IS DISTINCT FROM (NEW.status, NEW.created_at, NEW.commune_code)",
    ),
    (
        "health_reports",
        "INSERT OR DELETE",
        "f0care_count_patient_event",
        "'reports', 'reported_at'",
        None,
    ),
    (
        "transfers",
        "INSERT OR DELETE",
        "f0care_count_patient_event",
        "'transfers', 'requested_at'",
        None,
    ),
    ("alerts", "INSERT OR DELETE", "f0care_count_patient_event", "'alerts', 'raised_at'", None),
]


# (name, table, columns, included columns)
INDEXES = [
    (
        "ix_declarations_province_created",
        "declarations",
        ["province_code", "created_at"],
        ["reviewed_at"],
    ),
    ("ix_declarations_created", "declarations", ["created_at"], ["reviewed_at"]),
    ("ix_patients_facility_status", "patients", ["facility_id", "status"], []),
]


def _trigger_name(table: str, events: str) -> str:
    return f"{table}_statistics_{events.split()[0].lower()}"


def upgrade() -> None:
    op.create_table(
        "statistics_deltas",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("metric", sa.String(48), nullable=False),
        sa.Column("commune_code", AREA_CODE, nullable=False),
        sa.Column("district_code", AREA_CODE, nullable=False),
        sa.Column("province_code", AREA_CODE, nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_deltas")),
    )
    op.create_table(
        "daily_counts",
        sa.Column("area_code", AREA_CODE, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(48), nullable=False),
        sa.Column("parent_code", AREA_CODE, nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("area_code", "day", "metric", name=op.f("pk_daily_counts")),
    )
    op.create_index("ix_daily_counts_parent_day", "daily_counts", ["parent_code", "day", "metric"])
    op.create_table(
        "current_counts",
        sa.Column("area_code", AREA_CODE, nullable=False),
        sa.Column("metric", sa.String(48), nullable=False),
        sa.Column("parent_code", AREA_CODE, nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("area_code", "metric", name=op.f("pk_current_counts")),
    )
    op.create_index("ix_current_counts_parent", "current_counts", ["parent_code", "metric"])
    for name, table, columns, include in INDEXES:
        op.create_index(name, table, columns, postgresql_include=include)
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.CheckConstraint("id", name=op.f("ck_rollup_state_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_state")),
    )
    op.execute(PATIENT_DELTAS)
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
    for table, events, function, args, condition in TRIGGERS:
        when = f"WHEN ({condition}) " if condition else ""
        op.execute(
            f"CREATE TRIGGER {_trigger_name(table, events)} AFTER {events} ON {table} "
            f"FOR EACH ROW {when}EXECUTE FUNCTION {function}({args})"
        )


def downgrade() -> None:
    for table, events, _, _, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER {_trigger_name(table, events)} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
    op.execute("DROP FUNCTION f0care_patient_deltas(patients, integer)")
    for name, table, _, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("rollup_state")
    op.drop_index("ix_current_counts_parent", table_name="current_counts")
    op.drop_table("current_counts")
    op.drop_index("ix_daily_counts_parent_day", table_name="daily_counts")
    op.drop_table("daily_counts")
    op.drop_table("statistics_deltas")
