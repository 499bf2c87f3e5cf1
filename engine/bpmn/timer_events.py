"""SpiffWorkflow's timer event definitions, reading engine.clock instead of `datetime.now`.

The library fixes a timer's due time and decides whether it has fired with its own
`datetime.now(timezone.utc)`, with no hook. These subclasses redo the few lines that read it
(`has_fired`, `cycle_complete` and the duration-only cycle start); parsing, serialization and
the rest stay the library's. Our parser builds them (engine/bpmn/parsing.py) and our serializer
restores them. They keep the library's class names on purpose: the name is the `typename` of
every stored definition and the event type `waiting_events()` reports, so stored cases load
into these classes unchanged.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff

from engine.bpmn.timer_bounds import MAX_DAYS, TimerOutOfRange, checked_cycle, duration_parts
from engine.clock import utcnow

MAX_CYCLES = 10


def recurring_interval(expression: str) -> tuple[int, datetime, timedelta]:
    """(cycles, first due time, period) of an ISO 8601 repeating interval such as R3/PT1H.
    With a period only, the library would start counting from its own clock: the expression is
    anchored at our clock's now instead, which gives the same first due time (now + period)."""
    parts = expression.upper().replace("--", "/").strip("R").split("/")
    if len(parts) == 2 and parts[1].startswith("P"):
        cycles, start, period = spiff.TimerEventDefinition.parse_iso_recurring_interval(
            f"R{parts[0]}/{utcnow().isoformat()}/{parts[1]}")
        return cycles, start + period, period
    return spiff.TimerEventDefinition.parse_iso_recurring_interval(expression)


def _check_date(value) -> None:
    """A date a timer evaluated at run time (deadline("name") reads the case's data): one the
    library cannot read, or more than 10 years away, stops this case in error (TimerOutOfRange is
    an engine failure) instead of waiting forever or overflowing."""
    try:
        if isinstance(value, str) and value.upper().startswith("P"):
            duration_parts(value)
            return
        due = spiff.TimerEventDefinition.parse_time_or_duration(value)
    except TimerOutOfRange:
        raise
    except Exception as err:       # the library raises bare Exceptions (and OverflowError)
        raise TimerOutOfRange(f"timer date {str(value)[:64]!r} is not valid ISO 8601") from err
    if not isinstance(due, datetime) or abs((due - utcnow()).days) > MAX_DAYS:
        raise TimerOutOfRange(f"timer date {str(value)[:64]!r} is more than 10 years away")


class TimeDateEventDefinition(spiff.TimeDateEventDefinition):
    def has_fired(self, my_task) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            _check_date(event_value)
            my_task._set_internal_data(event_value=event_value)
        if self.parse_time_or_duration(event_value) < utcnow():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class DurationTimerEventDefinition(spiff.DurationTimerEventDefinition):
    def has_fired(self, my_task) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            now = utcnow()
            period = self.get_timedelta_from_start(duration_parts(expression), now)
            event_value = (now + period).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if self.get_datetime(event_value) < utcnow():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class CycleTimerEventDefinition(spiff.CycleTimerEventDefinition):
    def cycle_complete(self, my_task) -> bool:
        """True when the next firing has passed (the task then spawns another child); after the
        last cycle the task is marked fired and completes."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            checked_cycle(expression, utcnow(), MAX_CYCLES)
            cycles, start, period = recurring_interval(expression)
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": period.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event < utcnow():
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready


ON_OUR_CLOCK = {spiff.TimeDateEventDefinition: TimeDateEventDefinition,
                spiff.DurationTimerEventDefinition: DurationTimerEventDefinition,
                spiff.CycleTimerEventDefinition: CycleTimerEventDefinition}
"""The library's timer class -> ours, for the parser and the serializer."""

