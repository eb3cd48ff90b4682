"""The tabs higher apps add to the project page (tuijin.core.tabs), and core importing no domain app."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import tuijin.core
from tuijin.core import tabs


def test_a_key_registered_twice_keeps_the_first_and_pages_are_separate():
    tabs.register("test-page", "a", "甲", "first:url")
    tabs.register("test-page", "a", "乙", "second:url")
    tabs.register("test-page", "b", "丙", "third:url")
    try:
        assert [(t.key, t.label, t.url_name) for t in tabs.tabs_of("test-page")] == [
            ("a", "甲", "first:url"), ("b", "丙", "third:url")]
        assert "a" not in [t.key for t in tabs.tabs_of("project")]
        assert tabs.tabs_of("no-such-page") == []
    finally:
        tabs._tabs.pop("test-page")


@pytest.mark.django_db
def test_the_project_page_shows_every_apps_tab_in_order_and_marks_the_active_one(client, users, own_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("reports:project", args=[own_project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    nav = html[html.index('<ul class="nav nav-tabs'):]
    nav = nav[: nav.index("</ul>")]
    links = re.findall(r'class="nav-link( active)?" href="([^"]+)">([^<]+)</a>', nav)
    assert [label for _a, _h, label in links] == [
        "概况", "年度计划", "月度调度", "倒排工期", "前期手续", "问题督办", "预警", "变更记录"]
    hrefs = {label: href for _a, href, label in links}
    assert hrefs["月度调度"] == reverse("reports:project", args=[own_project.pk])
    assert hrefs["前期手续"] == reverse("schedules:approvals", args=[own_project.pk])
    assert hrefs["预警"] == reverse("alerts:project", args=[own_project.pk])
    assert [label for active, _h, label in links if active] == ["月度调度"]


def test_core_imports_no_domain_app():
    apps = "org|projects|ledgerio|reports|schedules|problems|alerts|demo"
    pattern = re.compile(rf"^\s*(from|import)\s+tuijin\.({apps})\b", re.MULTILINE)
    offenders = [str(path) for path in Path(tuijin.core.__file__).parent.rglob("*.py")
                 if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
