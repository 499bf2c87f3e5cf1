"""A trend's months in one pass over the rows: each instant a KPI reads is placed in its month by
comparing it with the months' boundaries (a few comparisons, in SQL), so a row is read and its
KPI states are worked out once for all the months, not once per month it is active in.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, case, cast, literal_column

from office.kpi.tables import micros


@dataclass(frozen=True)
class Months:
    """Consecutive months: month k (1-based) runs from bounds[k - 1] to bounds[k] (UTC micros)."""
    labels: tuple[str, ...]
    bounds: tuple[int, ...]

    @classmethod
    def of(cls, spans: list[tuple[str, datetime, datetime]]) -> "Months":
        """From (label, start, end) months, each starting where the one before ends."""
        if not spans or any(before[2] != after[1] for before, after in zip(spans, spans[1:])):
            raise ValueError("a trend's months must follow one another")
        return cls(tuple(label for label, _, _ in spans),
                   tuple(micros(start) for _, start, _ in spans) + (micros(spans[-1][2]),))

    @property
    def radix(self) -> int:
        """Places run from 0 (before the first month) to len + 1 (after the last, or no instant)."""
        return len(self.labels) + 2

    def place(self, column, due: bool, weight: int = 1):
        """SQL: the month (1…n) an instant falls in, 0 before the first, n + 1 after the last or
        NULL. An event belongs to [start, end) of its month; a due time, which ends at 24:00 of its
        last day, to (start, end]. A binary search over the boundaries, at most four comparisons
        for a year; the result comes multiplied by `weight`, ready for packing."""
        def search(low: int, high: int):
            if low == high:
                return literal_column(str(low * weight))
            middle = (low + high + 1) // 2
            edge = literal_column(str(self.bounds[middle - 1]))
            # NULL fails every test and lands in the last place
            return case((column <= edge if due else column < edge, search(low, middle - 1)),
                        else_=search(middle, high))
        return search(0, len(self.labels) + 1)

    def placed(self, places: list[tuple]):
        """SQL: the places of (column, due, when) instants packed into one integer, in base
        `radix`; 0 where `when` is false."""
        packed, weight = cast(literal_column("0"), BigInteger), 1
        for column, due, when in places:      # bigint first: PostgreSQL adds the places as bigint
            place = self.place(column, due, weight)
            packed = packed + (place if when is None else case((when, place), else_=literal_column("0")))
            weight *= self.radix
        return packed

    def places(self, placed: int, count: int) -> tuple[int, ...]:
        """The `count` places packed into one integer by `placed`."""
        at = []
        for _ in range(count):
            placed, place = divmod(placed, self.radix)
            at.append(place)
        return tuple(at)

    def counted_in(self, place: int, cumulative: bool) -> range:
        """The months (1…n) a row whose anchor has `place` counts in: that month, or for a
        cumulative KPI every month from it on (from the first, if placed before it)."""
        last = len(self.labels)
        if place > last or (place < 1 and not cumulative):
            return range(0)
        return range(max(place, 1), last + 1) if cumulative else range(place, place + 1)
