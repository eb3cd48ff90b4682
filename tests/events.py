"""Listening to domain events (tuijin.core.events) in a test, and nothing after it."""

from contextlib import contextmanager

from tuijin.core import events


@contextmanager
def heard(*event_classes: type):
    """The events of these classes emitted inside the block, in order."""
    got: list = []
    listen = got.append
    for event_class in event_classes:
        events.subscribe(event_class, listen)
    try:
        yield got
    finally:
        for event_class in event_classes:
            events._subscribers[event_class].remove(listen)
