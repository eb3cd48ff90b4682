"""`tuijin bulletin build`: the .docx read back, each headline number equal to `tuijin stats` for the same
period and region; `list` and `publish`; bad input refused in Chinese with nothing written."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document as Docx

from tuijin.bulletins import narrative as say
from tuijin.bulletins import services
from tuijin.bulletins.models import Bulletin

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("bulletin", *args, stdout=out)
    return out.getvalue()


def stats_total(region_code: str) -> dict:
    out = StringIO()
    call_command("stats", "--period", "2026-10", "--filter", f"region={region_code}", "--json", stdout=out)
    return json.loads(out.getvalue())["total"]


@pytest.mark.parametrize("region", ["371300", "371302"])
def test_the_headline_numbers_equal_tuijin_stats_and_the_docx_prints_them(town, tmp_path, region):
    out = tmp_path / "通报.docx"
    result = json.loads(run("build", "--period", "2026-10", "--region", region, "--out", str(out), "--json"))
    total = stats_total(region)
    headline = result["headline"]
    for key in ("projects", "total_investment", "annual_plan", "completed", "plan_rate", "time_progress",
                "deviation_points", "started", "planned_starts", "start_rate", "problems", "problem_close_rate"):
        assert headline[key] == total[key], key
    assert result["files"] == [str(out)]
    text = "".join(p.text for p in Docx(str(out)).paragraphs)
    unit = say.YI_YUAN if headline["unit"] == "亿元" else say.WAN
    from decimal import Decimal

    assert f"累计完成投资{say.money(Decimal(total['completed']), unit)}{unit.name}" in text
    assert f"占年度计划的{total['plan_rate']}%" in text
    assert f"低于序时进度{total['deviation_points'].lstrip('-')}个百分点" in text
    assert f"共有重点项目{total['projects']}个" in text


def test_the_text_output_names_the_file(town, tmp_path):
    output = run("build", "--period", "2026-10", "--out", str(tmp_path / "b.docx"))
    assert "关于2026年1—10月" in output and "截至2026年10月，已审核填报" in output and "已写入" in output


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-13"], "格式不正确"),
    (["--period", "2026-10", "--region", "999999"], "没有行政区划代码为“999999”的区域"),
    (["--period", "2026-10", "--template", "/nonexistent.docx"], "无法读取模板文件"),
])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(town, tmp_path, args, message):
    out = tmp_path / "b.docx"
    with pytest.raises(CommandError) as caught:
        run("build", *args, "--out", str(out))
    assert message in str(caught.value)
    assert not out.exists()


def test_out_must_be_a_docx(town, tmp_path):
    with pytest.raises(CommandError, match="--out 应为 .docx 文件"):
        run("build", "--period", "2026-10", "--out", str(tmp_path / "b.pdf"))


def test_a_bad_template_file_is_refused_with_its_reason(town, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a docx")
    with pytest.raises(CommandError, match="模板无法生成文档"):
        run("build", "--period", "2026-10", "--template", str(bad), "--out", str(tmp_path / "b.docx"))


def test_list_and_publish(town):
    draft = services.bulletin_create(None, period="2026-10", region=town.city.regions.city)
    with pytest.raises(CommandError, match="请先填写“下一步工作”部分再发布"):
        run("publish", str(draft.pk))
    services.bulletin_save(None, draft, version=draft.version, title=draft.title, issuer=draft.issuer,
                           texts={"next_steps": "一是抓开工。"})
    assert "草稿" in run("list")
    assert "2026年第1期" in run("publish", str(draft.pk))
    assert Bulletin.objects.get(pk=draft.pk).state == "published"
    with pytest.raises(CommandError, match="没有编号为 999 的通报"):
        run("publish", "999")
