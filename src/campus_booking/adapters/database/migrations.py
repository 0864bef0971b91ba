"""Run the Alembic revisions from code: the `migrate` command (through `AlembicSchemaMigrator`)
and the tests use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from campus_booking.adapters.database import connection_failures
from campus_booking.domain.errors import Unavailable


def _project_file(name: str) -> Path:
    """`alembic.ini` lives at the project root: the working directory, or above this package."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[4]):
        if (root / name).exists():
            return root / name
    raise FileNotFoundError(f"{name} not found in {Path.cwd()} or the project checkout")


def alembic_config(database_url: str) -> Config:
    ini = _project_file("alembic.ini")
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrates to `revision`; returns the revisions the database was at before and after."""
    config = alembic_config(database_url)
    command.upgrade(config, revision)
    before, after = config.attributes.get("revisions", (None, None))
    return before, after


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


class AlembicSchemaMigrator:
    """The `SchemaMigrator` port: a set-up mistake is told in one line, anything else raises."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    def upgrade(self) -> tuple[str | None, str | None]:
        try:
            return upgrade(self._database_url)
        except Exception as error:
            problem = connection_failures.explain(error, self._database_url)
            if problem is None:
                raise
            raise Unavailable(problem) from error
