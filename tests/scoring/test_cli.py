"""`tuijin rank …`: presets, export/import, run with --json, publish; bad input exits with a Chinese message."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuijin.scoring.models import Run, Scheme

from ..figures.conftest import today, town  # noqa: F401
from .test_views import published_run

pytestmark = pytest.mark.django_db


def run_cli(*args, capsys) -> str:
    call_command("rank", *args)
    return capsys.readouterr().out


def test_run_prints_the_ranking_as_json_and_publish_freezes_it(town, capsys, tmp_path):  # noqa: F811
    scheme, _run = published_run(town)
    payload = json.loads(run_cli("run", scheme.code, "--period", "2026-10", "--json", capsys=capsys))
    assert (payload["scheme"], payload["period"], payload["state"], payload["label"]) == ("county", "2026-10", "draft", "草稿")
    results = payload["series"][0]["results"]
    assert [(r["name"], r["rank"], r["board"]) for r in results] == [("兰山区", 1, "red"), ("罗庄区", 2, "black")]
    assert results[0]["values"]["plan"] == "49.1" and results[0]["points"]["plan"] == "29.46"
    text = run_cli("show", str(payload["run"]), capsys=capsys)
    assert "【县区】" in text and "第1名" in text and "红榜" in text
    assert "已发布" in run_cli("publish", str(payload["run"]), capsys=capsys)
    assert Run.objects.get().number == 1
    with pytest.raises(CommandError, match="2026年10月的考核结果已发布，不能重新计算"):
        call_command("rank", "run", scheme.code, "--period", "2026-10")
    out = tmp_path / "scheme.json"
    run_cli("export", scheme.code, "-o", str(out), capsys=capsys)
    document = json.loads(out.read_text(encoding="utf-8"))
    document["code"] = "copy"
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert "已导入考核方案" in run_cli("import", str(out), capsys=capsys)
    assert Scheme.objects.filter(code="copy").exists()


@pytest.mark.parametrize("args, message", [
    (("run", "nope", "--period", "2026-10"), "没有方案代码为“nope”的考核方案"),
    (("show", "999"), "没有编号为 999 的考核结果"),
    (("install", "nope"), "没有这个预设方案"),
    (("import", "/nonexistent.json"), "找不到文件"),
    (("run", "county", "--period", "2026-10", "--user", "reporter_a"), "该用户无权进行此操作"),
])
def test_bad_input_is_refused_in_chinese(town, args, message):  # noqa: F811
    published_run(town)
    with pytest.raises(CommandError, match=message):
        call_command("rank", *args)
    assert Run.objects.count() == 1  # only the draft published_run made


def test_presets_install(town, capsys):  # noqa: F811
    assert "mianyang-boards" in run_cli("presets", capsys=capsys)
    assert "已安装考核方案" in run_cli("install", "mianyang-boards", capsys=capsys)
    assert Scheme.objects.get(code="mianyang-boards").config["series"][1]["name"] == "市直部门/市属国企"
