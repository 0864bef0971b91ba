"""Booking policies: named sets of limits, and the policy a room follows (NULL: the campus
defaults).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIMITS = (
    "min_duration_minutes",
    "max_duration_minutes",
    "slot_minutes",
    "min_notice_minutes",
    "max_advance_days",
    "max_minutes_per_day",
    "max_minutes_per_week",
    "max_active_bookings",
)
Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "booking_policies",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        *(sa.Column(limit, sa.Integer, nullable=True) for limit in LIMITS),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_policies")),
    )
    op.create_index(
        "uq_booking_policies_name_lower",
        "booking_policies",
        [sa.text("lower(name)")],
        unique=True,
    )
    op.create_index("ix_booking_policies_name_id", "booking_policies", ["name", "id"])
    # ADD COLUMN ... REFERENCES in place on both databases: no rebuild of rooms, which
    # bookings refer to.
    op.execute(
        "ALTER TABLE rooms ADD COLUMN policy_id "
        + ("UUID" if op.get_bind().dialect.name == "postgresql" else "CHAR(32)")
        + " CONSTRAINT fk_rooms_policy_id_booking_policies REFERENCES booking_policies (id)"
    )
    op.create_index("ix_rooms_policy_id", "rooms", ["policy_id"])


def downgrade() -> None:
    op.drop_index("ix_rooms_policy_id", table_name="rooms")
    if op.get_bind().dialect.name == "sqlite":
        # The column's inline REFERENCES has no name SQLite reports: the rebuild drops both.
        with op.batch_alter_table("rooms") as batch:
            batch.drop_column("policy_id")
        # ...and loses the expression index on lower(name), which it cannot reflect.
        op.create_index("uq_rooms_name_lower", "rooms", [sa.text("lower(name)")], unique=True)
    else:
        op.drop_constraint("fk_rooms_policy_id_booking_policies", "rooms", type_="foreignkey")
        op.drop_column("rooms", "policy_id")
    op.drop_index("ix_booking_policies_name_id", table_name="booking_policies")
    op.drop_index("uq_booking_policies_name_lower", table_name="booking_policies")
    op.drop_table("booking_policies")
