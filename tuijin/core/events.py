"""A tiny domain-event registry: lower apps emit, higher apps subscribe, so dependencies point one way.

An event is an instance of a small frozen dataclass defined in the emitting app's `events.py` (one class
per event, the same field names everywhere: `project_ids` as a tuple even for one project, `user`).
`emit(event)` calls the handlers subscribed to the event's class, with the event; an event nobody listens
to is dropped, and a handler subscribed twice to a class is called once. Emitters call `emit` after their
transaction commits (`transaction.on_commit`)."""

from collections import defaultdict
from collections.abc import Callable

_subscribers: dict[type, list[Callable]] = defaultdict(list)


def subscribe(event: type, handler: Callable) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def emit(event: object) -> None:
    for handler in list(_subscribers.get(type(event), ())):
        handler(event)
