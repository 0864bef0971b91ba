"""The statements the service runs for the measured routes, as its repositories write them.

Read off the service's SQL log (SQLAlchemy echo) for GET /auth/me, GET /rooms, GET /bookings
and POST /bookings. Written once, with `?` placeholders in the order of their parameters; a
`Dialect` fills in what SQLite and PostgreSQL spell differently, and `numbered` turns the
placeholders into PostgreSQL's `$1, $2, ...`.
"""

# ruff: noqa: S608 (only the constants here go into the SQL; every value is a bound parameter)

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from campus_booking.adapters.database.repositories.bookings import ACTIVE

USER_COLUMNS = (
    "users.id, users.email, users.full_name, users.role, users.password_hash, "
    "users.is_active, users.token_version, users.created_at"
)
ROOM_COLUMNS = (
    "rooms.id, rooms.name, rooms.building, rooms.capacity, rooms.requires_approval, "
    "rooms.is_active, rooms.created_at, rooms.time_zone, rooms.policy_id"
)
BOOKING_COLUMNS = (
    "bookings.id, bookings.room_id, bookings.requester_id, bookings.starts_at, "
    "bookings.ends_at, bookings.title, bookings.attendees, bookings.status, "
    "bookings.decided_by, bookings.decided_at, bookings.decision_reason, bookings.created_at"
)
ACTIVE_STATUSES = tuple(ACTIVE)  # bound as parameters, as the service binds them
_ACTIVE_IN = "bookings.status IN (" + ", ".join("?" for _ in ACTIVE) + ")"


@dataclass(frozen=True, slots=True)
class Dialect:
    true: str  # how a boolean column is compared with true
    join_strings: str  # the aggregate that joins a room's feature tags
    locks: bool  # whether rows are locked FOR NO KEY UPDATE (SQLite's writers take turns)


SQLITE = Dialect(true="1", join_strings="group_concat", locks=False)
POSTGRESQL = Dialect(true="true", join_strings="string_agg", locks=True)


@dataclass(frozen=True, slots=True)
class Statements:
    user_by_id: str  # (user id)
    user_by_id_locked: str  # (user id)
    rooms_page: str  # (limit, offset)
    count_rooms: str  # ()
    room_by_id_locked: str  # (room id)
    bookings_page: str  # (room id, window start, lookback, window end, limit, offset)
    count_bookings: str  # (room id, window start, lookback, window end)
    count_active_of_requester: str  # (requester id, *ACTIVE_STATUSES, now)
    overlapping_others: str  # (room id, *ACTIVE_STATUSES, lookback, start, end, booking id)
    insert_booking: str  # the twelve columns of BOOKING_COLUMNS, in order
    insert_audit: str  # (id, occurred_at, actor_id, entity, entity_id, action, before, after)


def statements(dialect: Dialect) -> Statements:
    lock = " FOR NO KEY UPDATE" if dialect.locks else ""
    active_rooms = f"FROM rooms WHERE rooms.is_active IS {dialect.true}"
    room_with_features = (
        f"SELECT {ROOM_COLUMNS}, (SELECT {dialect.join_strings}(room_features.feature, ',') "
        "FROM room_features WHERE room_features.room_id = rooms.id) AS features"
    )
    # GET /bookings?room_id&from&to as BookingRepository.search writes it for staff and admins.
    room_window = (
        "FROM bookings WHERE bookings.room_id = ? AND bookings.ends_at > ? "
        "AND bookings.starts_at > ? AND bookings.starts_at < ?"
    )
    return Statements(
        user_by_id=f"SELECT {USER_COLUMNS} FROM users WHERE users.id = ?",
        user_by_id_locked=f"SELECT {USER_COLUMNS} FROM users WHERE users.id = ?{lock}",
        rooms_page=f"{room_with_features} {active_rooms} "
        "ORDER BY rooms.name, rooms.id LIMIT ? OFFSET ?",
        count_rooms=f"SELECT count(*) FROM (SELECT {ROOM_COLUMNS} {active_rooms}) AS anon_1",
        room_by_id_locked=f"{room_with_features} FROM rooms WHERE rooms.id = ?"
        + (f"{lock} OF rooms" if lock else ""),
        bookings_page=f"SELECT {BOOKING_COLUMNS} {room_window} "
        "ORDER BY bookings.starts_at, bookings.id LIMIT ? OFFSET ?",
        count_bookings=f"SELECT count(*) FROM (SELECT {BOOKING_COLUMNS} {room_window}) AS anon_1",
        count_active_of_requester="SELECT count(*) FROM bookings "
        f"WHERE bookings.requester_id = ? AND {_ACTIVE_IN} AND bookings.ends_at > ?",
        overlapping_others=f"SELECT {BOOKING_COLUMNS} FROM bookings "
        f"WHERE bookings.room_id = ? AND {_ACTIVE_IN} AND bookings.starts_at > ? "
        "AND bookings.ends_at > ? AND bookings.starts_at < ? AND bookings.id != ? "
        "ORDER BY bookings.starts_at",
        insert_booking=f"INSERT INTO bookings ({BOOKING_COLUMNS.replace('bookings.', '')}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        insert_audit="INSERT INTO audit_log (id, occurred_at, actor_id, entity, entity_id, "
        'action, "before", "after") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )


def numbered(plain: Statements) -> Statements:
    """PostgreSQL's placeholders: the `?` of each statement become `$1`, `$2`, ..."""
    return dataclasses.replace(
        plain,
        **{
            field.name: _numbered(getattr(plain, field.name)) for field in dataclasses.fields(plain)
        },
    )


def _numbered(sql: str) -> str:
    pieces = sql.split("?")
    return pieces[0] + "".join(f"${number}{piece}" for number, piece in enumerate(pieces[1:], 1))
