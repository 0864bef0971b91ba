"""Sign-out everywhere and password change: old tokens die, the hash never reaches the trail."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.container import Container
from campus_booking.domain.audit import Action
from tests.e2e.actors import Actor, stored_user
from tests.e2e.conftest import PASSWORD, assert_problem, auth, login

NEW_PASSWORD = "a new passphrase"


async def change(client: AsyncTestClient[Any], token: str, current: str, new: str) -> Any:
    return await client.post(
        "/auth/password",
        json={"current_password": current, "new_password": new},
        headers=auth(token),
    )


async def test_logout_ends_every_session_of_the_caller(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    other_device = await login(client, student.email)

    response = await client.post("/auth/logout", headers=auth(student.token))

    assert response.status_code == 204
    for token in (student.token, other_device):
        assert_problem(await client.get("/auth/me", headers=auth(token)), 401)
    assert (
        await client.get("/auth/me", headers=auth(await login(client, student.email)))
    ).is_success


async def test_a_password_change_ends_old_sessions_and_returns_a_working_token(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    other_device = await login(client, student.email)

    response = await change(client, student.token, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    fresh = response.json()["access_token"]
    assert (await client.get("/auth/me", headers=auth(fresh))).status_code == 200
    for token in (student.token, other_device):
        assert_problem(await client.get("/auth/me", headers=auth(token)), 401)
    old = await client.post("/auth/login", data={"username": student.email, "password": PASSWORD})
    assert_problem(old, 401)
    assert await login(client, student.email, NEW_PASSWORD)


async def test_the_audit_row_of_a_password_change_holds_no_hash(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    assert (await change(client, student.token, PASSWORD, NEW_PASSWORD)).status_code == 200
    new_hash = (await stored_user(container, student.id)).password_hash

    async with container.uow(read_only=True) as uow:
        page = await uow.audit.search(AuditFilter(entity_id=student.id), PageRequest())
    changed = [e for e in page.items if e.action is Action.PASSWORD_CHANGED]

    assert len(changed) == 1
    assert (changed[0].actor_id, changed[0].before, changed[0].after) == (
        student.id,
        None,
        None,
    )
    assert new_hash not in repr(page.items)
    assert NEW_PASSWORD not in repr(page.items)


async def test_a_stolen_token_cannot_guess_the_password_past_the_throttle(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    """Wrong current passwords count as failed sign-ins of the account from that address."""
    limit = container.settings().login_failures_per_account_and_client
    for _ in range(limit):
        wrong = await change(client, student.token, "not my password", NEW_PASSWORD)
        problem = assert_problem(wrong, 400)
        assert [e["field"] for e in problem["errors"]] == ["current_password"]

    throttled = await change(client, student.token, PASSWORD, NEW_PASSWORD)

    assert_problem(throttled, 429)
    assert "Retry-After" in throttled.headers
    assert (await stored_user(container, student.id)).token_version == 0


async def test_a_new_password_breaking_the_rules_is_refused_and_changes_nothing(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    before = await stored_user(container, student.id)

    for new in ("short", "é" * 40):
        problem = assert_problem(await change(client, student.token, PASSWORD, new), 400)
        assert [e["field"] for e in problem["errors"]] == ["new_password"]

    after = await stored_user(container, student.id)
    assert (after.password_hash, after.token_version) == (before.password_hash, 0)
