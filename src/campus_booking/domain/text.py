"""Free text a person types: names, titles, buildings."""

from __future__ import annotations

import unicodedata

from campus_booking.domain.errors import InvalidValue


def has_control_characters(text: str) -> bool:
    """NUL, bell, escape and friends: no database or log line should ever carry them."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def has_format_characters(text: str) -> bool:
    """Invisible characters (Unicode category Cf): zero-width spaces, soft hyphens, and the
    bidirectional overrides that make `Lab` display as another text than it holds."""
    return any(unicodedata.category(char) == "Cf" for char in text)


def clean_text(raw: str, field: str, max_length: int, *, fold_compatible: bool = False) -> str:
    """Collapse runs of white space; refuse empty, over-long, control or invisible characters.

    Canonically equivalent spellings (a precomposed `é` or `e` and a combining accent) become
    one (NFC). `fold_compatible` goes further (NFKC), for names that must have no look-alike
    twin: the full-width form of `Lab` becomes `Lab`.
    """
    text = unicodedata.normalize("NFKC" if fold_compatible else "NFC", raw)
    text = " ".join(text.split())
    if has_control_characters(text):
        raise InvalidValue(field, "must not contain control characters")
    if has_format_characters(text):
        raise InvalidValue(field, "must not contain invisible formatting characters")
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
