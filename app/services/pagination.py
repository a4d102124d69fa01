"""Pagination whose total counts primary keys, so the database can answer from an index."""
from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination

from app.extensions import db


class KeyCountPagination(SelectPagination):
    """A SelectPagination counting the selected entity's primary key, not a subquery of rows."""

    def _query_count(self) -> int:
        select = self._query_args["select"]
        entity = select.column_descriptions[0]["entity"]
        keys = sa.inspect(entity).primary_key
        sub = select.with_only_columns(*keys).order_by(None).subquery()
        return self._query_args["session"].execute(
            sa.select(sa.func.count()).select_from(sub)).scalar() or 0


def paginate(select, page: int, per_page: int) -> KeyCountPagination:
    """One page of an ORM select of a single entity (no 404 past the end)."""
    return KeyCountPagination(select=select, session=db.session(), page=page, per_page=per_page,
                              max_per_page=None, error_out=False)
