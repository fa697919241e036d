"""Shared API shapes and parameters: the paged list envelope and paging query parameters."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
Offset = Annotated[int, Query(ge=0, description="items to skip")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


def page(items: list, total: int) -> dict:
    return {"items": items, "total": total}
