"""In-process domain events, delivered synchronously inside the publisher's transaction.

Subscribers live in `healthhub/<domain>/handlers.py` (imported by the app factory, the CLI and
the tests through `healthhub.app.domain_modules("handlers")`). The seam between domains that must react to each other without importing each other's tables
(review decided -> prescription approved; payment captured -> order allocates). A handler that
raises rolls the whole use case back. Later issues can move a topic onto a broker without
changing publishers.
"""
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(topic: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _handlers[topic]:
            _handlers[topic].append(handler)
        return handler

    return register


def publish(session: Session, topic: str, payload: dict[str, Any]) -> None:
    for handler in list(_handlers[topic]):
        handler(session, payload)
