"""Use-cases of booking policies: anyone signed in reads them; staff and admins write them."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from campus_booking.application.actors import lock_actor
from campus_booking.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from campus_booking.application.queries import Page, PageRequest
from campus_booking.domain.booking_policies import BookingPolicy, PolicyLimits
from campus_booking.domain.errors import InvalidValue, NotFound
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.users import User


@dataclass(frozen=True, slots=True)
class PolicyCommand:
    """A whole policy: what `POST` creates and `PUT` replaces."""

    name: str
    limits: PolicyLimits


class ListBookingPolicies:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, page: PageRequest) -> Page[BookingPolicy]:
        async with self._uow(read_only=True) as uow:
            return await uow.policies.search(page)


class GetBookingPolicy:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, policy_id: UUID) -> BookingPolicy:
        async with self._uow(read_only=True) as uow:
            return await _policy(uow, policy_id)


class CreateBookingPolicy:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, command: PolicyCommand) -> BookingPolicy:
        check_may(actor, Capability.MANAGE_BOOKING_POLICIES)
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_BOOKING_POLICIES)
            policy = BookingPolicy.create(
                name=command.name, limits=command.limits, now=self._clock.now(), by=actor.id
            )
            await uow.policies.add(policy)
            await uow.commit()
        return policy


class ReplaceBookingPolicy:
    """The new limits apply to requests from now on; bookings already made stay."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, policy_id: UUID, command: PolicyCommand) -> BookingPolicy:
        check_may(actor, Capability.MANAGE_BOOKING_POLICIES)
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_BOOKING_POLICIES)
            policy = await _policy(uow, policy_id, lock=True)
            policy.replace(
                name=command.name, limits=command.limits, by=actor.id, at=self._clock.now()
            )
            await uow.policies.save(policy)
            await uow.commit()
        return policy


class DeleteBookingPolicy:
    """Refused (409) while rooms follow the policy: move them to another, or to none, first."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, policy_id: UUID) -> None:
        check_may(actor, Capability.MANAGE_BOOKING_POLICIES)
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_BOOKING_POLICIES)
            policy = await _policy(uow, policy_id, lock=True)
            policy.delete(by=actor.id, at=self._clock.now())
            await uow.policies.delete(policy)
            await uow.commit()


async def check_policy_exists(uow: UnitOfWork, policy_id: UUID | None) -> None:
    """A room may only follow a policy that exists (a well-formed id of nothing: 400)."""
    if policy_id is not None and await uow.policies.get(policy_id) is None:
        raise InvalidValue("policy_id", "no booking policy has this id")


async def _policy(uow: UnitOfWork, policy_id: UUID, *, lock: bool = False) -> BookingPolicy:
    policy = await uow.policies.get(policy_id, lock=lock)
    if policy is None:
        raise NotFound("Booking policy not found.")
    return policy
