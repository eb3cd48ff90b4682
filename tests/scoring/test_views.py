"""The scoring pages in Chinese: editor round trip (a refused save keeps what was typed), compute, sheet,
veto, publish, boards, print and export; drafts only to the office, published rows by role."""

import io
import json
import re

import pytest
from django.urls import reverse

from tuijin.scoring import services
from tuijin.scoring.models import ManualScore, Run, Scheme

from ..figures.conftest import today, town  # noqa: F401
from .test_run import INDICATORS

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def editor_post(city, **overrides):
    data = {"code": "county", "name": "县区考核", "subject_kind": "region", "period_kind": "month", "basis": "",
            "target_figure": "plan_rate", "target_value": "100", "is_active": "on", "version": "",
            "series_rows": "2", "s-0-name": "县区", "s-0-red": "1", "s-0-black": "1",
            "s-0-members": [str(city.regions.lanshan.pk), str(city.regions.luozhuang.pk)], "s-1-name": "",
            "indicator_rows": "3"}
    rows = [("plan", "年计划完成率", "figure", "plan_rate", "60", "linear", {"target": "100"}),
            ("quality", "工程质量", "manual", "", "10", "linear", {"target": "10"}),
            ("pitch", "擂台赛", "judges", "", "20", "linear", {"target": "100"})]
    for index, (code, name, source, figure, weight, kind, extra) in enumerate(rows):
        prefix = f"i-{index}-"
        data.update({prefix + "code": code, prefix + "name": name, prefix + "source": source, prefix + "figure": figure,
                     prefix + "weight": weight, prefix + "kind": kind, prefix + "higher_is_better": "1"})
        data.update({prefix + k: v for k, v in extra.items()})
    data.update(overrides)
    return data


def test_the_editor_saves_a_scheme_and_a_refusal_keeps_the_typing(client, town):  # noqa: F811
    city = town.city
    login(client, city.users["dispatcher"])
    page = client.get(reverse("scoring:new"))
    assert page.status_code == 200 and "新建考核方案" in page.content.decode()
    bad = editor_post(city, **{"i-0-figure": "", "i-1-weight": "十", "name": "县区考核（草）"})
    response = client.post(reverse("scoring:new"), bad)
    text = response.content.decode()
    assert response.status_code == 200
    assert "第1个指标“年计划完成率”：请选择统计指标" in text and "第2个指标“工程质量”：分值应为0–1000的数" in text
    assert 'value="县区考核（草）"' in text and 'value="十"' in text
    assert not Scheme.objects.exists()
    response = client.post(reverse("scoring:new"), editor_post(city))
    scheme = Scheme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("scoring:scheme", args=[scheme.pk])
    assert [i["code"] for i in scheme.config["indicators"]] == ["plan", "quality", "pitch"]
    assert scheme.config["indicators"][0]["curve"] == {"kind": "linear", "target": "100"}
    detail = client.get(reverse("scoring:scheme", args=[scheme.pk])).content.decode()
    assert "得分＝60×实际值÷100，最高60分" in detail and "兰山区、罗庄区" in detail


def test_curve_lists_are_typed_as_people_write_them(client, town):  # noqa: F811
    city = town.city
    login(client, city.users["dispatcher"])
    data = editor_post(city, **{"i-0-kind": "per_point", "i-0-base": "25", "i-0-target": "100", "i-0-below": "0.1",
                                "i-0-above": "100：0.2，130:0.1", "i-0-max_bonus": "10", "i-0-max_penalty": "10",
                                "i-1-kind": "rank", "i-1-source": "figure", "i-1-figure": "completed",
                                "i-1-ranks": "1-3:7，4—6:5 7-10:3", "i-1-weight": "7"})
    assert client.post(reverse("scoring:new"), data).status_code == 302
    curves = [i["curve"] for i in Scheme.objects.get().config["indicators"]]
    assert curves[0] == {"kind": "per_point", "target": "100", "base": "25", "below": "0.1",
                         "above": [["100", "0.2"], ["130", "0.1"]], "max_bonus": "10", "max_penalty": "10"}
    assert curves[1] == {"kind": "rank", "ranks": [["1", "3", "7"], ["4", "6", "5"], ["7", "10", "3"]]}


