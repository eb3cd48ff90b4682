"""Finding headers: every real Fujian template, then the shapes they stand for, built by hand."""

import re

import pytest

from tuijin.core.sheets.headers import find_header, merged_origins
from tuijin.core.sheets.reader import Sheet, read_workbook
from tuijin.core.sheets.values import normalize_label

from .corpus import TEMPLATES

# Column headers of real 漳州/南平 report templates (the grid templates (a)–(c), (f)–(l); the cards (d)/(e)
# are left out on purpose). A caller's synonym dictionary would look much like this.
FACTS_HEADERS = """
序号 项目名称 项目性质 建设内容及规模 建设起止时间 总投资（万元） 至2009年底累计完成投资（万元） 2010年计划投资（万元）
2010年1-7月完成投资（万元） 后五个月项目进度关键节点的安排 大干150天力争完成的投资额（万元） 全年完成投资额（万元）
项目业主单位 业主名称 负责人 联系人 电话 市或县挂钩责任单位 单位名称 责任人 联络人 市挂钩领导
当月完成投资额（万元） 形象进度 投资情况（万元）以及形象进度 上旬 中旬 下旬 累计 所属区域 项目数 投资进度（万元） 完成比例%
总投资 2010年度计划投资额 8月至12月计划投资额 月完成情况 月计划投资额 旬完成投资额 本旬占月计划投资额（%）
至旬完成投资额 占月计划投资（%） 挂钩领导 市领导 县领导 责任单位 业主单位或筹办单位 目前项目建设形象进度 项目建设中存在问题
电话、电子邮箱及传真 市或县挂钩领导 项目业主单位及负责人 市或县挂钩责任单位及责任人
总投资(万元) 开工至上一年度底累计完成投资 2010年计划投资(万元) 2010年实际完成情况 1-3月实际完成投资(万元)
完成投资占年计划% 1-3月实际形象进度 建设单位及责任人 挂点领导
建设地点 建设年限 项目总投资 开工累计完成投资 年度计划投资 2009年完成情况 月完成投资 1-月累计完成投资 完成年度投资计划%
1-月工程形象进度 拟开工时间 今年开工时间 拟竣工时间 今年竣工时间 业主、法人（责任）单位及负责人 需要省、市协调解决问题 项目挂点领导
建设起止年限 项目总投资（万元） “十一五”完成投资（万元） “十二五”规划投资（万元） 2010年项目进展情况 “十二五”工作目标 业主（责任）单位
项目业主及负责人 单位类型 参建单位名称 资质等级 承担合同段名称 合同金额(万元) 合同开始时间 合同结束时间 项目经理(总监/设总)
联系电话 参建单位总部地址 邮编 参建单位现场地址
项目总投资 投资主体 资金来源 来源说明 至上年底累计资金到位 年度资金到位 年计划完成投资 年实际完成投资
""".split()


def key(label: str) -> str:
    """Compare labels without their unit or year: "2010年计划投资（万元）" ~ "计划投资"."""
    label = normalize_label(label)
    label = re.sub(r"\((?:万元|亿元|元|%)\)|%", "", label)
    return re.sub(r"\d{4}年", "", label)


KNOWN = {key(header) for header in FACTS_HEADERS}


def score(label: str) -> bool:
    return key(label) in KNOWN


def template_sheet(path: str, sheet: str) -> Sheet:
    return read_workbook(TEMPLATES / path, path).sheet(sheet)


# ---------------------------------------------------------------------------------------------
# Real templates


def test_annual_detail_sheet_has_a_two_row_header_with_owner_and_unit_groups():
    header = find_header(template_sheet("zzfet/年度项目明细表.xls", "明细表"), score)
    assert (header.top, header.bottom) == (1, 2)
    assert header.title == "古雷港经济开发区2010年项目明细表"
    assert header.unit is None  # no unit line: each amount column says 万元 itself
    assert header.labels() == [
        "序号", "项目名称", "项目性质", "建设内容及规模", "建设起止时间", "总投资(万元)",
        "至2009年底累计完成投资(万元)", "2010年计划投资(万元)", "2010年1-7月完成投资(万元)",
        "后五个月项目进度关键节点的安排", "大干150天力争完成的投资额(万元)",
        "项目业主单位/业主名称", "项目业主单位/负责人", "项目业主单位/联系人", "项目业主单位/电话",
        "市或县挂钩责任单位/单位名称", "市或县挂钩责任单位/责任人", "市或县挂钩责任单位/联络人",
        "市或县挂钩责任单位/电话", "市挂钩领导",
    ]  # fmt: skip
    assert [column.index for column in header.columns] == list(range(20))
    assert header.columns[11].parts == ("项目业主单位", "业主名称")
    assert header.columns[5].parts == ("总投资(万元)",)
    assert header.columns[0].parts == ("序号",)  # merged over two rows: one part


