"""Booking series: a recurrence rule whose occurrences are bookings that name it.

A series keeps what it was asked with (its first occurrence, the rule, the dates left out) and
the occurrences it could not book, with why, as JSON text. Each occurrence is an ordinary
booking, so the overlap and closure guards hold for it unchanged; it names its series, the
start the series gave it, and whether it was changed on its own since. Bookings stored before
belong to no series.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "booking_series",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("recurrence", sa.String(length=500), nullable=False),
        sa.Column("exdates", sa.Text(), nullable=False),
        sa.Column("starts_at", Instant, nullable=False),
        sa.Column("ends_at", Instant, nullable=False),
        sa.Column("skipped", sa.Text(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name="ck_booking_series_slot_order"),
        sa.CheckConstraint("attendees > 0", name="ck_booking_series_attendees"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_booking_series_room_id_rooms"),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.id"], name="fk_booking_series_requester_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_booking_series"),
    )
    op.create_index(
        "ix_booking_series_requester_id_created_at",
        "booking_series",
        ["requester_id", "created_at"],
    )
    op.create_index(
        "ix_booking_series_room_id_created_at", "booking_series", ["room_id", "created_at"]
    )
    op.create_index("ix_booking_series_created_at_id", "booking_series", ["created_at", "id"])
    # ADD COLUMN in place on both databases: SQLite's batch mode would rebuild bookings and
    # lose the triggers that guard it (revisions 0003 and 0008).
    op.execute(
        "ALTER TABLE bookings ADD COLUMN series_id "
        + ("UUID" if op.get_bind().dialect.name == "postgresql" else "CHAR(32)")
        + " CONSTRAINT fk_bookings_series_id_booking_series REFERENCES booking_series (id)"
    )
    op.add_column("bookings", sa.Column("occurrence_start", Instant, nullable=True))
    op.add_column(
        "bookings",
        sa.Column("series_changed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # A series' occurrences, in order, read off this index rather than every booking.
    op.create_index("ix_bookings_series_id_starts_at", "bookings", ["series_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_bookings_series_id_starts_at", table_name="bookings")
    # In place on both databases (SQLite 3.35+): the column's inline REFERENCES goes with it,
    # and the triggers on bookings stay.
    op.drop_column("bookings", "series_changed")
    op.drop_column("bookings", "occurrence_start")
    op.drop_column("bookings", "series_id")
    op.drop_index("ix_booking_series_created_at_id", table_name="booking_series")
    op.drop_index("ix_booking_series_room_id_created_at", table_name="booking_series")
    op.drop_index("ix_booking_series_requester_id_created_at", table_name="booking_series")
    op.drop_table("booking_series")
