"""Signed access tokens (JWT, HS256) carrying the user's id, role and token version."""

from __future__ import annotations

import functools
import math
import uuid
from datetime import timedelta

import jwt

from campus_booking.application.ports import AccessToken, Clock, TokenClaims
from campus_booking.domain.errors import AuthenticationFailed
from campus_booking.domain.users import Role, User

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "role", "ver", "exp", "iat", "iss", "aud", "jti"]
LEEWAY_SECONDS = 30
# Tokens whose signature and claims were checked, kept per process: a client sends its
# token with every request, and checking the signature was a tenth of a GET /auth/me.
VERIFIED_TOKENS_KEPT = 4096


class JwtTokenService:
    def __init__(
        self,
        *,
        secret: str,
        ttl_seconds: int,
        issuer: str,
        audience: str,
        clock: Clock,
    ) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._issuer = issuer
        self._audience = audience
        self._clock = clock
        # Only tokens that pass are kept (an exception is never cached); times are checked
        # against the clock on every use, so a kept token still expires.
        self._checked = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._check_signed)

    def issue(self, user: User) -> AccessToken:
        now = self._clock.now()
        claims = {
            "sub": str(user.id),
            "role": user.role.value,
            "ver": user.token_version,
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=self._ttl),
            "iss": self._issuer,
            "aud": self._audience,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return AccessToken(token=token, expires_in=self._ttl)

    def verify(self, token: str) -> TokenClaims:
        try:
            times, claims = self._checked(token)
            self._check_times(times)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise AuthenticationFailed("The access token is invalid or expired.") from error
        return claims

    def _check_signed(self, token: str) -> tuple[dict[str, float], TokenClaims]:
        """The signature and every claim; the times are read (finite numbers), not compared:
        they change meaning as time passes."""
        claims = jwt.decode(
            token,
            self._secret,
            algorithms=[ALGORITHM],
            audience=self._audience,
            issuer=self._issuer,
            # Times are checked in `verify`, on every use, against our clock (the one that
            # issued them).
            options={
                "require": REQUIRED_CLAIMS,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        # Finite numbers only: NaN compares false with any time, so it never expired, and
        # JSON parsers read `Infinity` or `1e999` as infinite. A token refused here is
        # never kept, so it is refused as well on every later use.
        times: dict[str, float] = {
            t: _as_time(claims[t]) for t in ("exp", "iat", "nbf") if t in claims
        }
        return times, TokenClaims(
            user_id=uuid.UUID(claims["sub"]),
            role=Role(claims["role"]),
            token_version=_as_int(claims["ver"]),
        )

    def _check_times(self, times: dict[str, float]) -> None:
        now = self._clock.now().timestamp()
        if times["exp"] <= now - LEEWAY_SECONDS:
            raise ValueError("token expired")
        if times["iat"] > now + LEEWAY_SECONDS:
            raise ValueError("token issued in the future")
        if "nbf" in times and times["nbf"] > now + LEEWAY_SECONDS:
            raise ValueError("token not valid yet")


def _as_time(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("a time claim must be a number")
    if not math.isfinite(value):
        raise ValueError("a time claim must be a finite number")
    return float(value)


def _as_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("token version must be an integer")
    return value
