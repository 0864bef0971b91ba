"""JwtTokenService: what it issues comes back whole; anything else is refused the same way."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.application.ports import TokenClaims
from campus_booking.domain.errors import AuthenticationFailed
from campus_booking.domain.users import Role, User
from tests.conftest import TEST_SECRET

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TTL = 3600
ISSUER = "campus-booking"
AUDIENCE = "campus-booking-api"
REFUSED = "The access token is invalid or expired."
USER_ID = uuid.UUID("4f0c1b9e-8a56-4d1e-9d3c-1f2e3a4b5c6d")
OTHER_SECRET = "another-secret-that-is-also-long-enough-0123456789"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def tokens(clock: FixedClock) -> JwtTokenService:
    return JwtTokenService(
        secret=TEST_SECRET, ttl_seconds=TTL, issuer=ISSUER, audience=AUDIENCE, clock=clock
    )


def claims(**changes: Any) -> dict[str, Any]:
    """A payload the service accepts at NOW; `changes` replace claims, None removes one."""
    now = int(NOW.timestamp())
    payload = {
        "sub": str(USER_ID),
        "role": "STAFF",
        "ver": 2,
        "iat": now,
        "nbf": now,
        "exp": now + TTL,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": uuid.uuid4().hex,
    }
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not None}


def signed(payload: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    """Signs the payload as given: PyJWS, unlike `jwt.encode`, does not police the claims."""
    return jwt.PyJWS().encode(json.dumps(payload).encode(), key, algorithm=algorithm)


def assert_refused(tokens: JwtTokenService, token: str) -> None:
    with pytest.raises(AuthenticationFailed) as error:
        tokens.verify(token)
    assert error.value.message == REFUSED


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_an_issued_token_verifies_to_the_users_claims(tokens: JwtTokenService) -> None:
    user = User(
        email="ana@uni.edu", full_name="Ana", password_hash="x", created_at=NOW, role=Role.STAFF
    )
    user.token_version = 3

    issued = tokens.issue(user)

    assert issued.expires_in == TTL
    assert tokens.verify(issued.token) == TokenClaims(
        user_id=user.id, role=Role.STAFF, token_version=3
    )
    assert jwt.get_unverified_header(issued.token)["alg"] == "HS256"
    payload = jwt.decode(issued.token, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == TTL
    assert (payload["sub"], payload["role"], payload["ver"]) == (str(user.id), "STAFF", 3)
    assert (payload["iss"], payload["aud"]) == (ISSUER, AUDIENCE)


def test_a_hand_crafted_valid_token_is_accepted(tokens: JwtTokenService) -> None:
    """The baseline for the refusals below: `claims()` unchanged is a good token."""
    assert tokens.verify(signed(claims())) == TokenClaims(
        user_id=USER_ID, role=Role.STAFF, token_version=2
    )


def test_alg_none_built_by_hand_is_refused(tokens: JwtTokenService) -> None:
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}."
    assert_refused(tokens, token)


def test_alg_none_from_pyjwt_is_refused(tokens: JwtTokenService) -> None:
    assert_refused(tokens, jwt.encode(claims(), None, algorithm="none"))


def test_a_token_signed_with_another_key_is_refused(tokens: JwtTokenService) -> None:
    assert_refused(tokens, signed(claims(), key=OTHER_SECRET))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_hs512_with_the_right_key_is_refused(tokens: JwtTokenService) -> None:
    assert_refused(tokens, signed(claims(), algorithm="HS512"))


@pytest.mark.parametrize("issuer", ["someone-else", "campus", "campus-booking-x", [ISSUER]])
def test_a_wrong_issuer_is_refused(tokens: JwtTokenService, issuer: Any) -> None:
    assert_refused(tokens, signed(claims(iss=issuer)))


@pytest.mark.parametrize("audience", ["someone-else", "campus-booking", ["other-api"]])
def test_a_wrong_audience_is_refused(tokens: JwtTokenService, audience: Any) -> None:
    assert_refused(tokens, signed(claims(aud=audience)))


@pytest.mark.parametrize("missing", ["sub", "role", "ver", "exp", "iat", "iss", "aud", "jti"])
def test_a_token_missing_a_required_claim_is_refused(tokens: JwtTokenService, missing: str) -> None:
    payload = claims()
    del payload[missing]
    assert_refused(tokens, signed(payload))


def test_a_token_expires_after_its_ttl_and_the_leeway(
    tokens: JwtTokenService, clock: FixedClock
) -> None:
    user = User(email="a@uni.edu", full_name="A", password_hash="x", created_at=NOW)
    token = tokens.issue(user).token
    assert tokens.verify(token).user_id == user.id

    clock.advance(timedelta(seconds=TTL + 30))
    assert_refused(tokens, token)


def test_a_token_just_inside_the_leeway_is_accepted(
    tokens: JwtTokenService, clock: FixedClock
) -> None:
    user = User(email="a@uni.edu", full_name="A", password_hash="x", created_at=NOW)
    token = tokens.issue(user).token
    clock.advance(timedelta(seconds=TTL + 29))
    assert tokens.verify(token).user_id == user.id


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_a_token_from_the_future_beyond_the_leeway_is_refused(
    tokens: JwtTokenService, claim: str
) -> None:
    assert_refused(tokens, signed(claims(**{claim: int(NOW.timestamp()) + 31})))


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_clock_skew_within_the_leeway_is_tolerated(tokens: JwtTokenService, claim: str) -> None:
    token = signed(claims(**{claim: int(NOW.timestamp()) + 30}))
    assert tokens.verify(token).user_id == USER_ID


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ["9999999999", True, [1]])
def test_a_time_claim_that_is_not_a_number_is_refused(
    tokens: JwtTokenService, claim: str, value: Any
) -> None:
    assert_refused(tokens, signed(claims(**{claim: value})))


@pytest.mark.parametrize("version", ["2", 2.0, 2.5, True, [2]])
def test_a_non_integer_token_version_is_refused(tokens: JwtTokenService, version: Any) -> None:
    assert_refused(tokens, signed(claims(ver=version)))


@pytest.mark.parametrize("subject", ["not-a-uuid", "", "1234", 1234])
def test_a_subject_that_is_not_a_uuid_is_refused(tokens: JwtTokenService, subject: Any) -> None:
    assert_refused(tokens, signed(claims(sub=subject)))


@pytest.mark.parametrize("role", ["SUPERUSER", "admin", "", 1])
def test_an_unknown_role_is_refused(tokens: JwtTokenService, role: Any) -> None:
    assert_refused(tokens, signed(claims(role=role)))


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", "a.b", "Bearer x.y.z", "..", "eyJhbGciOiJIUzI1NiJ9.e30.x"],
)
def test_garbage_is_refused(tokens: JwtTokenService, token: str) -> None:
    assert_refused(tokens, token)


def test_a_token_with_its_payload_swapped_is_refused(tokens: JwtTokenService) -> None:
    header, _, signature = signed(claims(role="STUDENT")).split(".")
    assert_refused(tokens, f"{header}.{b64(claims(role='ADMIN'))}.{signature}")


def signed_json(payload: str) -> str:
    """Signs a payload written by hand: `1e999` is valid JSON that Python reads as infinity."""
    return jwt.PyJWS().encode(payload.encode(), TEST_SECRET, algorithm="HS256")


NON_FINITE = {
    "nan": float("nan"),
    "infinity": float("inf"),
    "minus infinity": float("-inf"),
}


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", NON_FINITE.values(), ids=list(NON_FINITE))
def test_a_non_finite_time_claim_is_refused(
    tokens: JwtTokenService, claim: str, value: float
) -> None:
    """A NaN `exp` never compared as past, so the token never expired."""
    assert_refused(tokens, signed(claims(**{claim: value})))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_a_time_claim_too_big_for_a_float_is_refused(tokens: JwtTokenService, claim: str) -> None:
    payload = json.dumps(claims(**{claim: 0})).replace(f'"{claim}": 0', f'"{claim}": 1e999')
    assert f'"{claim}": 1e999' in payload

    assert_refused(tokens, signed_json(payload))


def test_a_non_finite_token_is_refused_again_on_its_next_use(tokens: JwtTokenService) -> None:
    """Checked signatures are kept per process: a refused token must never be among them."""
    token = signed(claims(exp=float("nan")))

    for _ in range(3):
        assert_refused(tokens, token)


def test_a_kept_token_still_expires(tokens: JwtTokenService, clock: FixedClock) -> None:
    """The control for the cache: once kept, a finite token is still timed on every use."""
    token = signed(claims())
    assert tokens.verify(token).user_id == USER_ID

    clock.set(NOW + timedelta(seconds=TTL + 31))

    assert_refused(tokens, token)
