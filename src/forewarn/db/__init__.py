"""Engine and session factory, the declarative Base, and Alembic migrations."""

from forewarn.db.base import Base, JSONType, utcnow_ts
from forewarn.db.engine import Database, make_engine
from forewarn.db.migrate import migrate

__all__ = ["Base", "Database", "JSONType", "make_engine", "migrate", "utcnow_ts"]
