"""Rooms: what can be booked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.events import (
    DomainEvent,
    Fields,
    RecordsEvents,
    RoomChanged,
    RoomCreated,
    RoomDeactivated,
)
from campus_booking.domain.text import clean_text
from campus_booking.domain.time_zones import check_time_zone, zone_of

MAX_NAME_LENGTH = 100
MAX_BUILDING_LENGTH = 100
MAX_FEATURES = 32
_FEATURE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def clean_features(raw: Iterable[str]) -> frozenset[str]:
    """Features are short lower-case tags (`projector`, `wheelchair-access`) so filters match."""
    features = frozenset(tag.strip().lower() for tag in raw)
    if len(features) > MAX_FEATURES:
        raise InvalidValue("features", f"must hold at most {MAX_FEATURES} tags")
    for tag in features:
        if not _FEATURE.match(tag):
            raise InvalidValue(
                "features", f"tag {tag!r} must be 1-32 characters of a-z, 0-9, '-' or '_'"
            )
    return features


def clean_room_name(raw: str) -> str:
    """Names are unique whatever their case (the store's index on lower(name)) and whatever
    their compatibility form: a full-width `Lab` is stored as `Lab`, so the two collide."""
    return clean_text(raw, "name", MAX_NAME_LENGTH, fold_compatible=True)


def clean_building(raw: str) -> str:
    """Folded as names are, so that a filter on a building finds it however it is typed."""
    return clean_text(raw, "building", MAX_BUILDING_LENGTH, fold_compatible=True)


def check_capacity(capacity: int) -> int:
    if capacity < 1:
        raise InvalidValue("capacity", "must be at least 1")
    return capacity


@dataclass(eq=False, slots=True)
class Room(RecordsEvents):
    name: str
    building: str
    capacity: int
    created_at: datetime
    features: frozenset[str] = frozenset()
    requires_approval: bool = False
    is_active: bool = True
    time_zone: str = "UTC"  # an IANA name: the zone of the room's local-time rules
    policy_id: UUID | None = None  # None: the campus defaults apply
    id: UUID = field(default_factory=uuid4)
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        *,
        name: str,
        building: str,
        capacity: int,
        now: datetime,
        features: Iterable[str] = (),
        requires_approval: bool = False,
        time_zone: str = "UTC",
        policy_id: UUID | None = None,
        by: UUID | None,
    ) -> Room:
        room = cls(
            name=clean_room_name(name),
            building=clean_building(building),
            capacity=check_capacity(capacity),
            features=clean_features(features),
            requires_approval=requires_approval,
            time_zone=check_time_zone(time_zone),
            policy_id=policy_id,
            created_at=now,
        )
        room._record(RoomCreated, by=by, at=now, after=room.trail_fields())
        return room

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Room) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.time_zone)

    def trail_fields(self) -> Fields:
        return {
            "name": self.name,
            "building": self.building,
            "capacity": self.capacity,
            "features": sorted(self.features),
            "requires_approval": self.requires_approval,
            "is_active": self.is_active,
            "time_zone": self.time_zone,
            "policy_id": str(self.policy_id) if self.policy_id else None,
        }

    def update(
        self,
        *,
        name: str | None = None,
        building: str | None = None,
        capacity: int | None = None,
        features: Iterable[str] | None = None,
        requires_approval: bool | None = None,
        time_zone: str | None = None,
        policy_id: UUID | None = None,
        clear_policy: bool = False,
        by: UUID,
        at: datetime,
    ) -> None:
        """Partial update: only the values given change; `clear_policy` puts the room back
        under the campus defaults."""
        before = self.trail_fields()
        if name is not None:
            self.name = clean_room_name(name)
        if building is not None:
            self.building = clean_building(building)
        if capacity is not None:
            self.capacity = check_capacity(capacity)
        if features is not None:
            self.features = clean_features(features)
        if requires_approval is not None:
            self.requires_approval = requires_approval
        if time_zone is not None:
            self.time_zone = check_time_zone(time_zone)
        if policy_id is not None:
            self.policy_id = policy_id
        elif clear_policy:
            self.policy_id = None
        self._record_change(RoomChanged, before, by=by, at=at)

    def deactivate(self, *, by: UUID, at: datetime) -> None:
        """Records nothing when the room is inactive already."""
        before = self.trail_fields()
        self.is_active = False
        self._record_change(RoomDeactivated, before, by=by, at=at)
