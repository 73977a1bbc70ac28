"""Quarters and plan periods: the calendar the bureau reports on (季报、年报)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MIN_YEAR, MAX_YEAR = 1990, 2100
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written ``2026Q3``."""

    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``2026Q3`` (or ``2026-Q3``); raises ``ValueError`` with a readable message."""
        m = _QUARTER.match(text.strip())
        if not m:
            raise ValueError(f"not a quarter: {text!r} (expected e.g. 2026Q3)")
        year = int(m.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
        return cls(year, int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"


def quarters_between(first: date, last: date) -> list[Quarter]:
    """Every quarter touching ``first`` … ``last`` (inclusive), in order."""
    out: list[Quarter] = []
    q = Quarter.of(first)
    while q.start <= last:
        out.append(q)
        q = q.next()
    return out
