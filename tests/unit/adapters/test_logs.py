"""configure_logging: one JSON object per line, or a readable line, each with the request id."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from campus_booking.adapters.logs import REQUEST_ID, configure_logging

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
