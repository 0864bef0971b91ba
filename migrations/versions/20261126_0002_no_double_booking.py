"""The database refuses double bookings: an exclusion constraint or triggers.

Two active (PENDING or APPROVED) bookings of one room may not overlap, with slots half-open
`[starts_at, ends_at)`. PostgreSQL says so with an exclusion constraint over `tstzrange`;
SQLite, whose write transactions begin IMMEDIATE and so run one at a time, with triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUARD = "bookings_no_overlap"
ACTIVE = "('PENDING', 'APPROVED')"

SQLITE_CLASH = f"""
    SELECT RAISE(ABORT, '{GUARD}')
    WHERE EXISTS (
        SELECT 1 FROM bookings AS other
        WHERE other.room_id = NEW.room_id
          AND other.id <> NEW.id
          AND other.status IN {ACTIVE}
          AND other.starts_at < NEW.ends_at
          AND NEW.starts_at < other.ends_at
    );
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"""
            ALTER TABLE bookings ADD CONSTRAINT {GUARD}
            EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
            WHERE (status IN {ACTIVE})
            """
        )
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"""
                CREATE TRIGGER {GUARD}_{event.lower()}
                BEFORE {event} ON bookings
                WHEN NEW.status IN {ACTIVE}
                BEGIN {SQLITE_CLASH} END
                """
            )
    op.create_index("ix_bookings_starts_at", "bookings", ["starts_at"])


def downgrade() -> None:
    op.drop_index("ix_bookings_starts_at", table_name="bookings")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT {GUARD}")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER {GUARD}_{event}")
