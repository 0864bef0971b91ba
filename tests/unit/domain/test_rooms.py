"""Rooms: validation of what Room.create accepts, and how it cleans it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

import pytest

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.rooms import Room

NOW = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
ADMIN_ID = UUID("00000000-0000-0000-0000-000000000003")


def create(
    *,
    name: str = "Seminar Room 1",
    building: str = "Main Building",
    capacity: int = 20,
    features: Iterable[str] = (),
    requires_approval: bool = False,
) -> Room:
    return Room.create(
        name=name,
        building=building,
        capacity=capacity,
        now=NOW,
        by=ADMIN_ID,
        features=features,
        requires_approval=requires_approval,
    )


def test_create_keeps_valid_input_and_starts_active() -> None:
    room = create(features=["projector"], requires_approval=True)
    assert room.name == "Seminar Room 1"
    assert room.building == "Main Building"
    assert room.capacity == 20
    assert room.features == frozenset({"projector"})
    assert room.requires_approval is True
    assert room.is_active is True
    assert room.created_at == NOW


def test_defaults_are_no_features_and_no_approval() -> None:
    room = Room.create(name="Lab", building="Science", capacity=1, now=NOW, by=ADMIN_ID)
    assert room.features == frozenset()
    assert room.requires_approval is False


def test_deactivate() -> None:
    room = create()
    room.deactivate(by=ADMIN_ID, at=NOW)
    assert room.is_active is False


def test_rooms_are_equal_by_id_only() -> None:
    first, second = create(), create()
    assert first != second
    same_id = Room(name="Other", building="Other", capacity=5, created_at=NOW, id=first.id)
    assert first == same_id
    assert hash(first) == hash(same_id)


# --- Capacity -----------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [0, -1, -100])
def test_a_capacity_below_one_is_refused(capacity: int) -> None:
    with pytest.raises(InvalidValue) as error:
        create(capacity=capacity)
    assert error.value.field == "capacity"


@pytest.mark.parametrize("capacity", [1, 2, 500])
def test_a_capacity_of_one_or_more_is_accepted(capacity: int) -> None:
    assert create(capacity=capacity).capacity == capacity


# --- Name and building --------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "building"])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Room   A  ", "Room A"),
        ("Room\tA\nEast", "Room A East"),
        ("x" * 100, "x" * 100),
        ("x" + " " * 200 + "y", "x y"),
    ],
    ids=["extra-spaces", "tabs-and-newlines", "100-characters", "long-only-before-collapsing"],
)
def test_name_and_building_are_cleaned(field: str, raw: str, expected: str) -> None:
    room = create(**{field: raw})
    assert getattr(room, field) == expected


@pytest.mark.parametrize("field", ["name", "building"])
@pytest.mark.parametrize(
    "raw", ["", "   ", "\t\n", "x" * 101], ids=["empty", "spaces", "tab-newline", "101-characters"]
)
def test_empty_or_over_long_name_and_building_are_refused(field: str, raw: str) -> None:
    with pytest.raises(InvalidValue) as error:
        create(**{field: raw})
    assert error.value.field == field


# --- Features -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Projector"], {"projector"}),
        (["  WHITEBOARD "], {"whiteboard"}),
        (
            ["wheelchair-access", "video_conf", "hdmi2"],
            {"wheelchair-access", "video_conf", "hdmi2"},
        ),
        (["projector", "Projector", " PROJECTOR"], {"projector"}),
        (["4k"], {"4k"}),
        (["a" * 32], {"a" * 32}),
    ],
    ids=[
        "upper-case",
        "whitespace",
        "dash-underscore-digit",
        "duplicates-merge",
        "starts-with-digit",
        "32-characters",
    ],
)
def test_features_are_normalised_to_lower_case_tags(raw: list[str], expected: set[str]) -> None:
    assert create(features=raw).features == frozenset(expected)


def test_features_accept_any_iterable() -> None:
    assert create(features=(tag for tag in ["A", "b"])).features == frozenset({"a", "b"})


@pytest.mark.parametrize(
    "tag",
    ["", "   ", "-projector", "_projector", "wheelchair access", "projector!", "café", "a" * 33],
    ids=[
        "empty",
        "blank",
        "starts-with-dash",
        "starts-with-underscore",
        "inner-space",
        "punctuation",
        "non-ascii",
        "33-characters",
    ],
)
def test_bad_feature_tags_are_refused_on_features(tag: str) -> None:
    with pytest.raises(InvalidValue) as error:
        create(features=["projector", tag])
    assert error.value.field == "features"


def test_at_most_32_feature_tags_are_accepted() -> None:
    tags = [f"tag{i}" for i in range(32)]
    assert create(features=tags).features == frozenset(tags)


def test_more_than_32_feature_tags_are_refused() -> None:
    with pytest.raises(InvalidValue) as error:
        create(features=[f"tag{i}" for i in range(33)])
    assert error.value.field == "features"
    assert "32" in error.value.reason


def test_duplicates_do_not_count_towards_the_tag_limit() -> None:
    tags = [f"tag{i}" for i in range(32)] + [f"TAG{i}" for i in range(32)]
    assert len(create(features=tags).features) == 32
