"""Bearer tokens (OWASP API2, broken authentication): forged, stale, expired or misplaced.

Every refusal is the same 401 problem with a `WWW-Authenticate: Bearer` challenge. Times are
relative to the suite's fixed clock, so the 30 s leeway is tested to the second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import delete

from campus_booking.adapters.database.tables import audit_log, users
from campus_booking.container import Container
from campus_booking.domain.users import Role
from tests.conftest import TEST_SECRET
from tests.e2e.actors import NOW, Actor
from tests.e2e.conftest import assert_problem, auth, claims_for, craft, deactivate, set_role

LEEWAY = timedelta(seconds=30)
SECOND = timedelta(seconds=1)
PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
-----END PUBLIC KEY-----
"""


async def me(client: AsyncTestClient[Any], headers: dict[str, Any] | None = None) -> Any:
    return await client.get("/auth/me", headers=headers or {})


def assert_unauthenticated(response: Any) -> None:
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def claims(actor: Actor, **changes: Any) -> dict[str, Any]:
    """What the service issues at NOW; `changes` replace claims, and None removes one."""
    issued = {
        **claims_for(actor.id, role=actor.role),
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + timedelta(hours=1),
    }
    issued.update(changes)
    return {name: value for name, value in issued.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def hand_signed(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    """A JWT signed with HMAC-SHA256 whatever its header claims: PyJWT refuses to make these."""
    payload = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in payload.items()}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


# --- controls: the crafting helpers make tokens the service accepts ------------------------


async def test_crafted_token_with_correct_claims_is_accepted(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    """Guards the crafting helper: the tokens spoiled below differ in one claim only."""
    assert (await me(client, auth(craft(claims(student))))).status_code == 200
    token = hand_signed({"alg": "HS256", "typ": "JWT"}, claims(student), TEST_SECRET.encode())
    assert (await me(client, auth(token))).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": NOW - LEEWAY + SECOND},
        {"nbf": NOW + LEEWAY - SECOND},
        {"iat": NOW + LEEWAY - SECOND},
    ],
    ids=["exp", "nbf", "iat"],
)
async def test_clock_skew_within_the_leeway_is_accepted(
    client: AsyncTestClient[Any], student: Actor, changes: dict[str, Any]
) -> None:
    """The times refused below are refused for the second past the leeway, not before."""
    assert (await me(client, auth(craft(claims(student, **changes))))).status_code == 200


# --- signature and algorithm --------------------------------------------------------------


async def test_alg_none_token(client: AsyncTestClient[Any], student: Actor) -> None:
    token = jwt.encode(claims(student), key=None, algorithm="none")

    assert_unauthenticated(await me(client, auth(token)))


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none_token_with_the_original_payload(
    client: AsyncTestClient[Any], student: Actor, alg: str
) -> None:
    _, payload, _ = student.token.split(".")
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())

    assert_unauthenticated(await me(client, auth(f"{header}.{payload}.")))


