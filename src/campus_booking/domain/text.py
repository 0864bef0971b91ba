"""Free text a person types: names, titles, buildings."""

from __future__ import annotations

import unicodedata

from campus_booking.domain.errors import InvalidValue


def has_control_characters(text: str) -> bool:
    """NUL, bell, escape and friends: no database or log line should ever carry them."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def clean_text(raw: str, field: str, max_length: int) -> str:
    """Collapse runs of white space; refuse empty, over-long or control-character text."""
    text = " ".join(raw.split())
    if has_control_characters(text):
        raise InvalidValue(field, "must not contain control characters")
    if not text:
        raise InvalidValue(field, "must not be empty")
    if len(text) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters long")
    return text


def clean_search_text(raw: str | None, field: str, max_length: int) -> str | None:
    """Text to search for, cleaned as the text it looks for was: blank means no search."""
    if raw is None or not raw.strip():
        return None
    return clean_text(raw, field, max_length)
