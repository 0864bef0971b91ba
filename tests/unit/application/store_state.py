"""What the memory store holds, by value: a refused write must leave it equal."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from campus_booking.adapters.memory import MemoryStore


def state(store: MemoryStore) -> dict[str, Any]:
    """Everything in the store, by value, to check that a refused write changed nothing."""
    return {
        "commits": store.commits,
        "users": {key: asdict(user) for key, user in store.users.items()},
        "rooms": {key: asdict(room) for key, room in store.rooms.items()},
        "bookings": {key: asdict(booking) for key, booking in store.bookings.items()},
        "opening_hours": {key: hours.trail_fields() for key, hours in store.opening_hours.items()},
        "closures": {key: asdict(closure) for key, closure in store.closures.items()},
        "policies": {key: asdict(policy) for key, policy in store.policies.items()},
        "audit": list(store.audit),
    }
