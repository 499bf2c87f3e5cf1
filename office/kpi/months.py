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

    def split(self, placed: int, states: int, plan: list[tuple], count: int) -> list[tuple[str, int]]:
        """(month, one month's pattern) of a row group: `states` holds a digit per KPI (0 outside
        every month), `plan` each KPI's (base, weight in a month's pattern, anchor's place, whether
        it counts from its month on, place of its `since` or None), `placed` the `count` places.
        A hit with `since` placed after the month is a miss there."""
        at, last, per = [], len(self.labels), {}
        for _ in range(count):
            placed, place = divmod(placed, self.radix)
            at.append(place)
        for base, weight, anchor, cumulative, since in plan:
            states, state = divmod(states, base)
            place = at[anchor]
            if not state or place > last or (place < 1 and not cumulative):
                continue
            for month in range(max(place, 1), last + 1) if cumulative else (place,):
                hit = state != 2 or since is None or at[since] <= month
                per[month] = per.get(month, 0) + (state if hit else 1) * weight
        return [(self.labels[month - 1], pattern) for month, pattern in per.items()]
