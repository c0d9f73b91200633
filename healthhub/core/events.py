"""Typed domain events, delivered synchronously inside the publisher's transaction.

An event is a frozen dataclass declared with `@domain_event("<domain>.<what happened>")` in the publishing
domain's `events.py`; the name is its stable identity (logs, a future broker). Subscribers are plain functions
marked `@handles(EventType)` and listed in their domain's `handlers.py: HANDLERS`; `healthhub.domains.
install_event_handlers()` installs them at startup, so a subscription never depends on which modules happened
to be imported. A handler that raises rolls the whole use case back. Publishing before installation raises,
because an event nobody could hear is a lost reaction, not a no-op.
"""
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

E = TypeVar("E", bound=type)
Handler = Callable[[Session, Any], None]

EVENT_TYPES: dict[str, type] = {}
_subscribers: dict[type, list[Handler]] = defaultdict(list)
_installed = False


def domain_event(name: str) -> Callable[[E], E]:
    """Declares a frozen dataclass as the event type `name`."""
    def declare(cls: E) -> E:
        frozen = dataclass(frozen=True, slots=True, kw_only=True)(cls)
        if EVENT_TYPES.get(name, frozen).__qualname__ != frozen.__qualname__:
            raise ValueError(f"event name {name!r} is already taken by {EVENT_TYPES[name]!r}")
        frozen.event_name = name
        EVENT_TYPES[name] = frozen
        return frozen

    return declare


def handles(*event_types: type) -> Callable[[Handler], Handler]:
    """Marks a function as the subscriber of these event types; `install` subscribes it."""
    for event_type in event_types:
        if getattr(event_type, "event_name", None) not in EVENT_TYPES:
            raise TypeError(f"{event_type!r} is not a declared domain event")

    def mark(handler: Handler) -> Handler:
        handler.handles = event_types
        return handler

    return mark


def install(handlers: Iterable[Handler]) -> None:
    """Replaces every subscription with `handlers` (idempotent: entry points may call it more than once)."""
    global _installed
    _subscribers.clear()
    for handler in handlers:
        for event_type in handler.handles:
            _subscribers[event_type].append(handler)
    _installed = True


def subscribers(event_type: type) -> list[Handler]:
    return list(_subscribers.get(event_type, ()))


def publish(session: Session, event: Any) -> None:
    if not _installed:
        raise RuntimeError("event handlers are not installed: call healthhub.domains.install_event_handlers()")
    if getattr(type(event), "event_name", None) not in EVENT_TYPES:
        raise TypeError(f"{event!r} is not a declared domain event")
    for handler in _subscribers.get(type(event), ()):
        handler(session, event)
