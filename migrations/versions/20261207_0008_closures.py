"""Closures, and the database refusing an active booking that overlaps one of its room.

A closure is one room's, of any length. No exclusion constraint spans two tables, so triggers
guard both sides: a booking written active into a closure of its room is refused
(`bookings_not_in_closures`), and so is a closure written over an active booking of its room
(`closures_over_no_booking`).

PostgreSQL: each trigger function first locks the room's row (FOR NO KEY UPDATE, as the
service's writers of a room do), then looks. Concurrent writers of one room queue on that
row; under READ COMMITTED each statement of a PL/pgSQL function takes a fresh snapshot, so the
look that follows the lock sees whatever the writer before committed: no interleaving can
leave both a closure and an active booking over the same time. (Under REPEATABLE READ or
SERIALIZABLE the look would use the transaction's first snapshot; the service runs READ
COMMITTED.) SQLite's write transactions begin IMMEDIATE and run one at a time, so its triggers
only look.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = sa.DateTime(timezone=True)
CLOSED = "bookings_not_in_closures"
OVER = "closures_over_no_booking"
ACTIVE = "('PENDING', 'APPROVED')"
# An UPDATE matters only when it makes a booking active, or moves an active one.
MOVED_OR_ACTIVATED = (
    f"OLD.status NOT IN {ACTIVE} OR OLD.room_id <> NEW.room_id "
    "OR OLD.starts_at <> NEW.starts_at OR OLD.ends_at <> NEW.ends_at"
)

POSTGRES_FUNCTIONS = {
    CLOSED: f"""
        BEGIN
            PERFORM 1 FROM rooms WHERE id = NEW.room_id FOR NO KEY UPDATE;
            IF EXISTS (
                SELECT 1 FROM closures
                WHERE closures.room_id = NEW.room_id
                  AND closures.ends_at > NEW.starts_at
                  AND closures.starts_at < NEW.ends_at
            ) THEN
                RAISE EXCEPTION '{CLOSED}' USING ERRCODE = 'exclusion_violation';
            END IF;
            RETURN NEW;
        END
    """,
    # A booking lasts at most a day (revision 0003): one overlapping the closure starts less
    # than a day before it, which bounds the scan of the (room_id, starts_at) index.
    OVER: f"""
        BEGIN
            PERFORM 1 FROM rooms WHERE id = NEW.room_id FOR NO KEY UPDATE;
            IF EXISTS (
                SELECT 1 FROM bookings
                WHERE bookings.room_id = NEW.room_id
                  AND bookings.status IN {ACTIVE}
                  AND bookings.starts_at >= NEW.starts_at - interval '24 hours'
                  AND bookings.starts_at < NEW.ends_at
                  AND bookings.ends_at > NEW.starts_at
            ) THEN
                RAISE EXCEPTION '{OVER}' USING ERRCODE = 'exclusion_violation';
            END IF;
            RETURN NEW;
        END
    """,
}

SQLITE_CLOSED = f"""
    SELECT RAISE(ABORT, '{CLOSED}')
    WHERE EXISTS (
        SELECT 1 FROM closures
        WHERE closures.room_id = NEW.room_id
          AND closures.ends_at > NEW.starts_at
          AND closures.starts_at < NEW.ends_at
    );
"""
# datetime() drops the fraction of a second, so the bound errs on the inclusive side.
SQLITE_OVER = f"""
    SELECT RAISE(ABORT, '{OVER}')
    WHERE EXISTS (
        SELECT 1 FROM bookings
        WHERE bookings.room_id = NEW.room_id
          AND bookings.status IN {ACTIVE}
          AND bookings.starts_at >= datetime(NEW.starts_at, '-1 day')
          AND bookings.starts_at < NEW.ends_at
          AND bookings.ends_at > NEW.starts_at
    );
"""


def upgrade() -> None:
    op.create_table(
        "closures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", Instant, nullable=False),
        sa.Column("ends_at", Instant, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name="ck_closures_period_order"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_closures_room_id_rooms"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_closures_created_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_closures"),
    )
    op.create_index("ix_closures_room_id_ends_at", "closures", ["room_id", "ends_at"])
    op.create_index("ix_closures_starts_at", "closures", ["starts_at"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_guards()
    else:
        _sqlite_guards()


def _postgres_guards() -> None:
    for name, body in POSTGRES_FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $guard${body}$guard$"
        )
    op.execute(
        f"""
        CREATE TRIGGER {CLOSED}_insert BEFORE INSERT ON bookings
        FOR EACH ROW WHEN (NEW.status IN {ACTIVE}) EXECUTE FUNCTION {CLOSED}()
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER {CLOSED}_update BEFORE UPDATE ON bookings
        FOR EACH ROW WHEN (NEW.status IN {ACTIVE} AND ({MOVED_OR_ACTIVATED}))
        EXECUTE FUNCTION {CLOSED}()
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER {OVER} BEFORE INSERT OR UPDATE ON closures
        FOR EACH ROW EXECUTE FUNCTION {OVER}()
        """
    )


def _sqlite_guards() -> None:
    op.execute(
        f"""
        CREATE TRIGGER {CLOSED}_insert BEFORE INSERT ON bookings
        WHEN NEW.status IN {ACTIVE}
        BEGIN {SQLITE_CLOSED} END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER {CLOSED}_update BEFORE UPDATE ON bookings
        WHEN NEW.status IN {ACTIVE} AND ({MOVED_OR_ACTIVATED})
        BEGIN {SQLITE_CLOSED} END
        """
    )
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"""
            CREATE TRIGGER {OVER}_{event.lower()} BEFORE {event} ON closures
            BEGIN {SQLITE_OVER} END
            """
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {CLOSED}_insert ON bookings")
        op.execute(f"DROP TRIGGER {CLOSED}_update ON bookings")
        op.drop_table("closures")  # its trigger goes with it
        for name in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
        return
    op.execute(f"DROP TRIGGER {CLOSED}_insert")
    op.execute(f"DROP TRIGGER {CLOSED}_update")
    op.drop_table("closures")  # its triggers go with it
