"""Opening hours: each room's weekly windows and the dates whose hours replace them.

A room without rows is open at all times, so existing rooms keep taking bookings.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opening_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("opens", sa.SmallInteger(), nullable=True),
        sa.Column("closes", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint(
            "(weekday IS NULL) <> (on_date IS NULL)", name="ck_opening_hours_weekday_or_date"
        ),
        sa.CheckConstraint(
            "weekday IS NULL OR weekday BETWEEN 1 AND 7", name="ck_opening_hours_weekday"
        ),
        sa.CheckConstraint(
            "(opens IS NULL) = (closes IS NULL)", name="ck_opening_hours_window_whole"
        ),
        sa.CheckConstraint(
            "weekday IS NULL OR opens IS NOT NULL", name="ck_opening_hours_weekly_window"
        ),
        sa.CheckConstraint(
            "opens IS NULL OR (opens >= 0 AND opens < closes AND closes <= 1440)",
            name="ck_opening_hours_window_order",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name="fk_opening_hours_room_id_rooms",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_opening_hours"),
    )
    op.create_index("ix_opening_hours_room_id_on_date", "opening_hours", ["room_id", "on_date"])


def downgrade() -> None:
    op.drop_table("opening_hours")
