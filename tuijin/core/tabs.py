"""Tabs that higher apps add to a lower app's page, so the page links to them without importing them
(dependencies point one way: docs/architecture.md, Layout).

A page is named by a string (the projects app's detail page is "project"); each tab's URL is reversed with
the pk of the object the page shows. Apps register in their AppConfig.ready, so the tabs come in the order
of INSTALLED_APPS; registering a key twice keeps the first.
"""

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str  # reversed with the page object's pk


_tabs: dict[str, list[Tab]] = defaultdict(list)


def register(page: str, key: str, label, url_name: str) -> None:
    if all(tab.key != key for tab in _tabs[page]):
        _tabs[page].append(Tab(key, label, url_name))


def tabs_of(page: str) -> list[Tab]:
    return list(_tabs.get(page, ()))
