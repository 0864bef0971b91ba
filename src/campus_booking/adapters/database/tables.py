"""The schema, as SQLAlchemy Core tables. Alembic revisions must match it (a test checks)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    false,
    func,
)

from campus_booking.adapters.database.types import UTCDateTime

# Name of the database's own overlap guard: PostgreSQL's exclusion constraint and the message
# SQLite's triggers raise. Both arrive in revision 0002; no model can describe them, so they
# live in the migration alone.
OVERLAP_GUARD = "bookings_no_overlap"
# The guards between bookings and closures (revision 0008): the message of the error each
# raises, the first for a booking written into a closure, the second for a closure written
# over an active booking.
CLOSED_GUARD = "bookings_not_in_closures"
CLOSURE_GUARD = "closures_over_no_booking"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(100), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("token_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("role IN ('STUDENT', 'STAFF', 'ADMIN')", name="role"),
    CheckConstraint("token_version >= 0", name="token_version"),
)

# Limits in minutes (the horizon in days); NULL: no limit.
booking_policies = Table(
    "booking_policies",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("min_duration_minutes", Integer, nullable=True),
    Column("max_duration_minutes", Integer, nullable=True),
    Column("slot_minutes", Integer, nullable=True),
    Column("min_notice_minutes", Integer, nullable=True),
    Column("max_advance_days", Integer, nullable=True),
    Column("max_minutes_per_day", Integer, nullable=True),
    Column("max_minutes_per_week", Integer, nullable=True),
    Column("max_active_bookings", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("uq_booking_policies_name_lower", func.lower(booking_policies.c.name), unique=True)
Index("ix_booking_policies_name_id", booking_policies.c.name, booking_policies.c.id)

rooms = Table(
    "rooms",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("building", String(100), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("requires_approval", Boolean, nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("time_zone", String(64), nullable=False, server_default="UTC"),
    # Last, as added by revision 0009; NULL: the campus defaults apply.
    Column("policy_id", Uuid, ForeignKey("booking_policies.id"), nullable=True, index=True),
    CheckConstraint("capacity > 0", name="capacity"),
)
# Room names are unique whatever their letter case.
Index("uq_rooms_name_lower", func.lower(rooms.c.name), unique=True)
# Rooms are listed by name: a page is read off this index instead of sorting every room.
Index("ix_rooms_name_id", rooms.c.name, rooms.c.id)

room_features = Table(
    "room_features",
    metadata,
    Column("room_id", Uuid, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("feature", String(32), primary_key=True),
    Index("ix_room_features_feature", "feature"),
)

# A recurrence rule and what it was asked with; its occurrences are bookings naming it.
# `starts_at`/`ends_at` are the first occurrence as asked. `exdates` (ISO dates) and
# `skipped` (the occurrences not booked, with why) are JSON text: read and written whole with
# the series, never searched.
booking_series = Table(
    "booking_series",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("room_id", Uuid, ForeignKey("rooms.id"), nullable=False),
    Column("requester_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("attendees", Integer, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("recurrence", String(500), nullable=False),
    Column("exdates", Text, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("skipped", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("starts_at < ends_at", name="slot_order"),
    CheckConstraint("attendees > 0", name="attendees"),
    # Listed newest first: everyone's, a requester's, a room's.
    Index("ix_booking_series_requester_id_created_at", "requester_id", "created_at"),
    Index("ix_booking_series_room_id_created_at", "room_id", "created_at"),
    Index("ix_booking_series_created_at_id", "created_at", "id"),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("room_id", Uuid, ForeignKey("rooms.id"), nullable=False),
    Column("requester_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("title", String(200), nullable=False),
    Column("attendees", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decision_reason", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Last, as added by revision 0012: the series of an occurrence (NULL: a booking of its
    # own), the start the series gave it, and whether it was changed on its own since.
    Column("series_id", Uuid, ForeignKey("booking_series.id"), nullable=True),
    Column("occurrence_start", UTCDateTime, nullable=True),
    Column("series_changed", Boolean, nullable=False, server_default=false()),
    # Last, as added by revision 0013: how many times it changed (a calendar's SEQUENCE), and
    # when it last did (NULL: never since it was made).
    Column("sequence", Integer, nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime, nullable=True),
    CheckConstraint("starts_at < ends_at", name="slot_order"),
    CheckConstraint("attendees > 0", name="attendees"),
    CheckConstraint("status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')", name="status"),
    CheckConstraint("sequence >= 0", name="sequence"),
    Index("ix_bookings_room_id_starts_at", "room_id", "starts_at"),
    Index("ix_bookings_starts_at", "starts_at"),
    # A requester's upcoming bookings (each student's request counts them) without the rest.
    Index("ix_bookings_requester_id_ends_at", "requester_id", "ends_at"),
    Index("ix_bookings_series_id_starts_at", "series_id", "starts_at"),
)

# A secret URL a calendar app subscribes to: the owner's own bookings ('mine'), or one room's
# ('room', and only then a room). Only the token's hash is kept; a feed is found by it.
calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("room_id", Uuid, ForeignKey("rooms.id"), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("scope IN ('mine', 'room')", name="scope"),
    CheckConstraint("(scope = 'room') = (room_id IS NOT NULL)", name="room_of_scope"),
    # An owner's feeds, oldest first.
    Index("ix_calendar_feeds_owner_id_created_at", "owner_id", "created_at"),
)

# What a keyed write answered (application/idempotency.py), per user and key, until it
# expires: a repeat within that time gets the same answer. Written with the change it reports.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    CheckConstraint("status BETWEEN 200 AND 299", name="status"),
    # The purge of expired keys.
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)

# A room's opening hours, replaced whole: a weekly window (weekday set), or a window of a date
# whose hours replace its weekday's (on_date set); a date row without a window is closed all
# day. Times are minutes of the local day in the room's zone, `closes` up to 1440 (24:00).
opening_hours = Table(
    "opening_hours",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("room_id", Uuid, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("weekday", SmallInteger, nullable=True),
    Column("on_date", Date, nullable=True),
    Column("opens", SmallInteger, nullable=True),
    Column("closes", SmallInteger, nullable=True),
    CheckConstraint("(weekday IS NULL) <> (on_date IS NULL)", name="weekday_or_date"),
    CheckConstraint("weekday IS NULL OR weekday BETWEEN 1 AND 7", name="weekday"),
    CheckConstraint("(opens IS NULL) = (closes IS NULL)", name="window_whole"),
    CheckConstraint("weekday IS NULL OR opens IS NOT NULL", name="weekly_window"),
    CheckConstraint(
        "opens IS NULL OR (opens >= 0 AND opens < closes AND closes <= 1440)", name="window_order"
    ),
    # A booking reads the weekly rows and the few dates around it.
    Index("ix_opening_hours_room_id_on_date", "room_id", "on_date"),
)

# A room's closures: times it takes no booking. Any length, so no look-back bounds a search:
# (room_id, ends_at) lets a search skip the closures that ended before the time it asks about.
closures = Table(
    "closures",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("room_id", Uuid, ForeignKey("rooms.id"), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("created_by", Uuid, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("starts_at < ends_at", name="period_order"),
    Index("ix_closures_room_id_ends_at", "room_id", "ends_at"),
    Index("ix_closures_starts_at", "starts_at"),
)


# Written in the transaction of the change it records; never updated or deleted by the service.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("actor_id", Uuid, ForeignKey("users.id"), nullable=True),
    Column("entity", String(16), nullable=False),
    Column("entity_id", Uuid, nullable=False),
    Column("action", String(16), nullable=False),
    # none_as_null: "no fields" is SQL NULL (a creation's `before`), not the JSON text 'null'.
    Column("before", JSON(none_as_null=True), nullable=True),
    Column("after", JSON(none_as_null=True), nullable=True),
    Index("ix_audit_log_entity_entity_id_occurred_at", "entity", "entity_id", "occurred_at"),
    Index("ix_audit_log_actor_id_occurred_at", "actor_id", "occurred_at"),
    Index("ix_audit_log_occurred_at", "occurred_at"),
)
