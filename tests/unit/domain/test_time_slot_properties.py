"""Properties of TimeSlot overlap and of find_conflicts, checked against brute-force oracles.

Slots are drawn on a small grid of whole minutes after a fixed instant, so that the oracle can
simply enumerate minutes: two grid slots overlap exactly when some minute lies in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.overlap import find_conflicts
from campus_booking.domain.time_slots import TimeSlot

ORIGIN = datetime(2030, 1, 15, 8, 0, tzinfo=UTC)
GRID_MINUTES = 60
ROOM_A = UUID("00000000-0000-0000-0000-00000000000a")
ROOM_B = UUID("00000000-0000-0000-0000-00000000000b")
REQUESTER = UUID("00000000-0000-0000-0000-000000000001")
ACTIVE = {BookingStatus.PENDING, BookingStatus.APPROVED}


@dataclass(frozen=True)
class Span:
    """A slot as whole minutes after ORIGIN: `[first, stop)`."""

    first: int
    stop: int

    def minutes(self) -> set[int]:
        return set(range(self.first, self.stop))

    def slot(self, offset: timezone = UTC) -> TimeSlot:
        return TimeSlot(at(self.first, offset), at(self.stop, offset))


def at(minute: int, offset: timezone = UTC) -> datetime:
    return (ORIGIN + timedelta(minutes=minute)).astimezone(offset)


def oracle_overlaps(first: Span, second: Span) -> bool:
    return any(
        first.first <= m < first.stop and second.first <= m < second.stop
        for m in range(GRID_MINUTES * 2)
    )


@st.composite
def spans(draw: st.DrawFn) -> Span:
    first = draw(st.integers(min_value=0, max_value=GRID_MINUTES - 1))
    length = draw(st.integers(min_value=1, max_value=GRID_MINUTES // 2))
    return Span(first, first + length)


offsets = st.integers(min_value=-23, max_value=23).map(lambda h: timezone(timedelta(hours=h)))


# --- Overlap ------------------------------------------------------------------------------


@given(spans(), spans())
def test_overlap_is_symmetric(first: Span, second: Span) -> None:
    assert first.slot().overlaps(second.slot()) is second.slot().overlaps(first.slot())


@given(spans())
def test_a_slot_overlaps_itself(span: Span) -> None:
    assert span.slot().overlaps(span.slot()) is True


@given(spans(), st.integers(min_value=1, max_value=GRID_MINUTES))
def test_a_slot_starting_when_another_ends_does_not_overlap_it(
    span: Span, next_length: int
) -> None:
    following = Span(span.stop, span.stop + next_length)
    assert span.slot().overlaps(following.slot()) is False
    assert following.slot().overlaps(span.slot()) is False


@given(spans(), spans())
def test_containment_implies_overlap(first: Span, second: Span) -> None:
    if first.slot().contains(second.slot()):
        assert first.slot().overlaps(second.slot()) is True
        assert second.slot().overlaps(first.slot()) is True


@given(spans(), spans())
def test_contains_agrees_with_minute_sets(first: Span, second: Span) -> None:
    assert first.slot().contains(second.slot()) is (second.minutes() <= first.minutes())


@given(spans(), spans())
def test_overlap_agrees_with_the_minute_grid_oracle(first: Span, second: Span) -> None:
    assert first.slot().overlaps(second.slot()) is oracle_overlaps(first, second)


@given(spans(), st.integers(min_value=-5, max_value=GRID_MINUTES * 2))
def test_contains_instant_agrees_with_the_minute_grid(span: Span, minute: int) -> None:
    assert span.slot().contains_instant(at(minute)) is (minute in span.minutes())


# --- Offsets ------------------------------------------------------------------------------


@given(spans(), offsets, offsets)
def test_the_same_instants_in_different_offsets_make_equal_slots(
    span: Span, one: timezone, other: timezone
) -> None:
    assert span.slot(one) == span.slot(other)
    assert span.slot(one).start == at(span.first)
    assert span.slot(one).start.utcoffset() == timedelta(0)
    assert span.slot(one).duration == timedelta(minutes=span.stop - span.first)


@given(spans(), spans(), offsets, offsets)
def test_overlap_does_not_depend_on_the_offsets_written(
    first: Span, second: Span, one: timezone, other: timezone
) -> None:
    assert first.slot(one).overlaps(second.slot(other)) is oracle_overlaps(first, second)


# --- find_conflicts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    booking: Booking
    span: Span


@st.composite
def drawn_bookings(draw: st.DrawFn) -> Drawn:
    span = draw(spans())
    booking = Booking(
        room_id=draw(st.sampled_from([ROOM_A, ROOM_B])),
        requester_id=REQUESTER,
        slot=span.slot(draw(offsets)),
        title="Seminar",
        attendees=1,
        status=draw(st.sampled_from(list(BookingStatus))),
        created_at=ORIGIN,
        id=draw(st.uuids()),
    )
    return Drawn(booking, span)


@given(
    candidate=spans(),
    drawn=st.lists(drawn_bookings(), max_size=12, unique_by=lambda item: item.booking.id),
    room_id=st.sampled_from([ROOM_A, ROOM_B]),
    data=st.data(),
)
def test_find_conflicts_agrees_with_a_brute_force_filter(
    candidate: Span, drawn: list[Drawn], room_id: UUID, data: st.DataObject
) -> None:
    ids = [item.booking.id for item in drawn]
    ignore = data.draw(st.none() | st.uuids() | (st.sampled_from(ids) if ids else st.nothing()))

    result = find_conflicts(
        candidate.slot(), [item.booking for item in drawn], room_id=room_id, ignore=ignore
    )

    expected = {
        item.booking.id
        for item in drawn
        if item.booking.room_id == room_id
        and item.booking.id != ignore
        and item.booking.status in ACTIVE
        and oracle_overlaps(item.span, candidate)
    }
    assert len(result) == len(expected)
    assert {booking.id for booking in result} == expected
    starts = [booking.slot.start for booking in result]
    assert starts == sorted(starts)
