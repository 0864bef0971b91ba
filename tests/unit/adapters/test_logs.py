"""configure_logging: one JSON object per line, or a readable line, each with the request id."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from campus_booking.adapters.logs import configure_logging
from campus_booking.application.request_id import REQUEST_ID

LOGGER = "campus_booking.test_logs"
ROUNDING = timedelta(milliseconds=1)  # the clock read twice, rounded to µs differently


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """configure_logging replaces the root handlers: put back pytest's (caplog's) afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def request_id() -> Iterator[str]:
    token = REQUEST_ID.set("3f2a9c0d5b")
    yield "3f2a9c0d5b"
    REQUEST_ID.reset(token)


def emitted_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_configure_logging_leaves_one_root_handler_at_the_level_given() -> None:
    configure_logging(json=True, level="WARNING")
    configure_logging(json=False, level="DEBUG")

    root = logging.getLogger()
    assert len(root.handlers) == 1
    assert root.level == logging.DEBUG


def test_json_renders_a_record_as_one_object_per_line(
    capsys: pytest.CaptureFixture[str], request_id: str
) -> None:
    configure_logging(json=True)
    before = datetime.now(UTC)

    logging.getLogger(LOGGER).info("booked %s", "Lab 1", extra={"room": "Lab 1", "attendees": 3})

    after = datetime.now(UTC)
    [line] = emitted_lines(capsys)
    entry = json.loads(line)
    assert entry.keys() == {"time", "level", "logger", "request_id", "message", "room", "attendees"}
    assert entry["level"] == "INFO"
    assert entry["logger"] == LOGGER
    assert entry["request_id"] == request_id
    assert entry["message"] == "booked Lab 1"
    assert entry["room"] == "Lab 1"
    assert entry["attendees"] == 3
    time = datetime.fromisoformat(entry["time"])
    assert time.utcoffset() is not None
    assert time.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert before - ROUNDING <= time <= after + ROUNDING


def test_json_keeps_a_traceback_on_the_one_line(
    capsys: pytest.CaptureFixture[str], request_id: str
) -> None:
    configure_logging(json=True)

    try:
        raise ValueError("broken\ninput")
    except ValueError:
        logging.getLogger(LOGGER).exception("failed")

    [line] = emitted_lines(capsys)
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "failed"
    assert entry["request_id"] == request_id
    assert entry["exc_info"].startswith("Traceback (most recent call last):")
    assert entry["exc_info"].endswith("ValueError: broken\ninput")


def test_json_outside_a_request_says_dash(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=True)

    logging.getLogger(LOGGER).warning("starting")

    [line] = emitted_lines(capsys)
    assert json.loads(line)["request_id"] == "-"


def test_records_below_the_level_are_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=True, level="WARNING")

    logging.getLogger(LOGGER).info("quiet")
    logging.getLogger(LOGGER).warning("loud")

    [line] = emitted_lines(capsys)
    assert json.loads(line)["message"] == "loud"


def test_text_renders_a_readable_line_with_the_request_id(
    capsys: pytest.CaptureFixture[str], request_id: str
) -> None:
    configure_logging(json=False)

    logging.getLogger(LOGGER).info("booked %s", "Lab 1")

    [line] = emitted_lines(capsys)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO campus_booking\.test_logs "
        r"\[3f2a9c0d5b\] booked Lab 1",
        line,
    ), line
    assert request_id in line


def test_text_outside_a_request_shows_a_dash(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=False)

    logging.getLogger(LOGGER).warning("starting")

    [line] = emitted_lines(capsys)
    assert line.endswith(" WARNING campus_booking.test_logs [-] starting")


FORGED = "2030-01-01 08:00:00,000 INFO campus_booking.requests [-] GET /admin 200"


@pytest.mark.parametrize(
    ("breaker", "logged"),
    [
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\r\n", "\\r\\n"),
        ("\x85", "\\x85"),
        ("\u2028", "\\u2028"),
        ("\x0b", "\\x0b"),
        ("\x1c", "\\x1c"),
    ],
    ids=["lf", "cr", "crlf", "nel", "line separator", "vertical tab", "file separator"],
)
def test_text_log_of_a_path_with_a_line_break_cannot_forge_a_record(
    capsys: pytest.CaptureFixture[str], request_id: str, breaker: str, logged: str
) -> None:
    """`GET /x%0a2030-01-01 ... INFO ...`: the decoded path holds a line break."""
    configure_logging(json=False)

    path = f"/x{breaker}{FORGED}"
    logging.getLogger("campus_booking.requests").info("%s %s %s", "GET", path, 404)

    [line] = emitted_lines(capsys)  # splitlines: every kind of line break
    assert line.endswith(f" GET /x{logged}{FORGED} 404"), line


@pytest.mark.parametrize(
    ("value", "logged"),
    [
        ("\x00", "\\x00"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\u202eevil", "\\u202eevil"),
        ("tab\there", "tab\\there"),
        ("back\\slash", "back\\\\slash"),
        ("Café ✓", "Café ✓"),
    ],
    ids=["nul", "terminal escape", "right-to-left override", "tab", "backslash", "printable"],
)
def test_text_log_escapes_every_unprintable_character_of_the_message(
    capsys: pytest.CaptureFixture[str], value: str, logged: str
) -> None:
    configure_logging(json=False)

    logging.getLogger(LOGGER).warning("value=%s", value)

    [line] = emitted_lines(capsys)
    assert line.endswith(f"[-] value={logged}"), line


def test_text_log_escapes_the_logger_name_and_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every field of the line, not only the message."""
    configure_logging(json=False)
    token = REQUEST_ID.set("id\nforged")
    try:
        logging.getLogger("campus\nbooking").warning("hello")
    finally:
        REQUEST_ID.reset(token)

    [line] = emitted_lines(capsys)
    assert line.endswith(" WARNING campus\\nbooking [id\\nforged] hello"), line


def test_text_log_indents_a_traceback_so_no_line_of_it_passes_for_a_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(json=False)

    try:
        raise ValueError(f"broken\n{FORGED}")
    except ValueError:
        logging.getLogger(LOGGER).exception("failed %s", "x\ny")

    first, *traceback = emitted_lines(capsys)
    assert first.endswith(" ERROR campus_booking.test_logs [-] failed x\\ny")
    assert traceback[0] == "    Traceback (most recent call last):"
    assert traceback[-2:] == ["    ValueError: broken", f"    {FORGED}"]
    assert all(line.startswith("    ") for line in traceback)


def test_text_log_indents_a_stack(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=False)

    logging.getLogger(LOGGER).warning("here", stack_info=True)

    first, *stack = emitted_lines(capsys)
    assert first.endswith("[-] here")
    assert stack[0] == "    Stack (most recent call last):"
    assert all(line.startswith("    ") for line in stack)
