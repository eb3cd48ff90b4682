"""The shared page script asks in the page's words: no text of its own (the pages give it through gettext)."""

from pathlib import Path

import pytest
from django.urls import reverse

import tuijin

SCRIPT = Path(tuijin.__file__).parent / "static" / "tuijin" / "confirm.js"
KEEP_TYPING = "表格中还有未保存的修改，继续此操作将丢失这些修改。确定继续吗？（选“取消”可先点“保存全部修改”）"


def test_confirm_js_carries_no_chinese_text():
    code = [line.split("//")[0] for line in SCRIPT.read_text(encoding="utf-8").splitlines()]
    assert [line for line in code if any("\u4e00" <= ch <= "\u9fff" for ch in line)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["schedules:project", "schedules:approvals"])
def test_the_tables_saved_as_a_whole_give_the_script_its_question_once(client, users, own_project, page):
    from datetime import date

    from tuijin.schedules import services
    from tuijin.schedules.models import MilestoneTemplate

    services.apply_template(None, own_project, MilestoneTemplate.objects.get(kind="building"), date(2030, 6, 30))
    services.approvals_init(None, own_project)
    client.force_login(users["reporter_a"])
    html = client.get(reverse(page, args=[own_project.pk])).content.decode()
    assert html.count(f'data-keep-typing="{KEEP_TYPING}"') == 1
    assert html.count("tuijin/confirm.js") == 1  # loaded once (base.html): each question asked once
