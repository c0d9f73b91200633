"""The event registry is whole: every declared event is published somewhere and heard by someone, and
publishing is typed."""
import ast
from pathlib import Path

import pytest

from healthhub.core import events
from healthhub.core.events import domain_event, handles
from healthhub.domains import install_event_handlers

PACKAGE = Path(__file__).resolve().parents[2] / "healthhub"


def published_event_names() -> set[str]:
    """Class names constructed as the event argument of `events.publish(session, EventType(...))`."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "publish"
                    and len(node.args) == 2 and isinstance(node.args[1], ast.Call)
                    and isinstance(node.args[1].func, ast.Name)):
                names.add(node.args[1].func.id)
    return names


@pytest.fixture(scope="module")
def registry():
    install_event_handlers()
    return {event_type.__name__: event_type for event_type in events.EVENT_TYPES.values()}


def test_every_published_event_is_declared_and_has_a_subscriber(registry):
    published = published_event_names()
    assert published, "the scan found no publish call at all"
    assert published <= set(registry), f"published but not declared: {published - set(registry)}"
    unheard = sorted(name for name in published if not events.subscribers(registry[name]))
    assert not unheard, f"published with no subscriber: {unheard}"


def test_every_subscribed_event_is_published(registry):
    published = published_event_names()
    never = sorted(name for name, event_type in registry.items()
                   if events.subscribers(event_type) and name not in published)
    assert not never, f"subscribed to but never published: {never}"
    declared_only = sorted(set(registry) - published)
    assert not declared_only, f"declared but never published: {declared_only}"


def test_publishing_an_undeclared_object_is_refused(db):
    with pytest.raises(TypeError, match="not a declared domain event"):
        events.publish(db, {"topic": "orders.paid"})


def test_an_event_name_is_taken_once():
    @domain_event("tests.sample_happened")
    class SampleHappened:
        value: int

    with pytest.raises(ValueError, match="already taken"):
        @domain_event("tests.sample_happened")
        class OtherSample:
            value: int
    events.EVENT_TYPES.pop("tests.sample_happened")


def test_events_are_frozen_and_keyword_only():
    @domain_event("tests.frozen_checked")
    class FrozenChecked:
        value: int

    try:
        with pytest.raises(TypeError):
            FrozenChecked(1)
        event = FrozenChecked(value=1)
        with pytest.raises(AttributeError):
            event.value = 2
        with pytest.raises(TypeError, match="not a declared domain event"):
            handles(int)
    finally:
        events.EVENT_TYPES.pop("tests.frozen_checked")
