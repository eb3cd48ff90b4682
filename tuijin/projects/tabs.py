"""Tabs that higher apps add to a project's page (the monthly dispatch adds 月度调度), so the ledger
links to them without importing them (dependencies point one way: docs/architecture.md, Layout)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProjectTab:
    key: str
    label: str
    url_name: str  # reversed with the project's pk


_tabs: list[ProjectTab] = []


def register(key: str, label, url_name: str) -> None:
    if all(tab.key != key for tab in _tabs):
        _tabs.append(ProjectTab(key, label, url_name))


def extra_tabs() -> list[ProjectTab]:
    return list(_tabs)
