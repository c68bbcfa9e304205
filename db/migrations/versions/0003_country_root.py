"""The country is the root area (level COUNTRY, code VN) above the 63 provinces, so
national staff and BI tools can be bound to it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_LEVELS = "'PROVINCE', 'DISTRICT', 'COMMUNE'"
NEW_LEVELS = "'COUNTRY', " + OLD_LEVELS


def _levels(allowed: str) -> None:
    op.drop_constraint(op.f("ck_areas_area_level"), "areas", type_="check")
    op.create_check_constraint("area_level", "areas", f"level IN ({allowed})")


def upgrade() -> None:
    _levels(NEW_LEVELS)
    op.alter_column("areas", "province_code", nullable=True)
    # a database with areas already loaded gets the root now (an empty one from load_areas)
    op.execute(
        "INSERT INTO areas (code, name, level, division_type, codename) "
        "SELECT 'VN', 'Việt Nam', 'COUNTRY', 'quốc gia', 'viet_nam' "
        "WHERE EXISTS (SELECT 1 FROM areas WHERE level = 'PROVINCE')"
    )
    op.execute(
        "UPDATE areas SET parent_code = 'VN' WHERE level = 'PROVINCE' "
        "AND EXISTS (SELECT 1 FROM areas WHERE code = 'VN')"
    )


def downgrade() -> None:
    op.execute("UPDATE areas SET parent_code = NULL WHERE level = 'PROVINCE'")
    op.execute("DELETE FROM areas WHERE level = 'COUNTRY'")
    op.alter_column("areas", "province_code", nullable=False)
    _levels(OLD_LEVELS)
