"""Hostile query parameters, on SQLite and on PostgreSQL (which refuses a NUL in any text).

Every text a client sends goes through the domain's cleaning, query parameters included: a
control character is a 400 naming the parameter, never a 500 from the database.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e import both_databases
from tests.e2e.actors import Actor, create_room
from tests.e2e.conftest import assert_problem

container = both_databases.container
client = both_databases.client


def fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


# Every query parameter of every listing, each given a control character.
PARAMETERS = [
    ("/rooms", "building"),
    ("/rooms", "feature"),
    ("/rooms", "min_capacity"),
    ("/bookings", "room_id"),
    ("/bookings", "requester_id"),
    ("/bookings", "status"),
    ("/bookings", "from"),
    ("/bookings", "to"),
    ("/admin/users", "q"),
    ("/admin/users", "role"),
    ("/admin/audit", "entity"),
    ("/admin/audit", "entity_id"),
    ("/admin/audit", "actor_id"),
    ("/admin/audit", "from"),
    ("/admin/audit", "to"),
]
# Not line breaks: those are white space, collapsed by the cleaning as in any body text.
CONTROL = {"nul": "\x00", "escape": "\x1b[31m", "bell": "a\x07b", "c1 control": "\x9b2J"}


@pytest.mark.parametrize("value", CONTROL.values(), ids=list(CONTROL))
@pytest.mark.parametrize(("path", "name"), PARAMETERS, ids=[f"{p} {n}" for p, n in PARAMETERS])
async def test_control_character_in_a_query_parameter_is_refused_naming_it(
    client: httpx.AsyncClient, admin: Actor, path: str, name: str, value: str
) -> None:
    response = await client.get(path, params={name: value}, headers=admin.headers)

    assert fields(assert_problem(response, 400)) == [name]


async def test_building_filter_is_cleaned_as_the_building_was(
    client: httpx.AsyncClient, staff: Actor
) -> None:
    """The control: the filter meets the same cleaning as the stored value, so it still finds it."""
    room = await create_room(client, staff, "Lab", building="Main  Hall")

    response = await client.get("/rooms", params={"building": " Main Hall "}, headers=staff.headers)

    assert response.status_code == 200, response.text
    assert [found["id"] for found in response.json()["items"]] == [room["id"]]


async def test_feature_filter_with_a_nul_tag_is_refused_naming_it(
    client: httpx.AsyncClient, staff: Actor
) -> None:
    tags = [("feature", "projector"), ("feature", "pro\x00jector")]

    response = await client.get("/rooms", params=tags, headers=staff.headers)

    assert fields(assert_problem(response, 400)) == ["feature"]


async def test_empty_search_text_lists_everyone(client: httpx.AsyncClient, admin: Actor) -> None:
    """The control for `q`: an empty or blank search is no filter at all, as before."""
    for q in ("", "   "):
        response = await client.get("/admin/users", params={"q": q}, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert [user["id"] for user in response.json()["items"]] == [str(admin.id)]


@pytest.mark.parametrize("name", ["building", "q"])
async def test_format_character_in_a_search_text_is_refused_naming_it(
    client: httpx.AsyncClient, admin: Actor, name: str
) -> None:
    path = "/rooms" if name == "building" else "/admin/users"

    response = await client.get(path, params={name: "Main\u202e"}, headers=admin.headers)

    assert fields(assert_problem(response, 400)) == [name]
