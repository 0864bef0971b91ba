"""Paging, the same for every listing: `limit`/`offset` in, `{items, total, limit, offset}` out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import Parameter

from campus_booking.application.queries import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest

T = TypeVar("T")

Limit = Annotated[
    int, Parameter(ge=1, le=MAX_PAGE_SIZE, description="Page size", default=DEFAULT_PAGE_SIZE)
]
Offset = Annotated[int, Parameter(ge=0, description="Items to skip", default=0)]


class PageOut(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def page_request(limit: int, offset: int) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)
