"""One pagination shape for every list endpoint and page."""
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PAGE_SIZE = 100
# Far past any real list, and small enough that the offset never overflows a database integer.
MAX_PAGE = 1_000_000


class PageParams(BaseModel):
    page: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_params(page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")] = 1,
                size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20) -> PageParams:
    return PageParams(page=page, size=size)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def count(session: Session, query: Select) -> int:
    return session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def paginate(session: Session, query: Select, params: PageParams) -> tuple[list, int]:
    rows = session.execute(query.limit(params.size).offset(params.offset)).scalars().all()
    return list(rows), count(session, query)


def paginate_rows(session: Session, query: Select, params: PageParams) -> tuple[list, int]:
    """`paginate` for a query of several columns: each item is a row, not an entity."""
    rows = session.execute(query.limit(params.size).offset(params.offset)).all()
    return list(rows), count(session, query)
