"""The acting user, pinned for the length of a change.

A caller is authenticated before its unit of work begins, so a role change or deactivation can
commit in between. Every writer therefore locks the actor's row first (the first lock of the
order the `UnitOfWork` port describes) and re-reads it: a change to the actor that committed
meanwhile has revoked their tokens and is refused here, as on their next request, and one that
comes later waits until this change has committed. Every change is then authorised by the
role its actor holds when it commits.
"""

from __future__ import annotations

from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.errors import AuthenticationFailed
from campus_booking.domain.users import User


async def lock_actor(uow: UnitOfWork, actor: User) -> User:
    """The actor's row, locked and re-read; raises `AuthenticationFailed` if it changed."""
    current = await uow.users.get(actor.id, lock=True)
    return check_still_current(actor, current)


def check_still_current(authenticated: User, current: User | None) -> User:
    """`current` is the actor's row read under a lock; a role or status change revokes tokens."""
    if (
        current is None
        or not current.is_active
        or current.token_version != authenticated.token_version
    ):
        raise AuthenticationFailed("The access token is no longer valid.")
    return current
