"""A bulletin's content as plain data: what the assembly produces, what a published bulletin freezes
(as JSON, `as_json` / `from_json`) and what the renderers (.docx, the browser preview) read.

Nothing here queries the database or knows how a figure is computed: every text and cell is already
written out. Money, rates and points in cells are strings as the bulletin prints them ("312.6", "87.2%").
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field

# Paragraph styles a renderer must know.
BODY = "body"          # 正文: 仿宋, 三号, first-line indent of two characters
HEADING1 = "heading1"  # 一、总体情况: 黑体, 三号
HEADING2 = "heading2"  # （一）按类别: 楷体, 三号
NOTE = "note"          # 注：…  small print under a table or chart
STYLES = (BODY, HEADING1, HEADING2, NOTE)


@dataclass
class Paragraph:
    text: str
    style: str = BODY
    kind: str = "paragraph"


@dataclass
class Table:
    """A table with a caption; `totals` is the 合计 row (None when the table has no sums). `numeric[i]`
    says column i is right-aligned. `landscape` asks for a landscape page when rendered as an annex."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    totals: list[str] | None = None
    numeric: list[bool] = field(default_factory=list)
    landscape: bool = False
    note: str = ""
    kind: str = "table"


@dataclass
class Image:
    """A chart: PNG bytes, its caption and its printed width in centimetres."""

    png: bytes
    caption: str
    width_cm: float = 15.0
    kind: str = "image"


Block = Paragraph | Table | Image


@dataclass
class Section:
    """一、总体情况 …: `key` is stable (overview, categories, rankings, warnings, problems, next_steps),
    `heading` the printed heading without its number ("总体情况"), `blocks` in order."""

    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """The whole bulletin. `number` is the 期号 line ("2026年第10期"), `issuer` the issuing office
    ("××市重点项目建设推进办公室"), `date` the printed date ("2026年11月8日"), `main_to` 主送 and `copy_to`
    抄送 (empty: not printed). `red_header` prints the 红头 (issuer in red over a red rule). `corrects`
    is the sentence saying what an earlier issue got wrong (empty for a first issue). `annexes` are the
    附件 tables, each printed on its own page after the body."""

    title: str
    number: str
    issuer: str
    date: str
    sections: list[Section]
    main_to: str = ""
    copy_to: str = ""
    red_header: bool = True
    header_title: str = "重点项目建设情况通报"
    opening: str = ""
    corrects: str = ""
    annexes: list[Table] = field(default_factory=list)

    def as_json(self) -> dict:
        data = asdict(self)
        for section in data["sections"]:
            for block in section["blocks"]:
                if block["kind"] == "image":
                    block["png"] = base64.b64encode(block["png"]).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: dict) -> Document:
        sections = [Section(s["key"], s["heading"], [_block(b) for b in s["blocks"]]) for s in data["sections"]]
        annexes = [_block(t) for t in data.get("annexes", [])]
        rest = {k: v for k, v in data.items() if k not in ("sections", "annexes")}
        return cls(sections=sections, annexes=annexes, **rest)


def _block(data: dict) -> Block:
    data = dict(data)
    kind = data.pop("kind")
    if kind == "paragraph":
        return Paragraph(**data)
    if kind == "table":
        return Table(**data)
    if kind == "image":
        data["png"] = base64.b64decode(data["png"])
        return Image(**data)
    raise ValueError(f"unknown block kind {kind!r}")


CHINESE_NUMERALS = "一二三四五六七八九十"


def section_number(index: int) -> str:
    """一、二、… for the 1st, 2nd … section (index from 0)."""
    n = index + 1
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    return str(n)


def example_document() -> Document:
    """A small complete bulletin with every kind of block: what a template is checked against and what
    docs/bulletin-templates.md shows."""
    table = Table("各地重点项目完成情况", ["地区", "项目数", "年度计划（亿元）", "累计完成（亿元）", "年计划完成率"],
                  [["甲县", "12", "30.00", "26.10", "87.0%"], ["乙区", "9", "20.00", "15.00", "75.0%"]],
                  ["合计", "21", "50.00", "41.10", "82.2%"], [False, True, True, True, True])
    return Document(
        title="关于2026年1—10月全市重点项目建设情况的通报", number="2026年第10期",
        issuer="示范市重点项目建设推进办公室", date="2026年11月8日",
        main_to="各县（市、区）、开发区，市直有关部门", copy_to="市委办公室，市政府办公室",
        opening="现将2026年1—10月全市重点项目建设情况通报如下：",
        sections=[
            Section("overview", "总体情况", [Paragraph("1—10月，全市重点项目累计完成投资41.10亿元，占年度计划的82.2%，"
                                                   "低于序时进度1.1个百分点。")]),
            Section("rankings", "各地各部门完成情况及排名", [table]),
            Section("next_steps", "下一步工作", [Paragraph("各地各部门要对照年度目标，倒排工期，确保完成全年任务。")]),
        ],
        annexes=[Table("各地重点项目建设情况表", table.columns, table.rows, table.totals, table.numeric, landscape=True)],
    )
