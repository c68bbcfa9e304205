"""Alembic environment: always runs on a connection handed over by db.migrate."""

from __future__ import annotations

from alembic import context

from db.base import Base
from db.models import AuditEntry  # noqa: F401 - importing the models registers every table

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `f0care migrate`, which supplies the connection")

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
