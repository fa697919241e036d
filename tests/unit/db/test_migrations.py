"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import forewarn.schema as schema
from forewarn.db import Database, migrate
from forewarn.db.migrate import alembic_config


def test_migrated_schema_matches_the_models(database_url):
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), schema.metadata)
        assert diff == [], f"models changed without a migration: {diff}"
    finally:
        db.dispose()


def test_migrate_is_idempotent(sqlite_url):
    db = Database(sqlite_url)
    migrate(db.engine)
    migrate(db.engine)
    with db.engine.connect() as conn:
        applied = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    assert applied == set(ScriptDirectory.from_config(alembic_config(sqlite_url)).get_heads())
    db.dispose()