@pytest.mark.parametrize(
    ("sheet", "title", "full_year"),
    [
        ("按地区", "南太武滨海新区2010年项目明细表", "全年完成投资额(万元)"),
        ("按行业", "漳州台商投资区2010年项目明细表", "2010年力争完成的投资额(万元)"),
    ],
)
def test_the_other_annual_detail_sheets(sheet, title, full_year):
    header = find_header(template_sheet("zzfet/年度项目明细表.xls", sheet), score)
    assert (header.top, header.bottom, header.title) == (1, 2, title)
    assert header.columns[11].label == full_year
    assert header.labels()[12] == "项目业主单位/业主名称"


def test_campaign_progress_sheet_has_a_three_row_header():
    header = find_header(template_sheet("zzfet/战役项目.xls", "进度一览表"), score)
    assert (header.top, header.bottom) == (2, 4)
    assert header.title == "漳州市新增长区域发展战役项目进度一览表"
    assert header.labels()[:3] == ["序号", "项目名称", "投资情况(万元)以及形象进度/8月/上旬"]
    assert header.labels()[-1] == "投资情况(万元)以及形象进度/12月/形象进度"
    assert len(header.columns) == 27


def test_campaign_summary_and_detail_sheets():
    summary = find_header(template_sheet("zzfet/战役项目.xls", "汇总表"), score)
    assert (summary.top, summary.bottom) == (2, 4)
    assert summary.labels()[:4] == ["序号", "所属区域", "项目数", "投资进度(万元)/8月/上旬"]
    detail = find_header(template_sheet("zzfet/战役项目.xls", "明细表"), score)
    assert (detail.top, detail.bottom) == (1, 2)
    assert detail.labels()[11:13] == ["8月/当月完成投资额(万元)", "8月/形象进度"]


def test_ten_day_report_reads_its_unit_line():
    header = find_header(template_sheet("zzfet/旬报表.xls", "旬报表"), score)
    assert (header.top, header.bottom) == (2, 3)
    assert header.title == "漳州市五大战役旬报表"
    assert header.unit == "万元"  # "计量单位：万元"
    labels = header.labels()
    assert "月完成情况/本旬占月计划投资额(%)" in labels
    assert labels[12:16] == ["挂钩领导/市领导", "挂钩领导/县领导", "责任单位", "责任单位/责任人"]


def test_support_projects_sheet():
    header = find_header(template_sheet("zzfet/重大支撑项目表.xls", "附表"), score)
    assert (header.top, header.bottom) == (1, 2)
    assert header.labels()[-3:] == ["项目业主单位及负责人", "市或县挂钩责任单位及责任人", "市挂钩领导"]


@pytest.mark.parametrize("sheet", ["竣工投产", "加速开工", "加速报批", "加速签约"])
def test_responsibility_sheets(sheet):
    header = find_header(template_sheet("zzfet/项目目标责任制表.xls", sheet), score)
    assert (header.top, header.bottom) == (1, 2)
    assert header.labels()[0] == "序号"
    assert "项目业主单位/电话、电子邮箱及传真" in header.labels()


def test_a_blank_header_cell_leaves_its_column_out():
    # The template's 加速签约 sheet lost its "项目名称" header: column 1 has no label.
    header = find_header(template_sheet("zzfet/项目目标责任制表.xls", "加速签约"), score)
    assert [column.index for column in header.columns][:3] == [0, 2, 3]
    assert header.labels()[1] == "项目性质"


