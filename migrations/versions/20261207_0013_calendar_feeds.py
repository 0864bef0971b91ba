"""Calendar feeds, and what a calendar app reads of a booking: its sequence and last change.

A feed is a secret URL, kept as the hash of its token, for one's own bookings ('mine') or one
room's ('room'). A booking counts its changes (a calendar's SEQUENCE) and keeps when it last
changed; bookings stored before never changed, as far as a calendar can tell: 0 and NULL.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("scope IN ('mine', 'room')", name="ck_calendar_feeds_scope"),
        sa.CheckConstraint(
            "(scope = 'room') = (room_id IS NOT NULL)", name="ck_calendar_feeds_room_of_scope"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_calendar_feeds_owner_id_users"
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_calendar_feeds_room_id_rooms"),
        sa.PrimaryKeyConstraint("id", name="pk_calendar_feeds"),
        sa.UniqueConstraint("token_hash", name="uq_calendar_feeds_token_hash"),
    )
    op.create_index(
        "ix_calendar_feeds_owner_id_created_at", "calendar_feeds", ["owner_id", "created_at"]
    )
    # ADD COLUMN in place on both databases: SQLite's batch mode would rebuild bookings and
    # lose the triggers that guard it (revisions 0003 and 0008). The CHECK is the column's
    # own, so SQLite can drop the column with it.
    op.execute(
        "ALTER TABLE bookings ADD COLUMN sequence INTEGER DEFAULT 0 NOT NULL"
        " CONSTRAINT ck_bookings_sequence CHECK (sequence >= 0)"
    )
    op.add_column("bookings", sa.Column("updated_at", Instant, nullable=True))


def downgrade() -> None:
    # In place on both databases (SQLite 3.35+): the column's CHECK goes with it, and the
    # triggers on bookings stay.
    op.drop_column("bookings", "updated_at")
    op.drop_column("bookings", "sequence")
    op.drop_index("ix_calendar_feeds_owner_id_created_at", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
