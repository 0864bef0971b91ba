"""Users: email, password and name rules, roles, and when tokens are revoked."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.users import (
    Role,
    User,
    check_password_rules,
    clean_full_name,
    normalise_email,
)

NOW = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
ADMIN_ID = UUID("00000000-0000-0000-0000-000000000003")


def full_width(ascii_text: str) -> str:
    """The full-width forms (U+FF01..U+FF5E) of printable ASCII, e.g. "A" -> U+FF21."""
    return "".join(chr(ord(char) + 0xFEE0) for char in ascii_text)


FULL_WIDTH_ANA = full_width("ANA")
FULL_WIDTH_ADDRESS = full_width("ana@uni.example")  # the "@" and "." are full-width too


def register(role: Role = Role.STUDENT) -> User:
    return User.register(
        email="ana@uni.example",
        full_name="Ana Silva",
        password_hash="hash",
        now=NOW,
        role=role,
        self_service=False,
    )


# --- Email --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@uni.example", "ana@uni.example"),
        ("Ana@Uni.Example", "ana@uni.example"),
        ("  ana@uni.example\t\n", "ana@uni.example"),
        (FULL_WIDTH_ANA + "@uni.example", "ana@uni.example"),
        (FULL_WIDTH_ADDRESS, "ana@uni.example"),
        ("\u3000ana@uni.example\u3000", "ana@uni.example"),
        ("ana.silva+rooms@mail.uni.example", "ana.silva+rooms@mail.uni.example"),
    ],
    ids=[
        "already-normal",
        "mixed-case",
        "surrounding-whitespace",
        "full-width-local-part",
        "all-full-width",
        "ideographic-spaces",
        "dots-plus-and-subdomain",
    ],
)
def test_emails_are_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


def test_full_width_and_ascii_spellings_are_the_same_email() -> None:
    assert normalise_email(FULL_WIDTH_ANA + "@uni.example") == normalise_email("ana@uni.example")


@pytest.mark.parametrize(
    ("unicode", "ascii"),
    [
        ("ana@bücher.example", "ana@xn--bcher-kva.example"),
        ("ana@BÜCHER.example", "ana@xn--bcher-kva.example"),
        ("ana@mail.bücher.example", "ana@mail.xn--bcher-kva.example"),
        ("ana@例え.テスト", "ana@xn--r8jz45g.xn--zckzah"),
    ],
    ids=["latin", "upper case", "subdomain", "japanese"],
)
def test_unicode_and_idna_spellings_of_a_domain_are_the_same_email(
    unicode: str, ascii: str
) -> None:
    """The domain is kept in its IDNA ASCII form, whichever form was typed."""
    assert normalise_email(unicode) == normalise_email(ascii) == ascii
    assert normalise_email(ascii.upper()) == ascii


def test_the_local_part_keeps_its_unicode() -> None:
    """Only the domain has an ASCII form; a local part is the mail server's to interpret."""
    assert normalise_email("Jürgen@bücher.example") == "jürgen@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ana",
        "ana@",
        "@uni.example",
        "ana@uni",
        "ana@@uni.example",
        "ana@uni..example",
        "ana@.uni.example",
        "ana@uni.example.",
        "ana silva@uni.example",
        "ana@uni .example",
        "a@b@uni.example",
        "a" * 243 + "@uni.example",
        "ana@" + "b" * 64 + ".example",
        "ana@" + "ü" * 60 + ".example",
    ],
    ids=[
        "empty",
        "blank",
        "no-at",
        "no-domain",
        "no-local-part",
        "domain-without-dot",
        "double-at",
        "empty-domain-label",
        "domain-starts-with-dot",
        "domain-ends-with-dot",
        "space-in-local-part",
        "space-in-domain",
        "two-ats",
        "255-characters",
        "label-over-63-characters",
        "label-over-63-characters-in-idna",
    ],
)
def test_invalid_emails_are_refused_on_email(raw: str) -> None:
    with pytest.raises(InvalidValue) as error:
        normalise_email(raw)
    assert error.value.field == "email"


def test_an_email_of_254_characters_is_accepted() -> None:
    email = "a" * 242 + "@uni.example"
    assert len(email) == 254
    assert normalise_email(email) == email


# --- Password -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "",
        "1234567",
        "ç" * 7,
    ],
    ids=["empty", "seven-ascii", "seven-multibyte-characters-fourteen-bytes"],
)
def test_passwords_under_eight_characters_are_refused(password: str) -> None:
    with pytest.raises(InvalidValue) as error:
        check_password_rules(password)
    assert error.value.field == "password"


