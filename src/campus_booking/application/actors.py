"""The acting user, pinned for the length of a change.

A caller is authenticated before its unit of work begins, so a role change or deactivation can
commit in between. Every writer therefore locks the actor's row first (the first lock of the
order the `UnitOfWork` port describes) and re-reads it: a change to the actor that committed
meanwhile has revoked their tokens and is refused here, as on their next request, and one that
comes later waits until this change has committed. Every change is then authorised by the
role its actor holds when it commits.
"""

from __future__ import annotations

from uuid import UUID

from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.errors import AuthenticationFailed
from campus_booking.domain.users import User


async def lock_actor(uow: UnitOfWork, actor: User) -> User:
    """The actor's row, locked and re-read; raises `AuthenticationFailed` if it changed."""
    current = await uow.users.get(actor.id, lock=True)
    return check_still_current(actor, current)


async def lock_actor_and(uow: UnitOfWork, actor: User, other_id: UUID) -> tuple[User, User | None]:
    """The actor, locked and re-read as by `lock_actor`, and the user `other_id` whose
    bookings a change counts (a requester's quotas, when staff change their bookings), locked
    with it in id order, so that the change queues behind that user's own requests."""
    if other_id == actor.id:
        current = await lock_actor(uow, actor)
        return current, current
    locked = {user.id: user for user in await uow.users.lock_all([actor.id, other_id])}
    return check_still_current(actor, locked.get(actor.id)), locked.get(other_id)


def check_still_current(authenticated: User, current: User | None) -> User:
    """`current` is the actor's row read under a lock; a role or status change revokes tokens."""
    if (
        current is None
        or not current.is_active
        or current.token_version != authenticated.token_version
    ):
        raise AuthenticationFailed("The access token is no longer valid.")
    return current
