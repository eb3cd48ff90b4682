"""The questions a page asks before it acts, in a real browser: asked once each, in the page's own
(translated) words (static/tuijin/confirm.js holds no text of its own: tests/core/test_scripts.py)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"
KEEP_TYPING = "表格中还有未保存的修改，继续此操作将丢失这些修改。确定继续吗？（选“取消”可先点“保存全部修改”）"


def test_deleting_a_node_with_typing_unsaved_asks_each_question_once_and_keeps_the_typing(
        page, live_server, login, e2e_data: E2EData):
    from django.utils import timezone

    from tuijin.schedules import services as schedule_services
    from tuijin.schedules.models import Milestone, MilestoneTemplate

    project = e2e_data.projects[ROAD]
    schedule_services.apply_template(None, project, MilestoneTemplate.objects.get(kind="building"),
                                     timezone.localdate() + timedelta(days=300))
    nodes = Milestone.objects.filter(project=project).count()
    login(page, "reporter")
    page.goto(f"{live_server.url}/schedules/project/{project.pk}/")
    rows = page.locator("#milestones tbody tr")
    rows.nth(0).locator('input[name$="-responsible"]').fill("王工")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        # Yes to deleting the node, no to losing the typing.
        dialog.dismiss() if dialog.message == KEEP_TYPING else dialog.accept()

    page.on("dialog", answer)
    page.locator("#milestones form[data-confirm] button").first.click()
    expect(rows.nth(0).locator('input[name$="-responsible"]')).to_have_value("王工")
    assert len(dialogs) == 2, dialogs  # each question once (the script was loaded twice on this page before)
    assert dialogs[0].startswith("确定删除节点“") and dialogs[1] == KEEP_TYPING
    assert Milestone.objects.filter(project=project).count() == nodes  # nothing deleted, nothing lost

