"""Shared API shapes and parameters: the paged list envelope and paging query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

Limit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
Offset = Annotated[int, Query(ge=0, description="items to skip")]


class Page[T](BaseModel):
    items: list[T]
    total: int


def page[T](items: list[T], total: int) -> dict:
    return {"items": items, "total": total}
