"""Alembic environment: migrates the connection handed in, or one made from the URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import forewarn.schema  # noqa: F401 - registers every area's tables on Base.metadata
from forewarn.db.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.begin() as conn:
        _migrate(conn)


def _migrate(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
