"""Which rooms a read covers, as SQL: the filters of a room listing, and the rooms of a
`RoomSelection` as one subquery of their ids, so that a statement about many rooms' bookings,
closures or hours is one statement whatever their number.

Each shape of filter (which of its fields are set) is built once; a request binds its values.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, func, select

from campus_booking.adapters.database.tables import room_features, rooms
from campus_booking.application.queries import RoomFilter, RoomSelection


class FilterShape(NamedTuple):
    active_only: bool
    by_capacity: bool
    by_building: bool
    by_features: bool


def shape_of(filter: RoomFilter) -> FilterShape:
    return FilterShape(
        active_only=not filter.include_inactive,
        by_capacity=filter.min_capacity is not None,
        by_building=filter.building is not None,
        by_features=bool(filter.features),
    )


def filter_parameters(filter: RoomFilter) -> dict[str, Any]:
    return {
        "min_capacity": filter.min_capacity,
        "building": filter.building,
        "features": sorted(filter.features),
        "feature_count": len(filter.features),
    }


def filter_conditions(shape: FilterShape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.active_only:
        conditions.append(rooms.c.is_active.is_(True))
    if shape.by_capacity:
        conditions.append(rooms.c.capacity >= bindparam("min_capacity"))
    if shape.by_building:
        conditions.append(rooms.c.building == bindparam("building"))
    if shape.by_features:
        having_all = (
            select(room_features.c.room_id)
            .where(room_features.c.feature.in_(bindparam("features", expanding=True)))
            .group_by(room_features.c.room_id)
            .having(func.count() == bindparam("feature_count"))
        )
        conditions.append(rooms.c.id.in_(having_all))
    return conditions


# A selection's shape: None for rooms named by id, else the filter's.
SelectionShape = FilterShape | None


def selection_of(selection: RoomSelection) -> tuple[SelectionShape, dict[str, Any]]:
    """The selection's shape and the values its statements bind."""
    if selection.filter is None:
        return None, {"room_ids": list(selection.room_ids)}
    return shape_of(selection.filter), filter_parameters(selection.filter)


def selected_conditions(shape: SelectionShape) -> list[ColumnElement[bool]]:
    if shape is None:
        return [rooms.c.id.in_(bindparam("room_ids", expanding=True))]
    return filter_conditions(shape)


@cache
def selected_ids(shape: SelectionShape) -> Select[Any]:
    """The ids of the selected rooms, as a subquery for `room_id IN (...)`."""
    return select(rooms.c.id).where(*selected_conditions(shape))
