"""Use-cases of user administration."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from campus_booking.application.actors import check_still_current
from campus_booking.application.ports import Clock, UnitOfWorkFactory
from campus_booking.application.queries import Page, PageRequest, UserFilter
from campus_booking.application.user_bookings import release_bookings_of_deactivated
from campus_booking.domain.errors import Conflict, NotFound
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.users import Role, User


@dataclass(frozen=True, slots=True)
class ChangeUserCommand:
    """`None` leaves a field as it is."""

    role: Role | None = None
    is_active: bool | None = None
    cancel_bookings: bool = False  # when deactivating: cancel their upcoming bookings


class ListUsers:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User, filter: UserFilter, page: PageRequest) -> Page[User]:
        check_may(actor, Capability.MANAGE_USERS)
        async with self._uow(read_only=True) as uow:
            return await uow.users.search(filter, page)


class ChangeUser:
    """Changes a user's role or status; either change signs them out everywhere at once.

    The last active admin cannot be demoted or deactivated: nobody could undo it. The admins,
    the caller and the user are locked together, so the caller's own role is the one they hold
    when the change commits, and two admins cannot demote each other at the same moment.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, user_id: UUID, command: ChangeUserCommand) -> User:
        async with self._uow() as uow:
            locked = {
                user.id: user for user in await uow.users.lock_admins_and([actor.id, user_id])
            }
            actor = check_still_current(actor, locked.get(actor.id))
            check_may(actor, Capability.MANAGE_USERS)
            user = locked.get(user_id)
            if user is None:
                raise NotFound("User not found.")
            admins = {
                admin.id
                for admin in locked.values()
                if admin.role is Role.ADMIN and admin.is_active
            }
            now = self._clock.now()
            if command.role is not None:
                user.change_role(command.role, by=actor.id, at=now)
            if command.is_active is True:
                user.activate(by=actor.id, at=now)
            elif command.is_active is False:
                user.deactivate(by=actor.id, at=now)
            still_admin = user.role is Role.ADMIN and user.is_active
            if admins == {user.id} and not still_admin:
                raise Conflict("This is the last active admin; promote another one first.")
            await uow.users.save(user)
            if command.is_active is False:
                await release_bookings_of_deactivated(
                    uow,
                    actor=actor,
                    user=user,
                    cancel=command.cancel_bookings,
                    now=now,
                )
            await uow.commit()
        return user