def published_run(town):  # noqa: F811
    city = town.city
    scheme = services.scheme_save(city.users["dispatcher"], None, code="county", name="县区考核", subject_kind="region",
                                  period_kind="month", target_figure="plan_rate", target_value="100",
                                  config={"series": [{"name": "县区", "red": 1, "black": 1,
                                                      "members": [city.regions.lanshan.pk, city.regions.luozhuang.pk]}],
                                          "indicators": INDICATORS})
    run = services.run_compute(city.users["dispatcher"], scheme, "2026-10")
    return scheme, run


def test_office_computes_scores_vetoes_and_publishes(client, town):  # noqa: F811
    city = town.city
    scheme, _run = published_run(town)
    login(client, city.users["dispatcher"])
    response = client.post(reverse("scoring:compute", args=[scheme.pk]), {"period": "2026-10"}, follow=True)
    run = Run.objects.get()
    assert "已计算2026年10月的考核结果（草稿）" in response.content.decode()
    page = client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    assert "草稿（未发布）" in page and "兰山区" in page and "截至2026年10月末，已审核填报" in page
    # The value links to the projects and reports it is computed from.
    link = re.search(r'href="(/figures/explain/\?[^"]+figure=plan_rate[^"]+)"', page).group(1).replace("&amp;", "&")
    explained = client.get(link)
    assert explained.status_code == 200 and "兰山快速路" in explained.content.decode()
    sheet = client.post(reverse("scoring:sheet", args=[run.pk]), {f"score-quality-{city.regions.lanshan.pk}": "11"})
    assert "得分应在0到10之间" in sheet.content.decode() and not ManualScore.objects.exists()
    client.post(reverse("scoring:sheet", args=[run.pk]), {f"score-quality-{city.regions.lanshan.pk}": "8"})
    assert ManualScore.objects.get().score == 8
    client.post(reverse("scoring:veto", args=[run.pk]), {"subject_id": city.regions.luozhuang.pk, "reason": "安全事故"})
    client.post(reverse("scoring:recompute", args=[run.pk]))
    run.refresh_from_db()
    assert run.results.get(subject_id=city.regions.luozhuang.pk).vetoed == "安全事故"
    stale = client.post(reverse("scoring:publish", args=[run.pk]), {"version": run.version - 1}, follow=True)
    assert "您的修改未保存" in stale.content.decode() and Run.objects.get().state == "draft"
    done = client.post(reverse("scoring:publish", args=[run.pk]), {"version": run.version}, follow=True)
    assert "已发布：2026年第1期" in done.content.decode()
    board = client.get(reverse("scoring:board", args=[run.pk])).content.decode()
    assert "红榜" in board and "黑榜" in board and "2026年第1期" in board
    assert "打印" in client.get(reverse("scoring:print", args=[run.pk])).content.decode()
    export = client.get(reverse("scoring:run_export", args=[run.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "兰山区" in values and "一票否决：安全事故" in values


def test_drafts_only_the_office_and_published_rows_by_role(client, town):  # noqa: F811
    city = town.city
    scheme, run = published_run(town)
    for name in ("leader", "reporter_a", "inspector"):
        login(client, city.users[name])
        assert client.get(reverse("scoring:run", args=[run.pk])).status_code == 404
    services.run_publish(city.users["dispatcher"], run, version=run.version)
    login(client, city.users["leader"])
    page = client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    assert "兰山区" in page and "罗庄区" in page
    # 罗庄区's clerk sees the boards' rows (兰山区 red, 罗庄区 black) — here both — and never a draft.
    login(client, city.users["reporter_b"])
    assert "罗庄区" in client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    assert client.get(reverse("scoring:export", args=[scheme.pk])).status_code == 403


def test_import_and_export_through_the_pages(client, town):  # noqa: F811
    city = town.city
    scheme, _run = published_run(town)
    login(client, city.users["dispatcher"])
    document = json.loads(client.get(reverse("scoring:export", args=[scheme.pk])).content)
    assert document["series"][0]["members"] == ["兰山区", "罗庄区"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    document["code"] = "copy"
    upload = SimpleUploadedFile("scheme.json", json.dumps(document, ensure_ascii=False).encode())
    response = client.post(reverse("scoring:import"), {"file": upload}, follow=True)
    assert "已导入考核方案" in response.content.decode()
    broken = SimpleUploadedFile("scheme.json", b"\xff\xfe not json")
    response = client.post(reverse("scoring:import"), {"file": broken}, follow=True)
    assert "文件不是推进平台导出的考核方案（JSON）" in response.content.decode()
    assert Scheme.objects.count() == 2
