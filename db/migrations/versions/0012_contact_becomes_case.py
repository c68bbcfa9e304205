"""A close contact's positive test becomes a declaration of kind CONTACT_TEST, linked to
the contact.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KINDS = "'SELF_TEST', 'HOSPITAL_SCREENING', 'CONTACT_TEST'"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_declarations_declaration_kind"), "declarations", type_="check")
    op.create_check_constraint(
        op.f("ck_declarations_declaration_kind"), "declarations", f"kind IN ({KINDS})"
    )
    op.add_column("declarations", sa.Column("contact_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_declarations_contact_id_contacts"), "declarations", "contacts",
        ["contact_id"], ["id"],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_constraint(op.f("fk_declarations_contact_id_contacts"), "declarations")
    op.drop_column("declarations", "contact_id")
    op.execute("DELETE FROM declarations WHERE kind = 'CONTACT_TEST'")
    op.drop_constraint(op.f("ck_declarations_declaration_kind"), "declarations", type_="check")
    op.create_check_constraint(
        op.f("ck_declarations_declaration_kind"), "declarations",
        "kind IN ('SELF_TEST', 'HOSPITAL_SCREENING')",
    )  # fmt: skip
