"""Wire schema of a user, as every endpoint shows one: never the password hash."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from campus_booking.domain.users import Role, User


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            is_active=user.is_active,
            created_at=user.created_at,
        )
