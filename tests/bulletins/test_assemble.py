"""A bulletin assembled for the hand-built town (tests/figures/conftest.py) as of 2026-10: each sentence
and table against the numbers worked out there, and against the figures layer itself."""

import re

import pytest

from tuijin.bulletins.assemble import Spec, assemble, default_title
from tuijin.bulletins.document import Document, Image, Paragraph, Table
from tuijin.figures import selectors as figures
from tuijin.figures.periods import parse_period

pytestmark = pytest.mark.django_db

OCT = parse_period("2026-10")


def _texts(section) -> str:
    return "".join(b.text for b in section.blocks if isinstance(b, Paragraph))


def _section(document: Document, key: str):
    return next(s for s in document.sections if s.key == key)


@pytest.fixture
def built(town):
    return assemble(None, Spec(period=OCT, region=town.city.regions.city, texts={"next_steps": "一是加快开工。\n二是强化调度。"}))


def test_the_title_and_the_default_header(built, town):
    doc = built.document
    assert doc.title == "关于2026年1—10月全市重点项目建设情况的通报" == default_title(OCT, town.city.regions.city)
    assert doc.issuer == f"{town.city.regions.city.name}重点项目建设推进办公室"
    assert [s.key for s in doc.sections] == ["overview", "categories", "rankings", "warnings", "problems", "next_steps"]


def test_the_overview_sentences_carry_the_towns_figures(built):
    text = _texts(_section(built.document, "overview"))
    # 6 projects, total 68,300.75 万元, plan 7,200.00 (under 1亿: the bulletin is in 万元)
    assert "全市共有重点项目6个，总投资68300.75万元，年度计划投资7200.00万元" in text
    # 2,332 / 7,200 = 32.4%; 序时 80.2 → 47.8 points below; last year 1,200 → +94.3%
    assert "1—10月，累计完成投资2332.00万元，占年度计划的32.4%，低于序时进度47.8个百分点，同比增长94.3%。" in text
    assert "截至2026年10月" in text


def test_the_headline_equals_the_figures_layer(built, town):
    total = figures.figures(None, period="2026-10", filters={"region": town.city.regions.city.pk}).total.as_json()
    for key in ("projects", "total_investment", "annual_plan", "completed", "plan_rate", "deviation_points",
                "started", "planned_starts", "start_rate", "problems", "problems_closed"):
        assert built.headline[key] == total[key], key
    assert built.headline["completed"] == "2332.00"
    assert built.headline["unit"] == "万元"


def test_every_number_of_the_ranking_sentence_is_in_its_table(built):
    section = _section(built.document, "rankings")
    tables = [b for b in section.blocks if isinstance(b, Table)]
    regions = tables[0]
    assert regions.columns[0] == "地区" and regions.columns[-1] == "排名"
    ranked = [row[-1] for row in regions.rows]
    assert ranked == sorted(ranked, key=lambda r: int(r) if r.isdigit() else 999)
    # The 合计 row equals the headline (same unit, same digits).
    assert regions.totals[1] == "6"
    assert any(isinstance(b, Image) and b.png.startswith(b"\x89PNG") for b in section.blocks)


def test_the_problems_table_adds_up_to_the_figures(built):
    section = _section(built.document, "problems")
    table = next(b for b in section.blocks if isinstance(b, Table))
    # 2026 problems of counted projects up to 10-31: P1 ×2 (closed), P3 (closed 11-05: open at 10-31), P4 (pending)
    assert table.totals[1:] == ["4", "0", "2", "2", "50.0%"]
    text = _texts(section)
    assert "共收集问题4个，已办结2个，办结率50.0%" in text
    assert built.headline["problems"] == 4 and built.headline["problems_closed"] == 2


def test_the_offices_text_follows_the_generated_content(built):
    section = _section(built.document, "next_steps")
    assert [b.text for b in section.blocks] == ["一是加快开工。", "二是强化调度。"]


def test_a_draft_without_next_steps_leaves_the_section_out(town):
    found = assemble(None, Spec(period=OCT, region=town.city.regions.city))
    assert "next_steps" not in [s.key for s in found.document.sections]


def test_a_districts_edition_counts_only_its_projects(town):
    lanshan = town.city.regions.lanshan
    found = assemble(None, Spec(period=OCT, region=lanshan))
    assert found.document.title == "关于2026年1—10月全区重点项目建设情况的通报"
    assert found.headline["projects"] == 3   # P1, P2, P6
    assert found.headline["completed"] == "1032.00"
    text = _texts(_section(found.document, "overview"))
    assert "全区共有重点项目3个" in text and "累计完成投资1032.00万元" in text


def test_the_document_survives_its_snapshot(built):
    again = Document.from_json(built.document.as_json())
    assert again == built.document
    numbers = re.findall(r"\d+\.\d", _texts(_section(again, "overview")))
    assert numbers


def test_the_top_regions_bulletin_counts_every_project(town):
    province = town.city.regions.province
    found = assemble(None, Spec(period=OCT, region=province))
    assert found.document.title == "关于2026年1—10月全省重点项目建设情况的通报"
    assert found.headline["projects"] == 6 and found.headline["completed"] == "2332.00"
    assert found.filters == {}


def test_the_warnings_are_the_lights_recorded_for_the_month(town):
    """With October's lights recorded (alerts.LightSnapshot), the October bulletin states them — not the
    alerts of the day it is drafted — and says they are as of the month's end."""
    from tuijin.alerts import services as alerts
    from tuijin.alerts.models import Alert, PeriodLight
    from tuijin.projects.choices import Light

    alerts.refresh(None)  # 2026-11-20: October is the month judged, its record begins
    recorded = dict(PeriodLight.objects.filter(snapshot__period__year=2026, snapshot__period__month=10)
                    .values_list("project_id", "light"))
    red = sum(1 for light in recorded.values() if light == Light.RED)
    yellow = len(recorded) - red
    assert recorded, "the town has warned projects in October"
    Alert.objects.all().delete()  # today's warnings are gone; October's record stays
    document = assemble(None, Spec(period=OCT, region=town.city.regions.city)).document
    text = _texts(_section(document, "warnings"))
    counted = "、".join(part for part in (f"红灯预警项目{red}个" if red else "", f"黄灯预警项目{yellow}个" if yellow else "") if part)
    assert text.startswith(f"截至10月底，共有{counted}，")
    listed = next(t for t in document.annexes if t.title == "预警项目清单")
    assert len(listed.rows) == len(recorded)


def test_without_a_record_the_warnings_are_todays(town):
    document = assemble(None, Spec(period=OCT, region=town.city.regions.city)).document
    assert _texts(_section(document, "warnings")).startswith("截至11月20日，")
