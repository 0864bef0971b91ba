"""Registration, sign-in (OAuth2 password flow), sign-out, password change, the current user."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody

from campus_booking.adapters.http.openapi import RESPONSE_LINKS, links_to
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, PUBLIC
from campus_booking.adapters.http.strict import EMAIL_FORMAT, FILLED_TEXT
from campus_booking.adapters.http.users import UserOut
from campus_booking.application.auth import (
    Authenticate,
    AuthenticateCommand,
    RegisterUser,
    RegisterUserCommand,
)
from campus_booking.application.sessions import (
    ChangePassword,
    ChangePasswordCommand,
    SignOutEverywhere,
)
from campus_booking.domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_FULL_NAME_LENGTH,
    MAX_PASSWORD_BYTES,
    MIN_PASSWORD_LENGTH,
    User,
)


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    """New accounts are always students: a `role` or any other extra field is refused."""

    email: Annotated[
        str,
        msgspec.Meta(
            min_length=3,
            max_length=MAX_EMAIL_LENGTH,
            examples=["ana@uni.example"],
            extra_json_schema=EMAIL_FORMAT,
        ),
    ]
    password: Annotated[
        str,
        msgspec.Meta(
            min_length=MIN_PASSWORD_LENGTH,
            max_length=MAX_PASSWORD_BYTES,
            description=f"{MIN_PASSWORD_LENGTH} characters to {MAX_PASSWORD_BYTES} bytes (UTF-8).",
        ),
    ]
    full_name: Annotated[
        str, msgspec.Meta(min_length=1, max_length=MAX_FULL_NAME_LENGTH, pattern=FILLED_TEXT)
    ]


class LoginForm(msgspec.Struct):
    """OAuth2 password grant: `username` is the email. Clients may send `scope` or `client_id`."""

    username: Annotated[str, msgspec.Meta(max_length=MAX_EMAIL_LENGTH)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    grant_type: Literal["password"] | None = None
    scope: str = ""


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024)]
    new_password: Annotated[
        str,
        msgspec.Meta(
            min_length=MIN_PASSWORD_LENGTH,
            max_length=MAX_PASSWORD_BYTES,
            description=f"{MIN_PASSWORD_LENGTH} characters to {MAX_PASSWORD_BYTES} bytes (UTF-8).",
        ),
    ]


class TokenOut(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/register",
        opt={**PUBLIC, RESPONSE_LINKS: links_to("user_id", "change_user")},
        summary="Create a student account",
        responses=problem_responses(400, 409, 413, 415, 429, 503),
    )
    async def register(
        self,
        data: JSONBody[RegisterRequest],
        register_user: NamedDependency[RegisterUser],
        client_address: NamedDependency[str],
    ) -> UserOut:
        user = await register_user(
            RegisterUserCommand(
                email=data.email,
                password=data.password,
                full_name=data.full_name,
                client=client_address,
            )
        )
        return UserOut.of(user)

    @post(
        "/login",
        opt=PUBLIC,
        status_code=200,
        summary="Exchange email and password for an access token",
        response_headers={"Cache-Control": "no-store"},
        responses=problem_responses(400, 401, 413, 415, 429, 503),
    )
    async def login(
        self,
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        authenticate: NamedDependency[Authenticate],
        client_address: NamedDependency[str],
    ) -> TokenOut:
        token = await authenticate(
            AuthenticateCommand(email=data.username, password=data.password, client=client_address)
        )
        return TokenOut(access_token=token.token, expires_in=token.expires_in)

    @post(
        "/logout",
        security=BEARER,
        status_code=204,
        summary="Sign out everywhere: every token of the caller stops working",
        responses=problem_responses(400, 401, 503),
    )
    async def logout(
        self,
        current_user: NamedDependency[User],
        sign_out_everywhere: NamedDependency[SignOutEverywhere],
    ) -> None:
        await sign_out_everywhere(current_user)

    @post(
        "/password",
        security=BEARER,
        status_code=200,
        summary="Change the password; every other session ends, a fresh token is returned",
        response_headers={"Cache-Control": "no-store"},
        responses=problem_responses(400, 401, 409, 413, 415, 429, 503),
    )
    async def change_password(
        self,
        data: JSONBody[PasswordChange],
        current_user: NamedDependency[User],
        change_password: NamedDependency[ChangePassword],
        client_address: NamedDependency[str],
    ) -> TokenOut:
        token = await change_password(
            current_user,
            ChangePasswordCommand(
                current_password=data.current_password,
                new_password=data.new_password,
                client=client_address,
            ),
        )
        return TokenOut(access_token=token.token, expires_in=token.expires_in)

    @get(
        "/me", security=BEARER, summary="The signed-in user", responses=problem_responses(401, 503)
    )
    async def me(self, current_user: NamedDependency[User]) -> UserOut:
        return UserOut.of(current_user)
