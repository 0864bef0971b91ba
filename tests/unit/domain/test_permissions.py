"""The permissions table: every capability has its roles, and a refusal says what the API says.

Which use-case and route checks which capability, for each role: tests/unit/application/
test_permissions.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campus_booking.domain.errors import PermissionDenied
from campus_booking.domain.permissions import ROLES, Capability, check_may, may
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
# The capabilities of the schedule and its policies, which no use-case checks yet.
SCHEDULE = [
    Capability.MANAGE_OPENING_HOURS,
    Capability.MANAGE_CLOSURES,
    Capability.MANAGE_BOOKING_POLICIES,
    Capability.OVERRIDE_BOOKING_POLICY,
]


def user(role: Role) -> User:
    return User.register(
        email="someone@uni.example",
        full_name="Someone",
        password_hash="hash",
        now=NOW,
        role=role,
        self_service=False,
    )


def test_every_capability_has_a_row() -> None:
    assert set(ROLES) == set(Capability)


@pytest.mark.parametrize("capability", list(Capability))
@pytest.mark.parametrize("role", list(Role))
def test_check_may_passes_exactly_the_roles_that_may(role: Role, capability: Capability) -> None:
    if role in ROLES[capability]:
        assert check_may(user(role), capability) is None
    else:
        with pytest.raises(PermissionDenied):
            check_may(user(role), capability)


@pytest.mark.parametrize(
    ("capability", "message"),
    [
        (Capability.MANAGE_ROOMS, "This needs one of the roles: ADMIN, STAFF."),
        (Capability.DEACTIVATE_ROOMS, "This needs one of the roles: ADMIN."),
        (Capability.READ_AUDIT_LOG, "This needs one of the roles: ADMIN."),
        (Capability.LIST_INACTIVE_ROOMS, "Only staff and admins may list inactive rooms."),
    ],
)
def test_a_refusal_says_what_the_api_has_always_said(capability: Capability, message: str) -> None:
    with pytest.raises(PermissionDenied) as error:
        check_may(user(Role.STUDENT), capability)

    assert error.value.message == message


@pytest.mark.parametrize("capability", SCHEDULE)
@pytest.mark.parametrize(
    ("role", "expected"), [(Role.STUDENT, False), (Role.STAFF, True), (Role.ADMIN, True)]
)
def test_staff_and_admins_run_the_schedule_and_its_policies(
    capability: Capability, role: Role, expected: bool
) -> None:
    assert may(user(role), capability) is expected
