"""/admin/users: admins list users and change their role or status, never losing the last admin."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from campus_booking.domain.users import Role
from tests.e2e.actors import UNKNOWN_ID, Actor, Actors, stored_user
from tests.e2e.conftest import PASSWORD, assert_problem, login, register

USER_KEYS = {"id", "email", "full_name", "role", "is_active", "created_at"}


async def users_page(client: AsyncTestClient[Any], actor: Actor, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/admin/users{query}", headers=actor.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def emails(page: dict[str, Any]) -> list[str]:
    return [user["email"] for user in page["items"]]


async def change(client: AsyncTestClient[Any], actor: Actor, user: Actor, body: Any) -> Any:
    return await client.patch(f"/admin/users/{user.id}", json=body, headers=actor.headers)


async def me(client: AsyncTestClient[Any], token: str) -> Any:
    return await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})


# --- listing ------------------------------------------------------------------------------


async def test_admin_lists_users_ordered_by_email(
    client: AsyncTestClient[Any], admin: Actor, staff: Actor, student: Actor
) -> None:
    page = await users_page(client, admin)

    assert emails(page) == [admin.email, staff.email, student.email]
    assert (page["total"], page["limit"], page["offset"]) == (3, 50, 0)
    assert all(set(user) == USER_KEYS for user in page["items"])
    assert [user["role"] for user in page["items"]] == ["ADMIN", "STAFF", "STUDENT"]


@pytest.mark.parametrize("role", ["staff", "student"])
async def test_non_admins_cannot_list_users(
    client: AsyncTestClient[Any], actors: Actors, role: str
) -> None:
    caller = await getattr(actors, role)()

    assert_problem(await client.get("/admin/users", headers=caller.headers), 403)


async def test_anonymous_caller_cannot_list_users(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/admin/users"), 401)


async def test_role_filter_keeps_that_role_only(
    client: AsyncTestClient[Any], admin: Actor, staff: Actor, student: Actor
) -> None:
    page = await users_page(client, admin, "?role=STAFF")

    assert (emails(page), page["total"]) == ([staff.email], 1)


async def test_q_matches_email_or_name_ignoring_case(
    client: AsyncTestClient[Any], admin: Actor
) -> None:
    for email, full_name in (
        ("maria@uni.example", "Zed Quinn"),
        ("bob@lab.example", "Maria Lopez"),
        ("carl@uni.example", "Carl Berg"),
    ):
        assert (await register(client, email, full_name=full_name)).status_code == 201

    by_both = await users_page(client, admin, "?q=MARIA")
    by_name = await users_page(client, admin, "?q=quInN")
    by_email = await users_page(client, admin, "?q=LAB.EX")

    assert (emails(by_both), by_both["total"]) == (["bob@lab.example", "maria@uni.example"], 2)
    assert emails(by_name) == ["maria@uni.example"]
    assert emails(by_email) == ["bob@lab.example"]


async def test_users_are_paginated(
    client: AsyncTestClient[Any], admin: Actor, staff: Actor, student: Actor
) -> None:
    page = await users_page(client, admin, "?limit=1&offset=1")

    assert emails(page) == [staff.email]
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)


# --- changing -----------------------------------------------------------------------------


async def test_role_change_signs_the_user_out_and_a_new_login_carries_the_new_role(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    response = await change(client, admin, student, {"role": "STAFF"})

    assert response.status_code == 200, response.text
    assert set(response.json()) == USER_KEYS
    assert response.json()["role"] == "STAFF"
    assert_problem(await me(client, student.token), 401)
    fresh = await me(client, await login(client, student.email))
    assert fresh.status_code == 200
    assert fresh.json()["role"] == "STAFF"


async def test_deactivated_user_is_signed_out_and_cannot_log_in(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    response = await change(client, admin, student, {"is_active": False})

    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert_problem(await me(client, student.token), 401)
    attempt = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD}
    )
    assert_problem(attempt, 401)


async def test_reactivated_user_can_log_in_again(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    assert (await change(client, admin, student, {"is_active": False})).status_code == 200

    response = await change(client, admin, student, {"is_active": True})

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert (await me(client, await login(client, student.email))).status_code == 200


@pytest.mark.parametrize("body", [{"role": "STAFF"}, {"role": "STUDENT"}, {"is_active": False}])
async def test_last_active_admin_cannot_be_demoted_or_deactivated(
    client: AsyncTestClient[Any], container: Container, admin: Actor, body: dict[str, Any]
) -> None:
    response = await change(client, admin, admin, body)

    assert_problem(response, 409)
    stored = await stored_user(container, admin.id)
    assert (stored.role, stored.is_active) == (Role.ADMIN, True)
    again = await me(client, admin.token)
    assert again.status_code == 200
    assert again.json()["role"] == "ADMIN"


async def test_with_two_admins_one_demotes_the_other_but_not_then_itself(
    client: AsyncTestClient[Any], actors: Actors, admin: Actor
) -> None:
    second = await actors.admin("second")

    demoted = await change(client, admin, second, {"role": "STAFF"})
    self_demotion = await change(client, admin, admin, {"role": "STAFF"})

    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["role"] == "STAFF"
    assert_problem(self_demotion, 409)
    assert (await me(client, admin.token)).json()["role"] == "ADMIN"


@pytest.mark.parametrize(
    ("field", "value"), [("email", "new@uni.example"), ("token_version", 0), ("password", "x")]
)
async def test_unknown_fields_are_refused_and_change_nothing(
    client: AsyncTestClient[Any],
    container: Container,
    admin: Actor,
    student: Actor,
    field: str,
    value: Any,
) -> None:
    response = await change(client, admin, student, {"role": "STAFF", field: value})

    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == [field]
    stored = await stored_user(container, student.id)
    assert (stored.email, stored.role, stored.token_version) == (student.email, Role.STUDENT, 0)
    assert (await me(client, student.token)).status_code == 200


async def test_changing_an_unknown_user_is_404(client: AsyncTestClient[Any], admin: Actor) -> None:
    response = await client.patch(
        f"/admin/users/{UNKNOWN_ID}", json={"role": "STAFF"}, headers=admin.headers
    )

    assert_problem(response, 404)


@pytest.mark.parametrize("role", ["staff", "student"])
async def test_non_admins_cannot_change_users(
    client: AsyncTestClient[Any], container: Container, actors: Actors, role: str
) -> None:
    caller = await getattr(actors, role)("caller")
    target = await actors.student("target")

    response = await change(client, caller, target, {"role": "ADMIN"})

    assert_problem(response, 403)
    stored = await stored_user(container, target.id)
    assert (stored.role, stored.is_active, stored.token_version) == (Role.STUDENT, True, 0)
    assert (await me(client, target.token)).json()["role"] == "STUDENT"
