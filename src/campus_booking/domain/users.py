"""Users and their roles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.events import (
    DomainEvent,
    Fields,
    RecordsEvents,
    UserActivationChanged,
    UserPasswordChanged,
    UserRegistered,
    UserRoleChanged,
    UserSignedOutEverywhere,
)
from campus_booking.domain.text import clean_text

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password would be silently cut
MAX_EMAIL_LENGTH = 254
MAX_FULL_NAME_LENGTH = 200
MAX_SEARCH_LENGTH = MAX_EMAIL_LENGTH  # a search looks into emails and full names

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class Role(StrEnum):
    STUDENT = "STUDENT"
    STAFF = "STAFF"
    ADMIN = "ADMIN"


def normalise_email(raw: str) -> str:
    """One spelling per mailbox: NFKC folds full-width and compatibility forms, then lower case.

    Without it, `Ana@Uni.edu` and its full-width spelling could register as two accounts.
    The domain is then written in its IDNA ASCII form (`bücher.example` becomes
    `xn--bcher-kva.example`), the one a domain has in DNS and in mail without SMTPUTF8:
    the Unicode and the ASCII spelling of one domain are one account, and a look-alike
    domain in another script shows as what it is (`xn--...`) in every list. The standard
    library's codec is IDNA 2003, which also maps `ß` to `ss` in a domain.
    """
    email = unicodedata.normalize("NFKC", raw).strip().lower()
    invisible = any(unicodedata.category(char).startswith("C") for char in email)
    if invisible or not _EMAIL.match(email):
        raise InvalidValue("email", "is not a valid email address")
    local, _, domain = email.rpartition("@")
    try:
        email = f"{local}@{domain.encode('idna').decode('ascii').lower()}"
    except UnicodeError:  # a label too long, or holding what IDNA forbids
        raise InvalidValue("email", "is not a valid email address") from None
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise InvalidValue("email", "is not a valid email address")
    return email


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue("password", f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise InvalidValue("password", f"must be at most {MAX_PASSWORD_BYTES} bytes long in UTF-8")


def clean_full_name(raw: str) -> str:
    return clean_text(raw, "full_name", MAX_FULL_NAME_LENGTH)


@dataclass(eq=False, slots=True)
class User(RecordsEvents):
    email: str
    full_name: str
    password_hash: str
    created_at: datetime
    role: Role = Role.STUDENT
    is_active: bool = True
    token_version: int = 0
    id: UUID = field(default_factory=uuid4)
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        email: str,
        full_name: str,
        password_hash: str,
        now: datetime,
        role: Role = Role.STUDENT,
        self_service: bool,
    ) -> User:
        """`self_service`: the new user signs up themselves, and is the actor; otherwise the
        account is made from the command line, outside any account."""
        user = cls(
            email=normalise_email(email),
            full_name=clean_full_name(full_name),
            password_hash=password_hash,
            created_at=now,
            role=role,
        )
        actor = user.id if self_service else None
        user._record(UserRegistered, by=actor, at=now, after=user.trail_fields())
        return user

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def trail_fields(self) -> Fields:
        """Never the password hash or the token version."""
        return {
            "email": self.email,
            "full_name": self.full_name,
            "role": self.role.value,
            "is_active": self.is_active,
        }

    def change_role(self, role: Role, *, by: UUID, at: datetime) -> None:
        if role != self.role:
            before = self.trail_fields()
            self.role = role
            self._revoke_tokens()
            self._record_change(UserRoleChanged, before, by=by, at=at)

    def deactivate(self, *, by: UUID, at: datetime) -> None:
        self._set_active(False, by=by, at=at)

    def activate(self, *, by: UUID, at: datetime) -> None:
        self._set_active(True, by=by, at=at)

    def sign_out_everywhere(self, *, by: UUID, at: datetime) -> None:
        self._revoke_tokens()
        self._record(UserSignedOutEverywhere, by=by, at=at)

    def change_password(self, password_hash: str, *, by: UUID, at: datetime) -> None:
        """A new password ends every session signed in with the old one."""
        self.password_hash = password_hash
        self._revoke_tokens()
        self._record(UserPasswordChanged, by=by, at=at)

    def _set_active(self, active: bool, *, by: UUID, at: datetime) -> None:
        if active != self.is_active:
            before = self.trail_fields()
            self.is_active = active
            self._revoke_tokens()
            self._record_change(UserActivationChanged, before, by=by, at=at)

    def _revoke_tokens(self) -> None:
        """Tokens carry the version they were issued at; an older version no longer signs in."""
        self.token_version += 1
