"""Warnings in a real browser: a clerk schedules a project backwards from its target date (倒排工期),
the nodes already past turn the project red in the ledger; recording the actual date of the latest one
turns it green, the ones before it shown as done by inference (已完成（据后续节点已完成推定）)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tuijin.projects.models import Project

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"


def ledger_light(page, name):
    return page.locator("#ledger tbody tr").filter(has_text=name).locator(".light-dot")


def test_missed_milestones_turn_the_project_red_and_actual_dates_turn_it_back(page, live_server, login, e2e_data: E2EData,
                                                                             screenshot):
    today = timezone.localdate()
    project = Project.objects.get(name=ROAD)
    login(page, "reporter")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="倒排工期").click()
    expect(page.locator(".alert-info")).to_contain_text("还没有节点计划")
    # The building template's nodes after the first take 450 days: with the target 300 days ahead,
    # the first three nodes fall 150, 105 and 45 days ago.
    page.locator("#id_template").select_option(label="房建类项目节点")
    page.locator("#id_target_date").fill((today + timedelta(days=300)).isoformat())
    page.get_by_role("button", name="倒排生成节点").click()
    expect(page.locator(".alert-success")).to_contain_text("倒排生成节点计划")
    rows = page.locator("#milestones tbody tr")
    expect(rows).to_have_count(7)
    expect(page.locator("#milestones .milestone-overdue")).to_have_count(3)
    expect(page.locator("h1 + a .badge")).to_have_text("红灯")
    screenshot(page, "warnings-schedule-overdue.png")

    page.locator("nav.navbar").get_by_role("link", name="项目台账").click()
    expect(ledger_light(page, ROAD)).to_have_class("light-dot light-2")
    page.locator("#id_light").select_option(label="红灯")
    expect(page.locator("#ledger tbody tr").filter(has_text=ROAD)).to_have_count(1)
    expect(page.locator("#ledger tbody tr:has(.light-dot)")).to_have_count(Project.objects.filter(light=2, is_archived=False).count())
    expect(page.locator("#ledger tbody .light-dot:not(.light-2)")).to_have_count(0)
    screenshot(page, "warnings-ledger-red.png")

    page.goto(f"{live_server.url}/schedules/project/{project.pk}/")
    # Only the third node's actual date: the project cannot have got there without the first two.
    row = page.locator("#milestones tbody tr").nth(2)
    row.locator('input[name$="-actual_date"]').fill(today.isoformat())
    page.get_by_role("button", name="保存全部修改").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存1行修改")
    expect(page.locator("#milestones .milestone-overdue")).to_have_count(0)
    expect(page.locator("#milestones .milestone-done_late")).to_have_count(1)
    expect(page.locator("#milestones .milestone-inferred")).to_have_count(2)
    expect(page.locator("#milestones .milestone-inferred").first).to_have_text("已完成（据后续节点已完成推定）")
    for index in range(2):   # nothing was written for them: their actual dates stay empty
        expect(page.locator("#milestones tbody tr").nth(index).locator('input[name$="-actual_date"]')).to_have_value("")
    screenshot(page, "warnings-schedule-inferred.png")
    page.locator("nav.navbar").get_by_role("link", name="项目台账").click()
    expect(ledger_light(page, ROAD)).to_have_class("light-dot light-0")
    project.refresh_from_db()
    assert (project.light, project.light_reason) == (0, "")
    screenshot(page, "warnings-ledger-green.png")
