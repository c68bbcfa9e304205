"""Accounts run through the API: a phone number, a password to change at the next sign-in,
the version its tokens must carry (raised by a deactivation, a new role or area, a reset), when
an account was switched off, and when it last changed (server processes re-read changed
accounts from there).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("phone", sa.String(length=16), nullable=True))
    op.add_column(
        "users",
        sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.add_column(
        "users",
        sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "users",
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.create_index("ix_users_changed_at", "users", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_users_changed_at", table_name="users")
    for name in ("changed_at", "deactivated_at", "token_version", "must_change_password"):
        op.drop_column("users", name)
    op.drop_column("users", "phone")
