"""Initial schema: users, rooms, room features and bookings.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("role IN ('STUDENT', 'STAFF', 'ADMIN')", name=op.f("ck_users_role")),
        sa.CheckConstraint("token_version >= 0", name=op.f("ck_users_token_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("building", sa.String(length=100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_rooms_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
    )
    op.create_index("uq_rooms_name_lower", "rooms", [sa.text("lower(name)")], unique=True)
    op.create_table(
        "room_features",
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("feature", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_room_features_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("room_id", "feature", name=op.f("pk_room_features")),
    )
    op.create_index("ix_room_features_feature", "room_features", ["feature"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", Instant, nullable=False),
        sa.Column("ends_at", Instant, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", Instant, nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_bookings_slot_order")),
        sa.CheckConstraint("attendees > 0", name=op.f("ck_bookings_attendees")),
        sa.CheckConstraint(
            "status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')",
            name=op.f("ck_bookings_status"),
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_bookings_room_id_rooms")),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.id"], name=op.f("fk_bookings_requester_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_bookings_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    op.create_index("ix_bookings_room_id_starts_at", "bookings", ["room_id", "starts_at"])
    op.create_index("ix_bookings_requester_id", "bookings", ["requester_id"])


def downgrade() -> None:
    op.drop_index("ix_bookings_requester_id", table_name="bookings")
    op.drop_index("ix_bookings_room_id_starts_at", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_room_features_feature", table_name="room_features")
    op.drop_table("room_features")
    op.drop_index("uq_rooms_name_lower", table_name="rooms")
    op.drop_table("rooms")
    op.drop_table("users")