def test_monthly_report_header_runs_over_three_rows_with_an_empty_one():
    header = find_header(template_sheet("nanping/重点项目月报表(在建、筹建).xls", "分级管理"), score)
    assert (header.top, header.bottom) == (1, 3)
    assert header.title == "南平市2010年1-3月重点项目(在建、预备)计划分级管理完成情况一览表"
    assert header.labels()[5] == "2010年实际完成情况/1-3月实际完成投资(万元)"
    assert header.labels()[2] == "总投资(万元)"  # "总投资               (万元)" in the file


def test_monthly_summary_sheet_starts_below_a_blank_row():
    header = find_header(template_sheet("nanping/重点项目月报表(在建、筹建).xls", "分级管理（在建）"), score)
    assert (header.top, header.bottom) == (3, 3)
    assert header.title == "2010年全市在建重点项目分级管理完成情况表(1-3月)"
    assert header.columns[0].index == 1  # the grouping column has no header
    assert header.labels()[4] == "1~月完成投资(万元)"


def test_annual_targets_summary():
    header = find_header(template_sheet("nanping/年度目标及形象进度完成情况汇总表.xls", "Sheet1"), score)
    assert (header.top, header.bottom) == (1, 2)
    assert header.labels()[8:10] == ["2009年完成情况/月完成投资", "2009年完成情况/1-月累计完成投资"]
    assert len(header.columns) == 22


def test_five_year_plan_sheet_has_one_header_row():
    header = find_header(template_sheet("nanping/“十二五”规划重点项目报表.xls", "十二五"), score)
    assert (header.top, header.bottom) == (1, 1)
    assert header.title == "南平市“十二五”规划重点项目汇总表"
    assert header.labels()[2:5] == ["建设内容及规模", "建设起止年限", "项目总投资(万元)"]


@pytest.mark.parametrize(
    ("path", "sheet", "title", "first"),
    [
        ("nanping/项目参建单位汇总表.xls", "项目参建单位汇总表", "项目参建单位汇总表", "序号"),
        ("nanping/项目资金拼盘及到位汇总表.xls", "Sheet1", "资金到位汇总表", "序号"),
    ],
)
def test_a_unit_line_between_title_and_header_gives_the_unit(path, sheet, title, first):
    header = find_header(template_sheet(path, sheet), score)
    assert (header.top, header.bottom) == (3, 3)
    assert (header.title, header.unit) == (title, "万元")
    assert header.labels()[0] == first


def test_duplicate_labels_are_kept_for_the_caller_to_judge():
    header = find_header(template_sheet("nanping/项目参建单位汇总表.xls", "项目参建单位汇总表"), score)
    assert header.labels().count("邮编") == 2


@pytest.mark.parametrize(
    ("path", "sheet"),
    [
        # One-page cards (FACTS §2.1 (d), (e)): labels beside wide value cells, no grid to import.
        ("zzfet/在建、新开工项目台账.xls", "Sheet1"),
        ("zzfet/项目前期工作台账.xls", "Sheet1"),
        # Empty sheets that Excel adds to every new workbook.
        ("zzfet/项目前期工作台账.xls", "Sheet2"),
        ("nanping/项目资金拼盘及到位汇总表.xls", "Sheet3"),
    ],
)
def test_cards_and_empty_sheets_have_no_grid_header(path, sheet):
    assert find_header(template_sheet(path, sheet), score) is None


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.xls")), ids=lambda p: p.name)
def test_every_sheet_of_every_template_is_judged_without_error(path):
    book = read_workbook(path, path.name)
    for sheet in book.sheets:
        header = find_header(sheet, score)
        if header is not None:
            assert 0 <= header.top <= header.bottom < len(sheet.rows)
            assert header.bottom - header.top < 3
            assert all(column.label == "/".join(column.parts) for column in header.columns)


# ---------------------------------------------------------------------------------------------
# Shapes built by hand


def sheet_of(rows, merged=()):
    width = max(len(row) for row in rows)
    return Sheet(name="S", rows=[list(row) + [""] * (width - len(row)) for row in rows], merged=list(merged))


def test_an_unmerged_group_header_spreads_over_its_children():
    sheet = sheet_of(
        [
            ["序号", "项目名称", "项目业主单位", "", ""],
            ["", "", "业主名称", "负责人", "电话"],
            ["1", "甲", "甲公司", "张三", "123"],
        ]
    )
    header = find_header(sheet, score)
    assert (header.top, header.bottom) == (0, 1)
    assert header.labels() == [
        "序号", "项目名称", "项目业主单位/业主名称", "项目业主单位/负责人", "项目业主单位/电话",
    ]  # fmt: skip


