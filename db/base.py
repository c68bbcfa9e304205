"""Declarative base and column helpers shared by the models."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every f0care table."""

    metadata = MetaData(naming_convention=NAMING)


def enum_column(enum: type[Enum], name: str) -> SAEnum:
    """A text column constrained to an enum's values (no PostgreSQL ENUM type to migrate)."""
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def now_column() -> Mapped[datetime]:
    """A `timestamptz` column that defaults to the transaction time."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
