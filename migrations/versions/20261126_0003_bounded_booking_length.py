"""No booking lasts over 24 hours, so overlap checks look back at most a day.

An overlapping booking must then start less than 24 hours before the new one, which lets
the (room_id, starts_at) index bound every overlap scan: the SQLite triggers are rewritten to
say so, and their cost no longer grows with a room's history. PostgreSQL's exclusion
constraint already searches by range.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUARD = "bookings_no_overlap"
ACTIVE = "('PENDING', 'APPROVED')"
CHECK = "ck_bookings_at_most_a_day"


def _sqlite_triggers(lookback: str) -> None:
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"""
            CREATE TRIGGER {GUARD}_{event.lower()}
            BEFORE {event} ON bookings
            WHEN NEW.status IN {ACTIVE}
            BEGIN
                SELECT RAISE(ABORT, '{GUARD}')
                WHERE EXISTS (
                    SELECT 1 FROM bookings AS other
                    WHERE other.room_id = NEW.room_id
                      AND other.id <> NEW.id
                      AND other.status IN {ACTIVE}
                      AND other.starts_at < NEW.ends_at
                      {lookback}
                      AND NEW.starts_at < other.ends_at
                );
            END
            """
        )


def _drop_sqlite_triggers() -> None:
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER {GUARD}_{event}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            op.f(CHECK), "bookings", "ends_at - starts_at <= interval '24 hours'"
        )
        return
    # Rebuilding the table for the new CHECK drops its triggers: write them anew after.
    _drop_sqlite_triggers()
    with op.batch_alter_table("bookings") as batch:
        batch.create_check_constraint(  # named ck_bookings_at_most_a_day by the convention
            "at_most_a_day", sa.text("julianday(ends_at) - julianday(starts_at) <= 1")
        )
    # datetime() drops the fraction of a second, so the bound errs on the inclusive side.
    _sqlite_triggers("AND other.starts_at >= datetime(NEW.starts_at, '-1 day')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(CHECK), "bookings", type_="check")
        return
    _drop_sqlite_triggers()
    with op.batch_alter_table("bookings") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
    _sqlite_triggers("")