def test_a_text_only_data_row_is_not_taken_for_header():
    sheet = sheet_of([["序号", "项目名称", "项目性质"], ["一", "工业", ""], ["1", "甲", "续建"]])
    header = find_header(sheet, score)
    assert (header.top, header.bottom) == (0, 0)


def test_years_typed_as_numbers_label_a_merged_group():
    sheet = sheet_of(
        [["序号", "项目名称", "年度投资计划", "", ""], ["", "", 2024, 2025, 2026], [1, "甲", 100, 200, 300]],
        merged=[((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 4))],
    )
    header = find_header(sheet, score)
    assert (header.top, header.bottom) == (0, 1)
    assert header.labels()[2:] == ["年度投资计划/2024", "年度投资计划/2025", "年度投资计划/2026"]


def test_numbers_under_a_finished_header_are_data():
    sheet = sheet_of([["序号", "项目名称", "总投资"], [1, "甲", 100]])
    assert find_header(sheet, score).bottom == 0


def test_a_column_numbering_row_belongs_to_the_header():
    sheet = sheet_of(
        [["序号", "项目名称", "总投资", "年度计划投资", "累计"], ["甲", "乙", 1, 2, 3], [1, "项目", 10, 5, 2]]
    )
    header = find_header(sheet, score)
    assert (header.top, header.bottom) == (0, 1)
    assert header.labels() == ["序号", "项目名称", "总投资", "年度计划投资", "累计"]


@pytest.mark.parametrize(
    ("above", "title", "unit"),
    [
        (
            [["某区2026年重点项目表"], ["填报单位：某区发改局", "", "单位：亿元"]],
            "某区2026年重点项目表",
            "亿元",
        ),
        ([["单位：元"], ["2026年重点项目表"]], "2026年重点项目表", "元"),
        ([["2026年重点项目投资表（单位：万元）"]], "2026年重点项目投资表(单位:万元)", "万元"),
        ([["填报单位：元氏县发改局"]], "填报单位:元氏县发改局", None),
        ([], None, None),
    ],
)
def test_title_and_unit_come_from_the_lines_above(above, title, unit):
    sheet = sheet_of([*above, ["序号", "项目名称", "总投资"], [1, "甲", 100]])
    header = find_header(sheet, score)
    assert (header.top, header.title, header.unit) == (len(above), title, unit)


def test_the_row_with_more_known_columns_wins():
    sheet = sheet_of(
        [["说明", "序号", "项目名称", "", "", ""], ["", "", "", "", "", ""],
         ["序号", "项目名称", "项目性质", "总投资", "建设地点", "负责人"], [1, "甲", "续建", 1, "某地", "张"]]
    )  # fmt: skip
    assert find_header(sheet, score).top == 2


def test_a_header_beyond_the_scanned_rows_is_not_found():
    rows = [["说明文字"]] * 40 + [["序号", "项目名称", "总投资"], [1, "甲", 1]]
    sheet = sheet_of(rows)
    assert find_header(sheet, score) is None
    assert find_header(sheet, score, scan_rows=50).top == 40


def test_one_known_label_is_not_a_header():
    assert find_header(sheet_of([["项目名称", "别的", "什么"], ["甲", "乙", "丙"]]), score) is None


def test_spaces_and_full_width_brackets_in_labels_are_normalized():
    sheet = sheet_of([["序  号", "项 目 名 称", "总投资\n（万元）"], [1, "甲", 1]])
    assert find_header(sheet, score).labels() == ["序号", "项目名称", "总投资(万元)"]


def test_merged_origins_maps_covered_cells_to_their_first_cell():
    sheet = sheet_of([["a", "", ""], ["", "", ""]], merged=[((0, 0), (1, 1))])
    assert merged_origins(sheet) == {(0, 1): (0, 0), (1, 0): (0, 0), (1, 1): (0, 0)}
    assert merged_origins(sheet, range(1, 2)) == {(1, 0): (0, 0), (1, 1): (0, 0)}
