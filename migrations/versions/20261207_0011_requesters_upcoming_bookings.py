"""A requester's bookings indexed by when they end, so that counting the upcoming ones (every
student's booking request does) reads those alone, not every booking the requester ever made.

It replaces the index on requester_id alone, which the new one's first column serves.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_bookings_requester_id_ends_at", "bookings", ["requester_id", "ends_at"], unique=False
    )
    op.drop_index("ix_bookings_requester_id", table_name="bookings")


def downgrade() -> None:
    op.create_index("ix_bookings_requester_id", "bookings", ["requester_id"], unique=False)
    op.drop_index("ix_bookings_requester_id_ends_at", table_name="bookings")
