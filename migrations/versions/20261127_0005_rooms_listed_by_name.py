"""Rooms are listed by name and id: an index in that order, so a page needs no sort.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_rooms_name_id", "rooms", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_rooms_name_id", table_name="rooms")