@pytest.mark.parametrize(
    "password",
    [
        "a" * 73,
        "é" * 37,  # 37 characters, 74 bytes
        "€" * 25,  # 25 characters, 75 bytes
        "a" * 71 + "é",  # 72 characters, 73 bytes
    ],
    ids=["73-ascii", "74-bytes-two-byte-chars", "75-bytes-three-byte-chars", "72-chars-73-bytes"],
)
def test_passwords_over_72_utf8_bytes_are_refused(password: str) -> None:
    with pytest.raises(InvalidValue) as error:
        check_password_rules(password)
    assert error.value.field == "password"
    assert "72 bytes" in error.value.reason


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "a" * 72,
        "é" * 36,
        "€" * 24,
        "a" * 70 + "é",
        "ççççççç1",
    ],
    ids=[
        "eight-ascii",
        "72-ascii",
        "72-bytes-two-byte-chars",
        "72-bytes-three-byte-chars",
        "71-chars-72-bytes",
        "eight-chars-with-multibyte",
    ],
)
def test_passwords_from_eight_characters_to_72_bytes_are_accepted(password: str) -> None:
    assert check_password_rules(password) is None


# --- Full name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ana Silva", "Ana Silva"),
        ("  Ana   Silva  ", "Ana Silva"),
        ("Ana\tMaria\nSilva", "Ana Maria Silva"),
        ("x" * 200, "x" * 200),
    ],
    ids=["clean", "extra-spaces", "tabs-and-newlines", "200-characters"],
)
def test_full_names_are_cleaned(raw: str, expected: str) -> None:
    assert clean_full_name(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "\t\n", "x" * 201], ids=["empty", "spaces", "tab-newline", "201-characters"]
)
def test_invalid_full_names_are_refused_on_full_name(raw: str) -> None:
    with pytest.raises(InvalidValue) as error:
        clean_full_name(raw)
    assert error.value.field == "full_name"


def test_a_name_only_over_the_limit_before_collapsing_spaces_is_accepted() -> None:
    raw = "Ana" + " " * 300 + "Silva"
    assert clean_full_name(raw) == "Ana Silva"


# --- Registration -------------------------------------------------------------------------


def test_register_normalises_and_defaults_to_an_active_student() -> None:
    user = User.register(
        email=f"  {FULL_WIDTH_ANA}@Uni.Example ",
        full_name=" Ana   Silva ",
        password_hash="hash",
        now=NOW,
        self_service=True,
    )
    assert user.email == "ana@uni.example"
    assert user.full_name == "Ana Silva"
    assert user.password_hash == "hash"
    assert user.created_at == NOW
    assert user.role is Role.STUDENT
    assert user.is_active is True
    assert user.token_version == 0


def test_register_keeps_the_role_given() -> None:
    assert register(Role.ADMIN).role is Role.ADMIN


@pytest.mark.parametrize(
    ("email", "full_name", "field"),
    [("not-an-email", "Ana Silva", "email"), ("ana@uni.example", "   ", "full_name")],
)
def test_register_refuses_invalid_input(email: str, full_name: str, field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        User.register(
            email=email, full_name=full_name, password_hash="hash", now=NOW, self_service=True
        )
    assert error.value.field == field


def test_users_are_equal_by_id_only() -> None:
    first, second = register(), register()
    assert first != second
    assert len({first, second}) == 2
    same_id = User(
        email="other@uni.example",
        full_name="Other",
        password_hash="other",
        created_at=NOW,
        id=first.id,
    )
    assert first == same_id
    assert hash(first) == hash(same_id)


def test_has_role() -> None:
    staff = register(Role.STAFF)
    assert staff.has_role(Role.STAFF) is True
    assert staff.has_role(Role.STAFF, Role.ADMIN) is True
    assert staff.has_role(Role.STUDENT, Role.ADMIN) is False
    assert staff.has_role() is False


# --- Role changes, activation, tokens -----------------------------------------------------


@pytest.mark.parametrize("new_role", [Role.STAFF, Role.ADMIN])
def test_changing_the_role_revokes_tokens(new_role: Role) -> None:
    user = register(Role.STUDENT)
    user.change_role(new_role, by=ADMIN_ID, at=NOW)
    assert user.role is new_role
    assert user.token_version == 1


@pytest.mark.parametrize("role", list(Role))
def test_setting_the_same_role_changes_nothing(role: Role) -> None:
    user = register(role)
    user.change_role(role, by=ADMIN_ID, at=NOW)
    assert user.role is role
    assert user.token_version == 0


def test_deactivate_revokes_tokens_once() -> None:
    user = register()
    user.deactivate(by=ADMIN_ID, at=NOW)
    assert user.is_active is False
    assert user.token_version == 1
    user.deactivate(by=ADMIN_ID, at=NOW)
    assert user.is_active is False
    assert user.token_version == 1


def test_activating_an_active_user_changes_nothing() -> None:
    user = register()
    user.activate(by=ADMIN_ID, at=NOW)
    assert user.is_active is True
    assert user.token_version == 0


def test_reactivating_revokes_tokens_again() -> None:
    user = register()
    user.deactivate(by=ADMIN_ID, at=NOW)
    user.activate(by=ADMIN_ID, at=NOW)
    assert user.is_active is True
    assert user.token_version == 2
    user.activate(by=ADMIN_ID, at=NOW)
    assert user.token_version == 2


def test_signing_out_everywhere_always_bumps_the_version() -> None:
    user = register()
    user.sign_out_everywhere(by=user.id, at=NOW)
    user.sign_out_everywhere(by=user.id, at=NOW)
    assert user.token_version == 2
