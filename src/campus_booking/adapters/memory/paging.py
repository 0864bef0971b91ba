"""A page of matches, as the SQL repositories answer it."""

from __future__ import annotations

import copy
from typing import TypeVar

from campus_booking.application.queries import Page, PageRequest

T = TypeVar("T")


def page_of(matches: list[T], page: PageRequest) -> Page[T]:
    """Copies of the page's items: a caller's edits must not reach the store unsaved."""
    items = matches[page.offset : page.offset + page.limit]
    return Page(copy.deepcopy(items), len(matches), page.limit, page.offset)
