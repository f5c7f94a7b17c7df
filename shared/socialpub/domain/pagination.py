"""Page/limit pagination with exact totals, as the seed's list endpoints return it."""

from __future__ import annotations

import math

from pydantic import BaseModel

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class Pagination(BaseModel):
    current_page: int
    total_pages: int
    total_items: int
    per_page: int

    @classmethod
    def of(cls, *, page: int, per_page: int, total_items: int) -> Pagination:
        return cls(
            current_page=page,
            total_pages=math.ceil(total_items / per_page) if total_items else 0,
            total_items=total_items,
            per_page=per_page,
        )


def page_slice(items: list[str], *, page: int, per_page: int) -> list[str]:
    start = (page - 1) * per_page
    return items[start : start + per_page]
