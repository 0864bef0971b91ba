"""Paging, the same for every listing: `limit`/`offset` in, `{items, total, limit, offset}` out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from campus_booking.application.queries import MAX_OFFSET, MAX_PAGE_SIZE, PageRequest

T = TypeVar("T")

# Handlers give the defaults: `limit: Limit = DEFAULT_PAGE_SIZE, offset: Offset = 0`.
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Items to skip")]


class PageOut(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def page_request(limit: int, offset: int) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)
