"""The declarative Base every area's tables derive from, with shared column helpers."""

from __future__ import annotations

import time

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow_ts() -> float:
    return time.time()
