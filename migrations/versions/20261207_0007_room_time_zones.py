"""Rooms get a time zone: the IANA zone their local-time rules are evaluated in.

Rooms stored before take the campus zone (CAMPUS_BOOKING_TIME_ZONE when this revision runs,
else UTC); staff can set each room's own zone afterwards.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


rooms = sa.table("rooms", sa.column("time_zone", sa.String))


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: SQLite's batch mode would rebuild the table and
    # lose the index on lower(name), which it cannot reflect.
    op.add_column(
        "rooms", sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC")
    )
    campus_zone = os.environ.get("CAMPUS_BOOKING_TIME_ZONE") or "UTC"
    if campus_zone != "UTC":
        op.execute(rooms.update().values(time_zone=campus_zone))


def downgrade() -> None:
    op.drop_column("rooms", "time_zone")  # SQLite 3.35+ drops a column in place
