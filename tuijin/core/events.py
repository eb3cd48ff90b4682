"""A tiny domain-event registry: lower apps emit, higher apps subscribe, so dependencies point one way."""

from collections import defaultdict
from collections.abc import Callable

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def emit(event: str, **payload) -> None:
    for handler in list(_subscribers.get(event, ())):
        handler(**payload)
