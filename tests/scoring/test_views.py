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
    data = {"code": "county", "name": "县区考核", "period_kind": "month", "basis": "",
            "target_figure": "plan_rate", "target_value": "100", "is_active": "on", "version": "",
            "series_rows": "2", "s-0-name": "县区", "s-0-kind": "region", "s-0-red": "1", "s-0-black": "1",
            "s-0-members": [f"region:{city.regions.lanshan.pk}", f"region:{city.regions.luozhuang.pk}"], "s-1-name": "",
            "s-1-kind": "region",
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
    scheme = services.scheme_save(city.users["dispatcher"], None, code="county", name="县区考核",
                                  period_kind="month", target_figure="plan_rate", target_value="100",
                                  config={"series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
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
    link = re.search(r'href="(/scoring/runs/\d+/point/\?[^"]+indicator=plan)"', page).group(1).replace("&amp;", "&")
    explained = client.get(link)
    assert explained.status_code == 200 and "兰山快速路" in explained.content.decode()
    sheet = client.post(reverse("scoring:sheet", args=[run.pk]), {f"score-quality-region:{city.regions.lanshan.pk}": "11"})
    assert "得分应在0到10之间" in sheet.content.decode() and not ManualScore.objects.exists()
    client.post(reverse("scoring:sheet", args=[run.pk]), {f"score-quality-region:{city.regions.lanshan.pk}": "8"})
    assert ManualScore.objects.get().score == 8
    client.post(reverse("scoring:veto", args=[run.pk]), {"subject": f"region:{city.regions.luozhuang.pk}", "reason": "安全事故"})
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


def test_each_series_chooses_its_kind_and_subjects_in_the_editor(client, town):  # noqa: F811
    city = town.city
    login(client, city.users["dispatcher"])
    page = client.get(reverse("scoring:new")).content.decode()
    assert 'name="s-0-kind"' in page and f'value="region:{city.regions.lanshan.pk}"' in page
    # The second 序列 turned to 牵头单位 and the page asked for its subjects (列出可选对象): nothing saved,
    # the typing kept, and the units listed for that row.
    data = editor_post(city, **{"s-1-name": "市直部门", "s-1-kind": "lead_unit", "refresh": "1"})
    response = client.post(reverse("scoring:new"), data)
    text = response.content.decode()
    assert response.status_code == 200 and not Scheme.objects.exists()
    assert f'name="s-1-members" value="lead_unit:{city.units.development.pk}"' in text
    assert 'value="市直部门"' in text
    # Saved with a unit ticked.
    data = editor_post(city, **{"s-1-name": "市直部门", "s-1-kind": "lead_unit", "s-1-red": "1", "s-1-black": "0",
                                "s-1-members": [f"lead_unit:{city.units.development.pk}"], "series_rows": "2"})
    assert client.post(reverse("scoring:new"), data).status_code == 302
    scheme = Scheme.objects.get()
    assert [(s["kind"], s["members"]) for s in scheme.config["series"]] == [
        ("region", [city.regions.lanshan.pk, city.regions.luozhuang.pk]), ("lead_unit", [city.units.development.pk])]
    detail = client.get(reverse("scoring:scheme", args=[scheme.pk])).content.decode()
    assert "县区/园区、牵头（第一责任）单位" in detail and "临沂市发展和改革委员会" in detail
    # Without the script: the kind changed but the boxes ticked are regions — not saved, said why.
    data = editor_post(city, **{"s-0-kind": "lead_unit", "version": str(scheme.version)})
    text = client.post(reverse("scoring:edit", args=[scheme.pk]), data).content.decode()
    assert "序列“县区”的考核对象类型已更改，请重新勾选考核对象后保存" in text
    assert Scheme.objects.get().config["series"][0]["kind"] == "region"


def test_project_exemption_on_the_pages(client, town):  # noqa: F811
    from tuijin.scoring.models import Exemption

    city, p = town.city, town.p
    scheme, _run = published_run(town)
    login(client, city.users["dispatcher"])
    detail = client.get(reverse("scoring:scheme", args=[scheme.pk])).content.decode()
    assert f'<option value="{p.p2.pk}">兰山产业园' in detail and f'<option value="{p.p5.pk}"' not in detail  # 市本级: no
    bad = client.post(reverse("scoring:exemption_add", args=[scheme.pk]),
                      {"project": p.p2.pk, "reason": "", "starts": "2026-10-01", "ends": "2026-10-31"}, follow=True)
    assert "请填写豁免原因" in bad.content.decode() and not Exemption.objects.exists()
    client.post(reverse("scoring:exemption_add", args=[scheme.pk]),
                {"project": p.p2.pk, "reason": "汛期停工", "starts": "2026-10-01", "ends": "2026-10-31"})
    exemption = Exemption.objects.get()
    client.post(reverse("scoring:recompute", args=[_run.pk]))
    page = client.get(reverse("scoring:run", args=[_run.pk])).content.decode()
    assert "已豁免" in page and "兰山产业园：汛期停工（张调度批准）" in page
    link = re.search(r'href="(/scoring/runs/\d+/point/\?[^"]+indicator=plan)"', page).group(1).replace("&amp;", "&")
    point = client.get(link).content.decode()
    assert "64.8%" in point and "兰山快速路" in point and 'id="point-exempt"' in point and "汛期停工" in point
    # Changed through its page, at the version it showed; a stale page is refused.
    edit = reverse("scoring:exemption_edit", args=[exemption.pk])
    assert "修改豁免" in client.get(edit).content.decode()
    response = client.post(edit, {"reason": "汛期停工（延长）", "starts": "2026-10-01", "ends": "2026-11-30", "version": "1"})
    assert response.status_code == 302 and Exemption.objects.get().reason == "汛期停工（延长）"
    stale = client.post(edit, {"reason": "再改", "starts": "2026-10-01", "ends": "2026-11-30", "version": "1"})
    assert "您的修改未保存" in stale.content.decode() and Exemption.objects.get().reason == "汛期停工（延长）"
    history = client.get(edit).content.decode()
    assert "由“汛期停工”改为“汛期停工（延长）”" in history
    client.post(reverse("scoring:exemption_delete", args=[exemption.pk]), {"version": "2"})
    assert not Exemption.objects.exists()
