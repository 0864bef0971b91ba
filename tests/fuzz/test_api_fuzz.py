"""Schemathesis fuzzes every operation of the live OpenAPI document, signed in as each role.

The document is read from the app itself; each role then gets a freshly seeded database (see
conftest.py). Every phase runs: schema examples, coverage (boundary and invalid values, other
HTTP methods) and Hypothesis fuzzing, positive and negative. Checks: no 5xx, every status code
declared, the declared content type and the declared schema. A fixed seed and derandomized
Hypothesis make every run send the same cases, but for timestamps, which follow the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, HookContext
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import CONFIG, SIGN_OUT, Fuzzing, World, document_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_asgi(
    "/docs/openapi.json", document_app(), config=schemathesis.Config.from_dict(CONFIG)
)


@schema.parametrize()
def test_every_operation_conforms(case: Case, world: World) -> None:
    if _signs_the_fuzzer_out(case, world):
        return
    Fuzzing.count(world, case.operation.label)
    label = case.operation.label
    response = case.call_and_validate(app=world.app, headers=world.headers(label), checks=CHECKS)
    # Signed-in roles always send their own valid token: a 401 from a secured operation means
    # the fuzzer was signed out, and every later case of the role would test nothing but that.
    secured = case.operation.definition.raw.get("security")
    if world.token and label != SIGN_OUT and _documented(case) and secured:
        assert response.status_code != 401, "the fuzzer's valid token was refused"


def _documented(case: Case) -> bool:
    """Not one of the coverage phase's probes with a method the path does not document."""
    return case.method.upper() == case.operation.method.upper()


def _signs_the_fuzzer_out(case: Case, world: World) -> bool:
    """An admin changing its own role or status revokes the token the fuzzer goes on using."""
    return (
        case.operation.label == "PATCH /admin/users/{user_id}"
        and str((case.path_parameters or {}).get("user_id")) == world.user_id
    )


# --- generation hooks: real ids and plausible booking times, some of the time --------------

BOOKING_FIELDS = {"room_id", "starts_at", "ends_at", "title", "attendees"}


@schema.hook("flatmap_path_parameters")
def real_ids_in_the_path(context: HookContext, path_parameters: Any) -> Any:
    world = Fuzzing.world
    if world is None or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    choices = [st.just(path_parameters)]
    for name, ids in world.known_ids.items():
        if name in path_parameters:
            choices.append(st.sampled_from(ids).map(_replacing(path_parameters, name)))
    return st.one_of(choices)


@schema.hook("flatmap_body")
def plausible_bookings(context: HookContext, body: Any) -> Any:
    """Now and then, a booking body with a real room, a slot in the coming month, a plain title
    and a few attendees: enough to get past validation to the rules, the overlap checks and
    the approval workflow. (Random values of every field keep coming as well.)"""
    world = Fuzzing.world
    operation = context.operation
    if (
        world is None
        or operation is None
        or not operation.path.startswith("/bookings")
        or not isinstance(body, dict)
        or not {"starts_at", "ends_at"} & body.keys()
        or not body.keys() <= BOOKING_FIELDS  # a negative case, refused whatever the values
    ):
        return st.just(body)
    rooms = st.sampled_from(world.rooms) if "room_id" in body else st.none()

    def plausible(slot: dict[str, str], room_id: str | None) -> dict[str, Any]:
        room = {"room_id": room_id} if room_id else {}
        return {**body, **slot, **room, "title": "Seminar", "attendees": 2}

    return st.one_of(st.just(body), st.builds(plausible, _slots(world.now), rooms))


def _replacing(mapping: dict[str, Any], key: str) -> Any:
    return lambda value: {**mapping, key: value}


def _slots(now: datetime) -> st.SearchStrategy[dict[str, str]]:
    """Quarter-hour slots from the next hour to a month ahead, up to just over the 8-hour limit."""
    base = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    starts = st.integers(0, 4 * 24 * 30).map(lambda q: base + timedelta(minutes=15 * q))
    lengths = st.sampled_from([15, 30, 60, 120, 480, 495]).map(lambda m: timedelta(minutes=m))
    return st.tuples(starts, lengths).map(
        lambda slot: {
            "starts_at": slot[0].isoformat(),
            "ends_at": (slot[0] + slot[1]).isoformat(),
        }
    )
