"""Capturing the domain events a use case publishes, in place of their real subscribers (for tests whose
subscribers' rows were never created)."""
from collections.abc import Iterator
from contextlib import contextmanager

from healthhub.core import events


@contextmanager
def captured_events(*event_types: type) -> Iterator[list]:
    seen: list = []
    saved = {event_type: events.subscribers(event_type) for event_type in event_types}
    try:
        for event_type in event_types:
            events._subscribers[event_type] = [lambda _session, event: seen.append(event)]
        yield seen
    finally:
        for event_type, handlers in saved.items():
            events._subscribers[event_type] = handlers