async def test_token_signed_with_another_secret(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    token = craft(claims(student), secret="another-secret-" + "x" * 40)

    assert_unauthenticated(await me(client, auth(token)))


async def test_tampered_payload_with_the_original_signature(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    header, payload, signature = student.token.split(".")
    forged_claims = {**json.loads(_unb64(payload)), "role": "ADMIN"}
    forged = ".".join([header, _b64(json.dumps(forged_claims).encode()), signature])

    assert_unauthenticated(await me(client, auth(forged)))


async def test_rs256_header_on_a_token_signed_with_the_secret(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    """Algorithm confusion: only HS256 is accepted, whatever key the header points at."""
    token = hand_signed({"alg": "RS256", "typ": "JWT"}, claims(student), TEST_SECRET.encode())

    assert_unauthenticated(await me(client, auth(token)))


async def test_hs256_signed_with_a_public_key_as_the_secret(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    """Algorithm confusion the other way: an attacker HMACs with a key they know is public."""
    token = hand_signed({"alg": "HS256", "typ": "JWT"}, claims(student), PUBLIC_KEY.encode())

    assert_unauthenticated(await me(client, auth(token)))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_hs512_signed_with_the_right_secret(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    """The allow-list holds one algorithm; a stronger one is refused all the same."""
    assert_unauthenticated(await me(client, auth(craft(claims(student), algorithm="HS512"))))


async def test_token_naming_its_own_key_in_a_jwk_header(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    """CVE-2018-0114 style: the header carries the attacker's key, which signs the token."""
    key = b"attacker-key-" + b"x" * 32
    header = {"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": _b64(key)}}

    assert_unauthenticated(await me(client, auth(hand_signed(header, claims(student), key))))


# --- claims -------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "ver", "iss", "aud"])
async def test_token_missing_a_required_claim(
    client: AsyncTestClient[Any], student: Actor, missing: str
) -> None:
    token = craft(claims(student, **{missing: None}))

    assert_unauthenticated(await me(client, auth(token)))


async def test_expired_token(client: AsyncTestClient[Any], student: Actor) -> None:
    past = NOW - timedelta(hours=2)
    token = craft(claims(student, iat=past, nbf=past, exp=NOW - LEEWAY - SECOND))

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_not_valid_before_a_time_beyond_the_leeway(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    token = craft(claims(student, nbf=NOW + LEEWAY + SECOND))

    assert_unauthenticated(await me(client, auth(token)))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "infinity"])
async def test_token_with_a_non_finite_time(
    client: AsyncTestClient[Any], student: Actor, claim: str, value: float
) -> None:
    """A NaN or infinite `exp` never passed, so such a token never expired; twice, as checked
    signatures are kept between requests."""
    token = craft(claims(student, **{claim: value}))

    for _ in range(2):
        assert_unauthenticated(await me(client, auth(token)))


async def test_token_issued_in_the_future(client: AsyncTestClient[Any], student: Actor) -> None:
    future = NOW + LEEWAY + SECOND
    token = craft(claims(student, iat=future, nbf=future))

    assert_unauthenticated(await me(client, auth(token)))


async def test_wrong_issuer(client: AsyncTestClient[Any], student: Actor) -> None:
    token = craft(claims(student, iss="someone-else"))

    assert_unauthenticated(await me(client, auth(token)))


async def test_wrong_audience(client: AsyncTestClient[Any], student: Actor) -> None:
    token = craft(claims(student, aud="another-api"))

    assert_unauthenticated(await me(client, auth(token)))


# --- the user behind the token ------------------------------------------------------------


async def test_token_of_a_deleted_user(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    """Erased outright, audit trail and all, as a data-protection request might demand."""
    async with container.engine().begin() as connection:
        await connection.execute(delete(audit_log).where(audit_log.c.actor_id == student.id))
        result = await connection.execute(delete(users).where(users.c.id == student.id))
    assert result.rowcount == 1

    assert_unauthenticated(await me(client, auth(student.token)))


async def test_token_of_a_user_that_never_existed(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    token = craft(claims(student, sub=str(uuid.uuid4())))

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_of_a_deactivated_user(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    await deactivate(container, student.id)

    assert_unauthenticated(await me(client, auth(student.token)))


async def test_token_of_a_deactivated_user_carrying_its_current_version(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    """Deactivation bumps the version; this token has the new one, so only is_active stops it."""
    await deactivate(container, student.id)

    token = craft(claims(student, ver=1))

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_older_than_a_role_change(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    await set_role(container, student.id, Role.STAFF)

    assert_unauthenticated(await me(client, auth(student.token)))


# --- the Authorization header -------------------------------------------------------------

Shape = Callable[[str], Any]
SHAPES: dict[str, Shape] = {
    "basic scheme": lambda token: f"Basic {token}",
    "another scheme": lambda token: f"Token {token}",
    "no scheme": lambda token: token,
    "scheme alone": lambda _: "Bearer",
    "empty token": lambda _: "Bearer ",
    "not a jwt": lambda _: "Bearer not.a.jwt",
    "two segments": lambda token: "Bearer " + token.rsplit(".", 1)[0],
    "trailing garbage": lambda token: f"Bearer {token}x",
    "two tokens": lambda token: f"Bearer {token} {token}",
    "null": lambda _: "Bearer null",
    "huge": lambda _: "Bearer " + "A" * 6000,
    "binary": lambda _: b"Bearer \xff\xfe\x00\x01",
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=list(SHAPES))
async def test_malformed_authorization_header(
    client: AsyncTestClient[Any], student: Actor, shape: Shape
) -> None:
    assert_unauthenticated(await me(client, {"Authorization": shape(student.token)}))


async def test_no_authorization_header(client: AsyncTestClient[Any]) -> None:
    assert_unauthenticated(await me(client))


# --- the token anywhere but the header ----------------------------------------------------


@pytest.mark.parametrize("name", ["access_token", "token"])
async def test_token_only_in_the_query_string(
    client: AsyncTestClient[Any], student: Actor, name: str
) -> None:
    assert_unauthenticated(await client.get("/auth/me", params={name: student.token}))


@pytest.mark.parametrize("name", ["access_token", "token", "Authorization"])
async def test_token_only_in_a_cookie(
    client: AsyncTestClient[Any], student: Actor, name: str
) -> None:
    response = await client.get("/auth/me", headers={"Cookie": f"{name}={student.token}"})

    assert_unauthenticated(response)
