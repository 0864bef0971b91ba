"""Run the Alembic revisions from code: the `migrate` command and the tests use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


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
