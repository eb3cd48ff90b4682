"""A bulletin (`document.Document`) as a Word file laid out like a government 通报 (GB/T 9704 as the guide),
or poured into an office's own Word template (docxtpl placeholders; docs/bulletin-templates.md).

The layout: A4, margins 37/35/28/26 mm; the optional 红头 (the bulletin's name in red 方正小标宋简体, the 期号,
the issuer and date over a red rule); the title in 方正小标宋简体 二号; body text 仿宋_GB2312 三号 on fixed
28.95 pt lines (22 lines a page), two characters' first-line indent; 一、 headings 黑体, （一） headings
楷体_GB2312; tables 仿宋 with a caption, borders, a header row repeated on every page, numbers right-aligned
and the 合计 row bold; annexes each on a new page (landscape when asked); 抄送 last; "— 1 —" page numbers,
odd pages right and even pages left.

Chinese font names go on w:rFonts/@w:eastAsia (python-docx sets only the Latin ones) and every style says
its text is zh-CN: a machine without 仿宋_GB2312 or 方正小标宋简体 prints the text in a substitute CJK font
(LibreOffice: Noto Sans/Serif CJK, with Simplified Chinese glyph forms because of the language), never as
boxes; `pdf.docx_to_pdf` goes further and names the substitute per font (tuijin.core.fonts.SUBSTITUTES).

Tables are written as WordprocessingML text and parsed once, not cell by cell through python-docx (which
takes seconds for a thousand rows); every table, small or large, goes through the same writer.
"""

from __future__ import annotations

import copy
import io
import logging
import math
import re
import unicodedata
import zipfile
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import jinja2
import jinja2.meta
import jinja2.sandbox
from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from .document import HEADING1, HEADING2, NOTE, Document, Image, Paragraph, Section, Table, section_number

logger = logging.getLogger(__name__)

W = nsdecls("w")

# Page (GB/T 9704: 版心 156 × 225 mm).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TWIP = 635  # EMU per twip
LINE = 579  # 28.95 pt in twips: 22 lines fill the 225 mm type area

# Fonts: the names Chinese offices have installed (Word and WPS look them up by these names).
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"
RED = "FF0000"

# Sizes in half-points (三号 16 pt, 二号 22 pt, 小二 18 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt, 小五 9 pt).
SAN_HAO, ER_HAO, XIAO_ER, SI_HAO, XIAO_SI = 32, 44, 36, 28, 24
TABLE_SIZES = (24, 21, 18, 15)  # 小四, 五号, 小五, 六号: the largest a table fits with


def _fonts(east_asian: str, latin: str = LATIN) -> str:
    return (f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asian}" w:cs="{latin}" '
            f'w:hint="eastAsia"/>')


def _rpr(east_asian: str, size: int, *, bold: bool = False, color: str = "") -> str:
    bold_xml = "<w:b/><w:bCs/>" if bold else ""
    color_xml = f'<w:color w:val="{color}"/>' if color else ""
    return (f"<w:rPr>{_fonts(east_asian)}{bold_xml}{color_xml}"
            f'<w:kern w:val="0"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
            f'<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>')


def _exact(twips: int, before: int = 0, after: int = 0) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}" w:line="{twips}" w:lineRule="exact"/>'


SINGLE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
INDENT2 = '<w:ind w:firstLineChars="200" w:firstLine="640"/>'
NO_INDENT = '<w:ind w:left="0" w:firstLine="0"/>'


# The order WordprocessingML requires of a paragraph's properties (Word refuses a file that mixes it up).
PPR_ORDER = [qn(f"w:{tag}") for tag in (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()]


def _ppr(children: str) -> str:
    """<w:pPr> with `children` in schema order; a later element of the same kind overrides an earlier one."""
    element = etree.fromstring(f"<w:pPr {W}>{children}</w:pPr>")
    kept = {}
    for child in element:
        kept[child.tag] = child
    ordered = sorted(kept.values(), key=lambda child: PPR_ORDER.index(child.tag))
    return "<w:pPr>" + "".join(etree.tostring(child, encoding="unicode").replace(f" {W}", "")
                               for child in ordered) + "</w:pPr>"


# Every style: widows kept, punctuation may reach into the margin (LibreOffice drops a 、；at a justified
# line's end otherwise), no snapping to the document grid (exact line spacing decides).
COMMON_PPR = '<w:widowControl/><w:overflowPunct w:val="1"/><w:adjustRightInd w:val="0"/><w:snapToGrid w:val="0"/>'


def _style(style_id: str, name: str, ppr: str, rpr: str, *, next_id: str = "") -> str:
    next_xml = f'<w:next w:val="{next_id}"/>' if next_id else ""
    return (f'<w:style {W} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{next_xml}<w:qFormat/>'
            f"{_ppr(COMMON_PPR + ppr)}{rpr}"
            f'</w:style>')


# Every paragraph the renderer writes has one of these styles. They name their fonts, sizes, spacing and
# language completely (no basedOn), so they look the same poured into any office template; a template that
# defines a style of the same name keeps its own (docs/bulletin-templates.md).
STYLES = {
    "TuijinTitle": ("通报标题", '<w:keepNext/>' + _exact(660) + NO_INDENT + '<w:jc w:val="center"/>',
                    _rpr(XIAOBIAOSONG, ER_HAO)),
    "TuijinMainTo": ("通报主送", _exact(LINE) + NO_INDENT + '<w:jc w:val="both"/>', _rpr(FANGSONG, SAN_HAO)),
    "TuijinBody": ("通报正文", _exact(LINE) + INDENT2 + '<w:jc w:val="both"/>', _rpr(FANGSONG, SAN_HAO)),
    "TuijinHeading1": ("通报一级标题", '<w:keepNext/>' + _exact(LINE) + INDENT2 + '<w:jc w:val="both"/>'
                       '<w:outlineLvl w:val="0"/>', _rpr(HEITI, SAN_HAO)),
    "TuijinHeading2": ("通报二级标题", '<w:keepNext/>' + _exact(LINE) + INDENT2 + '<w:jc w:val="both"/>'
                       '<w:outlineLvl w:val="1"/>', _rpr(KAITI, SAN_HAO)),
    "TuijinNote": ("通报注释", _exact(400, before=60) + NO_INDENT + '<w:jc w:val="both"/>', _rpr(FANGSONG, XIAO_SI)),
    "TuijinCaption": ("通报表题", '<w:keepNext/>' + _exact(480, before=120, after=60) + NO_INDENT
                      + '<w:jc w:val="center"/>', _rpr(HEITI, SI_HAO)),
    "TuijinFigure": ("通报插图", '<w:keepNext/>' + SINGLE.replace('w:before="0"', 'w:before="120"') + NO_INDENT
                     + '<w:jc w:val="center"/>', _rpr(FANGSONG, SAN_HAO)),
    "TuijinFigureCaption": ("通报图题", _exact(480, after=120) + NO_INDENT + '<w:jc w:val="center"/>',
                            _rpr(HEITI, SI_HAO)),
    "TuijinCell": ("通报表格", SINGLE + NO_INDENT + '<w:jc w:val="left"/>', _rpr(FANGSONG, 21)),
    "TuijinSignature": ("通报落款", _exact(LINE) + NO_INDENT + '<w:jc w:val="right"/>', _rpr(FANGSONG, SAN_HAO)),
    "TuijinAnnexList": ("通报附件说明", _exact(LINE) + NO_INDENT + '<w:jc w:val="both"/>', _rpr(FANGSONG, SAN_HAO)),
    "TuijinAnnexLabel": ("通报附件标识", '<w:keepNext/>' + _exact(LINE) + NO_INDENT + '<w:jc w:val="left"/>',
                         _rpr(HEITI, SAN_HAO)),
    "TuijinAnnexTitle": ("通报附件标题", '<w:keepNext/>' + _exact(560, before=120, after=240) + NO_INDENT
                         + '<w:jc w:val="center"/>', _rpr(XIAOBIAOSONG, XIAO_ER)),
    "TuijinCopyTo": ("通报抄送", _exact(LINE) + '<w:ind w:left="280" w:right="280" w:hanging="0"/>'
                     + '<w:jc w:val="both"/>', _rpr(FANGSONG, SI_HAO)),
    "TuijinFooter": ("通报页码", SINGLE + NO_INDENT, _rpr(SONGTI, SI_HAO)),
}


# ------------------------------------------------------------------------------------------- text helpers


def _em(text: str) -> float:
    """Printed width in characters of the font size: a Chinese character 1, a digit or Latin letter ~0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _clean(text: str) -> str:
    # Control characters are not allowed in XML; a tab or line break stays.
    return "".join(ch for ch in str(text) if ch in "\t\n" or ord(ch) >= 32)


def _runs(text: str, rpr: str = "") -> str:
    """Text as runs: line breaks become <w:br/>, tabs <w:tab/>."""
    parts = []
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>" if parts else ""


BREAK_AFTER = {"的": 3.0, "年": 1.5, "月": 1.5, "市": 1.5, "县": 1.5, "区": 1.5, "省": 1.5, "于": 1.5,
               "和": 1.0, "及": 1.0, "与": 1.0, "、": 1.0, "，": 1.5}
NO_LINE_START = set("，。、；：？！）》」』”’%．·-")
NO_LINE_END = set("（《「『“‘")


def _balanced(text: str, capacity: float) -> str:
    """A title too long for one line, broken into two lines of about equal length at a natural place
    (after 的, 年, 月, 市 …, never inside a number), as 公文 titles are set; longer titles wrap by themselves."""
    total = _em(text)
    if total <= capacity or total > capacity * 2 or "\n" in text:
        return text
    best, best_score = None, math.inf
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if (before.isascii() and before.isalnum() or before in "-.") and (after.isascii() and after.isalnum()
                                                                          or after in "-."):
            continue
        if after in NO_LINE_START or before in NO_LINE_END:
            continue
        left = _em(text[:i])
        if left > capacity or total - left > capacity:
            continue
        score = abs(left - total / 2) - BREAK_AFTER.get(before, 0.0)
        if score < best_score:
            best, best_score = i, score
    return text if best is None else f"{text[:best]}\n{text[best:]}"


def _p(style: str, text: str = "", *, ppr: str = "", rpr: str = "", runs: str = "") -> str:
    properties = _ppr(f'<w:pStyle w:val="{style}"/>{ppr}')
    return f"<w:p>{properties}{runs if runs else _runs(text, rpr)}</w:p>"


# ------------------------------------------------------------------------------------------------ tables


CELL_PAD = 2 * 57 + 40  # twips per cell: left and right cell margins and a little air
SAMPLE_ROWS = 120  # rows the column widths are fitted on (evenly spread over a long table)


def _lines(length: float, width: float) -> int:
    return max(1, math.ceil(length / width - 1e-9)) if length else 1


def _column_widths(table: Table, available: int) -> tuple[list[int], int]:
    """Column widths in twips filling `available`, and the font size (half-points) the table fits with.

    Numbers never wrap. Text columns start narrow and the spare width goes, half a character at a time, to
    the column where it saves the most printed lines (over a sample of the rows), so a long project name
    gets room before a 存在问题 column that is mostly empty."""
    columns = len(table.columns)
    numeric = [bool(table.numeric[i]) if i < len(table.numeric) else False for i in range(columns)]
    lines = [*table.rows, *([table.totals] if table.totals else [])]
    longest = [0.0] * columns
    for row in lines:
        for i in range(min(columns, len(row))):
            longest[i] = max(longest[i], _em(row[i]))
    step = max(1, len(lines) // SAMPLE_ROWS)
    sample = [[_em(row[i]) if i < len(row) else 0.0 for i in range(columns)] for row in lines[::step]]
    natural, least = [], []
    for i in range(columns):
        head = max(2.0, _header_width(table.columns[i]))
        if numeric[i]:
            least.append(max(longest[i], min(head, 3.0)))
            natural.append(max(head, longest[i]))
        else:
            natural.append(max(head, longest[i]))
            least.append(max(2.0, min(natural[-1], 4.0)))
    first = 0 if columns <= 6 else 1 if columns <= 9 else 2
    for size in TABLE_SIZES[first:]:
        em = size * 10  # twips per character at this size (size is in half-points)
        room = (available - columns * CELL_PAD) / em  # characters across the whole table
        if sum(least) <= room:
            widths = _spread(least, natural, numeric, sample, table.columns, room)
            return _exact_sum([w * em + CELL_PAD for w in widths], available), size
    size = TABLE_SIZES[-1]
    need = [n * size * 10 + CELL_PAD for n in least]
    scale = available / sum(need)
    return _exact_sum([n * scale for n in need], available), size


def _header_width(header: str) -> float:
    """The width a header needs on at most two lines: split before （ when that is the longer part."""
    if "（" in header:
        head, _sep, unit = header.partition("（")
        return max(_em(head), _em("（" + unit), math.ceil(_em(header) / 3))
    return math.ceil(_em(header) / 2)


def _spread(least, natural, numeric, sample, headers, room) -> list[float]:
    """Widen columns from `least` towards `natural` where each character of width saves the most printed
    lines (first the rows' heights, then, to break ties, the wrapped cells); what is left when nothing more
    can be saved is shared among the text columns."""
    widths = list(least)
    spare = room - sum(widths)
    count = len(widths)

    def cell_lines(r: int, j: int, width: float) -> int:
        if r == len(sample):
            return _header_lines(headers[j], width).count("\n") + 1
        return _lines(sample[r][j], width)

    rows = range(len(sample) + 1)
    while spare > 1e-6:
        lines = [[cell_lines(r, i, widths[i]) for i in range(count)] for r in rows]
        tops = []  # per row: its tallest column, that height, and the tallest of the other columns
        for row_lines in lines:
            order = sorted(range(count), key=row_lines.__getitem__, reverse=True)
            tops.append((order[0], row_lines[order[0]], row_lines[order[1]] if count > 1 else 0))
        best = None  # (saving per character, column, new width)
        for j in range(count):
            if widths[j] >= natural[j]:
                continue
            limit = min(natural[j], widths[j] + spare)
            lengths = [*(row[j] for row in sample), _em(headers[j])]
            thresholds = sorted({length / k for r, length in enumerate(lengths) for k in range(1, lines[r][j])
                                 if widths[j] < length / k <= limit} | {limit})[:6]
            for width in thresholds:
                saved = 0.0
                for r in rows:
                    if lines[r][j] == 1:
                        continue
                    new = cell_lines(r, j, width)
                    top_column, top, second = tops[r]
                    if top_column == j:
                        saved += top - max(second, new)
                    saved += 0.1 * (lines[r][j] - new)
                if saved > 0:
                    rate = saved / (width - widths[j])
                    if best is None or rate > best[0]:
                        best = (rate, j, width)
        if best is None:
            break
        _rate, j, width = best
        spare -= width - widths[j]
        widths[j] = width
    if spare > 0:
        takers = [i for i in range(count) if not numeric[i]] or list(range(count))
        total = sum(widths[i] for i in takers)
        for i in takers:
            widths[i] += spare * widths[i] / total
    return widths


def _even_parts(text: str, width: float) -> list[str]:
    parts = max(1, math.ceil(_em(text) / width - 1e-9))
    size = math.ceil(len(text) / parts)
    return [text[i:i + size] for i in range(0, len(text), size)]


def _header_lines(header: str, width: float) -> str:
    """A header that must wrap, broken where a reader expects it: before （万元）, the rest into even parts."""
    if _em(header) <= width:
        return header
    head, bracket, unit = header.partition("（")
    if bracket and head:
        return "\n".join([*_even_parts(head, width), *_even_parts(bracket + unit, width)])
    return "\n".join(_even_parts(header, width))


def _exact_sum(widths: list[float], total: int) -> list[int]:
    result = [int(w) for w in widths]
    result[-1] += total - sum(result)
    return result


CENTRED_HEADERS = ("序号", "排名", "名次", "编号")
BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'


def table_xml(table: Table, available: int) -> str:
    """The table as one <w:tbl> element's XML: fixed layout, widths that fill the type area, borders, the
    header row repeated on every page, rows that do not split across pages."""
    widths, size = _column_widths(table, available)
    columns = len(table.columns)
    numeric = [bool(table.numeric[i]) if i < len(table.numeric) else False for i in range(columns)]
    centred = [header.strip() in CENTRED_HEADERS for header in table.columns]
    size_rpr = f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    mark = f"<w:rPr>{size_rpr}</w:rPr>"
    cell_ppr = {
        "left": f'<w:pPr><w:pStyle w:val="TuijinCell"/>{mark}</w:pPr>',
        "center": f'<w:pPr><w:pStyle w:val="TuijinCell"/><w:jc w:val="center"/>{mark}</w:pPr>',
        "right": f'<w:pPr><w:pStyle w:val="TuijinCell"/><w:jc w:val="right"/>{mark}</w:pPr>',
    }
    tcpr = [f'<w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>' for w in widths]
    body_rpr = f"<w:rPr>{size_rpr}</w:rPr>"
    head_rpr = f'<w:rPr><w:rFonts w:eastAsia="{HEITI}" w:hint="eastAsia"/>{size_rpr}</w:rPr>'
    bold_rpr = f"<w:rPr><w:b/><w:bCs/>{size_rpr}</w:rPr>"
    align = ["right" if numeric[i] else "center" if centred[i] else "left" for i in range(columns)]
    out = [
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>',
        *(BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")),
        '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="15" w:type="dxa"/>'
        '<w:left w:w="57" w:type="dxa"/><w:bottom w:w="15" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
        '</w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
        '<w:tr><w:trPr><w:cantSplit/><w:tblHeader/><w:jc w:val="center"/></w:trPr>',
    ]
    for i, header in enumerate(table.columns):
        text = _header_lines(header, (widths[i] - CELL_PAD) / (size * 10))
        out.append(f"<w:tc>{tcpr[i]}<w:p>{cell_ppr['center']}{_runs(text, head_rpr)}</w:p></w:tc>")
    out.append("</w:tr>")
    row_start = '<w:tr><w:trPr><w:cantSplit/><w:jc w:val="center"/></w:trPr>'
    for row in table.rows:
        out.append(row_start)
        for i in range(columns):
            text = row[i] if i < len(row) else ""
            out.append(f"<w:tc>{tcpr[i]}<w:p>{cell_ppr[align[i]]}{_runs(text, body_rpr)}</w:p></w:tc>")
        out.append("</w:tr>")
    if not table.rows and not table.totals:
        span = f'<w:tcPr><w:tcW w:w="{sum(widths)}" w:type="dxa"/><w:gridSpan w:val="{columns}"/></w:tcPr>'
        out.append(f"{row_start}<w:tc>{span}<w:p>{cell_ppr['center']}{_runs(_('（无）'), body_rpr)}</w:p>"
                   "</w:tc></w:tr>")
    if table.totals:
        out.append(row_start)
        for i in range(columns):
            text = table.totals[i] if i < len(table.totals) else ""
            where = "center" if i == 0 and not numeric[0] else align[i]
            out.append(f"<w:tc>{tcpr[i]}<w:p>{cell_ppr[where]}{_runs(text, bold_rpr)}</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


# ------------------------------------------------------------------------------------------------ writer


class _Writer:
    """Appends a bulletin's parts to a python-docx document that has the Tuijin styles."""

    def __init__(self, docx):
        self.docx = docx
        self.body = docx.element.body
        self.landscape = False
        self._at_page_start = False  # just after a section break: an annex needs no page break of its own

    # --- page geometry

    def text_width(self) -> int:
        """The type area's width (twips) on the current page."""
        section = self.docx.sections[-1]
        return int((section.page_width - section.left_margin - section.right_margin) / TWIP)

    def append(self, xml: str) -> None:
        """Adds one element (a paragraph or a table, as XML text) at the end of the body. The element
        declares the namespace itself: moved out of a wrapper that declares it, lxml would re-home every
        node one by one (8 s for a thousand-row table instead of 0.07 s)."""
        element = parse_xml(re.sub(r"^<(w:\w+)", rf"<\1 {W}", xml, count=1))
        anchor = self.body.sectPr
        if anchor is not None:
            anchor.addprevious(element)
        else:
            self.body.append(element)

    def paragraph(self, style: str, text: str = "", **kwargs) -> None:
        self.append(_p(style, text, **kwargs))

    # --- the parts

    def red_header(self, doc: Document) -> None:
        width = self.text_width()
        title = doc.header_title or doc.issuer
        size = min(72, int(width / 10 * 0.95 / max(_em(title), 1)) * 2)  # half-points, at most 36 pt
        rpr = _rpr(XIAOBIAOSONG, size, color=RED)
        self.append(_p("TuijinTitle", title, ppr=_exact(int(size * 10 * 1.25)), rpr=rpr))
        if doc.number:
            self.paragraph("TuijinTitle", doc.number, ppr=_exact(LINE, before=200), rpr=_rpr(FANGSONG, SAN_HAO))
        line = f"{doc.issuer}\t{doc.date}"
        ppr = (f'<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="6" w:color="{RED}"/></w:pBdr>'
               f'<w:tabs><w:tab w:val="right" w:pos="{width}"/></w:tabs>{_exact(LINE, before=120)}'
               '<w:jc w:val="left"/>')
        self.paragraph("TuijinMainTo", line, ppr=ppr)

    def heading(self, doc: Document) -> None:
        if doc.red_header:
            self.red_header(doc)
        title = _balanced(doc.title, self.text_width() / (ER_HAO * 10))
        self.paragraph("TuijinTitle", title, ppr=_exact(660, before=LINE * 2 if doc.red_header else 0))
        if doc.main_to:
            self.paragraph("TuijinMainTo", doc.main_to, ppr=_exact(LINE, before=LINE))
        for text in (doc.opening, doc.corrects):
            if text:
                self.paragraph("TuijinBody", text)

    def section(self, index: int, section: Section, *, with_heading: bool = True) -> None:
        if with_heading:
            self.paragraph("TuijinHeading1", f"{section_number(index)}、{section.heading}")
        for block in section.blocks:
            self.block(block)

    def block(self, block) -> None:
        if isinstance(block, Paragraph):
            style = {HEADING1: "TuijinHeading1", HEADING2: "TuijinHeading2", NOTE: "TuijinNote"}.get(
                block.style, "TuijinBody")
            self.paragraph(style, block.text)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Image):
            self.image(block)
        else:
            raise TypeError(f"unknown block {block!r}")

    def table(self, table: Table, *, caption: bool = True) -> None:
        if caption and table.title:
            self.paragraph("TuijinCaption", table.title)
        self.append(table_xml(table, self.text_width()))
        if table.note:
            self.paragraph("TuijinNote", table.note)

    def image(self, image: Image) -> None:
        self.paragraph("TuijinFigure")
        paragraph = DocxParagraph(self.body.sectPr.getprevious() if self.body.sectPr is not None
                                  else self.body[-1], self.docx._body)
        width = min(Cm(image.width_cm), self.text_width() * TWIP)
        paragraph.add_run().add_picture(io.BytesIO(image.png), width=width)
        if image.caption:
            self.paragraph("TuijinFigureCaption", image.caption)

    def annex_list(self, doc: Document) -> None:
        """附件：1．… under the body, each further title aligned under the first."""
        label = _("附件：")
        many = len(doc.annexes) > 1
        indent = int(_em(label) * SAN_HAO * 10)
        for i, annex in enumerate(doc.annexes):
            text = f"{i + 1}．{annex.title}" if many else annex.title
            ppr = (f'<w:ind w:left="{640 + indent}" w:hanging="{indent if i == 0 else 0}"/>'
                   + _exact(LINE, before=LINE if i == 0 else 0))
            self.paragraph("TuijinAnnexList", (label if i == 0 else "") + text, ppr=ppr)

    def signature(self, doc: Document) -> None:
        """落款: the issuer centred over the date, the date four characters from the right margin."""
        date_em, issuer_em = _em(doc.date), _em(doc.issuer)
        right = 4 * 320
        issuer_right = max(0, int(right + (date_em - issuer_em) / 2 * 320))
        if doc.issuer:
            self.paragraph("TuijinSignature", doc.issuer,
                           ppr=f'<w:ind w:right="{issuer_right}"/>' + _exact(LINE, before=LINE * 2))
        if doc.date:
            self.paragraph("TuijinSignature", doc.date, ppr=f'<w:ind w:right="{right}"/>')

    def annex(self, index: int, table: Table, *, total: int) -> None:
        """One annex on a new page: the 附件N label, its title, its table; a landscape page when asked."""
        self.orient(table.landscape)
        label = _("附件%(n)s") % {"n": index + 1} if total > 1 else _("附件")
        self.paragraph("TuijinAnnexLabel", label, ppr='<w:pageBreakBefore/>' if not self._at_page_start else "")
        self._at_page_start = False
        self.paragraph("TuijinAnnexTitle", _balanced(table.title, self.text_width() / (XIAO_ER * 10)))
        self.table(table, caption=False)

    def orient(self, landscape: bool) -> None:
        """Starts a new section on a new page when the orientation changes (the section break's own
        properties describe the pages before it, so they are the current ones)."""
        if landscape == self.landscape:
            return
        self.docx.add_section(WD_SECTION.NEW_PAGE)
        section = self.docx.sections[-1]
        _set_orientation(section, landscape)
        self.landscape = landscape
        self._at_page_start = True

    def copy_to(self, doc: Document) -> None:
        """版记: 抄送 between two rules, on portrait after a landscape annex."""
        if not doc.copy_to:
            return
        self.orient(False)
        label = _("抄送：")
        indent = int(_em(label) * SI_HAO * 10)
        # A frame at the foot of the last page, as GB/T 9704 places the 版记.
        ppr = (f'<w:keepLines/><w:framePr w:w="{self.text_width()}" w:wrap="around" w:vAnchor="margin" '
               'w:hAnchor="margin" w:xAlign="center" w:yAlign="bottom"/>'
               '<w:pBdr><w:top w:val="single" w:sz="8" w:space="4" w:color="000000"/>'
               '<w:bottom w:val="single" w:sz="8" w:space="4" w:color="000000"/></w:pBdr>'
               f'<w:ind w:left="{280 + indent}" w:right="280" w:hanging="{indent}"/>'
               + _exact(LINE))
        text = doc.copy_to.rstrip("。") + "。"
        self.paragraph("TuijinCopyTo", label + text, ppr=ppr)


def _is_landscape(section) -> bool:
    return section.orientation == WD_ORIENT.LANDSCAPE


def _set_orientation(section, landscape: bool) -> None:
    if _is_landscape(section) == landscape:
        return
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = section.page_height, section.page_width
    # Turned with the page: the binding margins become the top and bottom ones.
    if landscape:
        top, bottom, left, right = (section.top_margin, section.bottom_margin, section.left_margin,
                                    section.right_margin)
        section.top_margin, section.bottom_margin = right, left
        section.left_margin, section.right_margin = top, bottom
    else:
        top, bottom, left, right = (section.top_margin, section.bottom_margin, section.left_margin,
                                    section.right_margin)
        section.left_margin, section.right_margin = bottom, top
        section.top_margin, section.bottom_margin = left, right
    section.footer_distance = max(section.bottom_margin - Mm(12), Mm(10))


def _copy_page(source, target) -> None:
    for tag in ("w:pgSz", "w:pgMar"):
        old, new = target.find(qn(tag)), source.find(qn(tag))
        if new is None:
            continue
        if old is not None:
            target.replace(old, copy.deepcopy(new))
        else:
            target.append(copy.deepcopy(new))


# --------------------------------------------------------------------------------------------- documents


def _new_document():
    """An empty A4 document with the Tuijin styles, Chinese as its East Asian language."""
    docx = new_docx()
    styles = docx.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    rpr.find(qn("w:rFonts")).attrib.update({qn("w:eastAsia"): FANGSONG, qn("w:ascii"): LATIN,
                                             qn("w:hAnsi"): LATIN})
    for attr in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme"):
        rpr.find(qn("w:rFonts")).attrib.pop(qn(attr), None)
    for style_id, (name, ppr, run) in STYLES.items():
        styles.append(parse_xml(_style(style_id, name, ppr, run)))
    section = docx.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    section.footer_distance = MARGIN_BOTTOM - Mm(12)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:linePitch"), str(LINE))
    return docx


def _properties(docx, doc: Document) -> None:
    """File properties Word shows: the bulletin's title and issuer, not python-docx's template's."""
    properties = docx.core_properties
    properties.title, properties.author, properties.last_modified_by = doc.title, doc.issuer, doc.issuer
    properties.subject, properties.keywords, properties.comments = doc.number, "", ""
    properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0)
    properties.revision = 1


def _footer_xml(odd: bool) -> str:
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE '
             '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    side = '<w:jc w:val="right"/><w:ind w:right="280"/>' if odd else '<w:jc w:val="left"/><w:ind w:left="280"/>'
    properties = _ppr('<w:pStyle w:val="TuijinFooter"/>' + side)
    return (f"<w:p {W}>{properties}"
            f'<w:r><w:t xml:space="preserve">— </w:t></w:r>{field}<w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p>')


def _page_numbers(docx) -> None:
    """— 1 — at the foot of every page: odd pages on the right, even pages on the left (GB/T 9704)."""
    docx.settings.odd_and_even_pages_header_footer = True
    section = docx.sections[0]
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        element = footer._element
        for child in list(element):
            element.remove(child)
        element.append(parse_xml(_footer_xml(odd)))


def _save(docx) -> bytes:
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def render_docx(doc: Document, template: bytes | None = None) -> bytes:
    """The bulletin as .docx bytes: the standard layout, or `template` (an office's .docx with docxtpl
    placeholders) filled in. A template that cannot be used raises TemplateError with a Chinese reason."""
    if template is not None:
        return _render_template(doc, template)
    docx = _new_document()
    _properties(docx, doc)
    writer = _Writer(docx)
    writer.heading(doc)
    for index, section in enumerate(doc.sections):
        writer.section(index, section)
    if doc.annexes:
        writer.annex_list(doc)
    if not doc.red_header:
        writer.signature(doc)
    for index, annex in enumerate(doc.annexes):
        writer.annex(index, annex, total=len(doc.annexes))
    writer.copy_to(doc)
    _page_numbers(docx)
    return _save(docx)


# ---------------------------------------------------------------------------------------------- templates


class TemplateError(ValueError):
    """An office template that cannot be used; the message says why, in Chinese."""


PLACEHOLDERS = ("title", "number", "issuer", "date", "header_title", "main_to", "copy_to", "opening",
                "corrects", "body", "sections", "annexes", "annex_titles")
SUBDOCS = ("body", "sections", "annexes")


def _subdoc(tpl, fill, base_sectpr):
    """A docxtpl Subdoc written by `fill(writer)` in the Tuijin styles on the template's page."""
    from docxtpl.subdoc import Subdoc

    docx = _new_document()
    if base_sectpr is not None:
        _copy_page(base_sectpr, docx.sections[0]._sectPr)
    writer = _Writer(docx)
    fill(writer)
    return Subdoc(tpl, io.BytesIO(_save(docx)))


def _context(doc: Document, tpl, used: set[str]) -> dict:
    base = tpl.docx.element.body.sectPr
    context = {
        "title": doc.title, "number": doc.number, "issuer": doc.issuer, "date": doc.date,
        "header_title": doc.header_title, "main_to": doc.main_to, "copy_to": doc.copy_to,
        "opening": doc.opening, "corrects": doc.corrects,
        "annex_titles": [annex.title for annex in doc.annexes],
        "body": "", "sections": [], "annexes": "",
    }
    if "body" in used:
        def fill_body(writer):
            for index, section in enumerate(doc.sections):
                writer.section(index, section)
        context["body"] = _subdoc(tpl, fill_body, base)
    if "sections" in used:
        for index, section in enumerate(doc.sections):
            context["sections"].append({
                "key": section.key, "number": section_number(index), "heading": section.heading,
                "title": f"{section_number(index)}、{section.heading}",
                "content": _subdoc(tpl, lambda w, i=index, s=section: w.section(i, s, with_heading=False), base),
            })
    if "annexes" in used and doc.annexes:
        def fill_annexes(writer):
            for index, annex in enumerate(doc.annexes):
                writer.annex(index, annex, total=len(doc.annexes))
            writer.orient(False)
        context["annexes"] = _subdoc(tpl, fill_annexes, base)
    return context


TEMPLATE_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a letterhead template is a few hundred KB


def _open_template(template: bytes):
    from docxtpl import DocxTemplate

    from tuijin.core.sheets.book import SheetReadError
    from tuijin.core.sheets.xlsx import open_zip

    if not template or not zipfile.is_zipfile(io.BytesIO(template)):
        raise TemplateError(_("模板不是有效的 Word 文档（.docx）。请在 Word 中“另存为”“Word 文档 (*.docx)”后重新上传。"))
    try:  # the checks every uploaded package gets (zip bombs, unsafe names) before anything unpacks it
        open_zip(template, TEMPLATE_MAX_UNCOMPRESSED)
    except SheetReadError as exc:
        raise TemplateError(str(exc)) from exc
    tpl = DocxTemplate(io.BytesIO(template))
    try:
        tpl.init_docx()
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise TemplateError(_("模板不是有效的 Word 文档（.docx）。请在 Word 中“另存为”“Word 文档 (*.docx)”后重新上传。")) from exc
    return tpl


def _syntax_message(exc: jinja2.TemplateSyntaxError, source: str) -> str:
    """Jinja's reason, and the template's own words where it stumbled (its paragraph and the one before)."""
    lines = source.splitlines()
    at = (exc.lineno or 1) - 1
    near = [re.sub(r"<[^>]+>", "", line).strip() for line in lines[max(at - 1, 0):at + 1]]
    near = " / ".join(text for text in near if text)
    if near:
        return _("模板中的占位符写法有误（%(detail)s），出错处附近的文字：“%(near)s”。占位符应写成 {{ title }}，"
                 "整段内容写成 {{p body }}，并且 {%% if %%} 等须有对应的 {%% endif %%}。") % {
                     "detail": exc.message, "near": near}
    return _("模板中的占位符写法有误（%(detail)s）。占位符应写成 {{ title }}，整段内容写成 {{p body }}，"
             "并且 {%% if %%} 等须有对应的 {%% endif %%}。") % {"detail": exc.message}


def _check_syntax(tpl, env: jinja2.Environment) -> set[str]:
    """The placeholders the template uses; TemplateError for a syntax error, naming where it is."""
    sources = [tpl.get_xml()]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        sources += [tpl.get_part_xml(part) for _key, part in tpl.get_headers_footers(uri)]
    used: set[str] = set()
    for source in sources:
        # As docxtpl prepares it: its tags folded away, one paragraph a line.
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(source))
        try:
            used |= jinja2.meta.find_undeclared_variables(env.parse(source))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(_syntax_message(exc, source)) from exc
    return used


def _render_template(doc: Document, template: bytes) -> bytes:
    tpl = _open_template(template)
    # Sandboxed: a template is an upload, and Jinja would otherwise reach any attribute of any object.
    env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)
    undeclared = _check_syntax(tpl, env)
    unknown = sorted(undeclared - set(PLACEHOLDERS))
    if unknown:
        raise TemplateError(_("模板中的占位符“%(names)s”不存在。可用的占位符：%(available)s。") % {
            "names": "”“".join(unknown), "available": "、".join(PLACEHOLDERS)})
    try:
        context = _context(doc, tpl, undeclared)
        tpl.render(context, jinja_env=env, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_syntax_message(exc, "")) from exc
    except jinja2.UndefinedError as exc:
        missing = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", exc.message or "")
        name = next((group for group in missing.groups() if group), "") if missing else exc.message
        raise TemplateError(_("模板引用了不存在的内容“%(name)s”。可用的占位符：%(available)s；"
                              "sections 中每一项有 key、number、heading、title、content。") % {
                                  "name": name, "available": "、".join(PLACEHOLDERS)}) from exc
    except jinja2.TemplateError as exc:  # the sandbox's SecurityError among them
        raise TemplateError(_("模板无法套用：%(detail)s") % {"detail": exc.message or exc}) from exc
    except TemplateError:
        raise
    except Exception as exc:  # an expression in the template that fails (a range too big, 1/0 …): never a 500
        logger.warning("bulletin template failed", exc_info=True)
        raise TemplateError(_("模板无法套用：%(detail)s") % {"detail": exc}) from exc
    body = tpl.docx.element.body
    if body.xpath(".//w:r//w:p | .//w:t//w:p"):
        raise TemplateError(_("body、annexes 和各部分的 content 是整段内容，须单独占一段并写成 {{p body }}"
                              "（不能写成 {{ body }}，也不能与其他文字同在一段）。"))
    _inherit_page_parts(body)
    return _save(tpl.docx)


def _inherit_page_parts(body) -> None:
    """Section breaks brought in by the annexes (landscape pages) carry no header or footer of their own:
    give each the template's, so page numbers go on through every section."""
    final = body.sectPr
    if final is None:
        return
    references = [el for el in final if el.tag in (qn("w:headerReference"), qn("w:footerReference"))]
    for sectpr in body.xpath("./w:p/w:pPr/w:sectPr"):
        if sectpr.find(qn("w:footerReference")) is None and sectpr.find(qn("w:headerReference")) is None:
            for i, reference in enumerate(references):
                sectpr.insert(i, copy.deepcopy(reference))


def example_template(sections_loop: bool = False) -> bytes:
    """A small office template, built here rather than committed as a binary: 红头, title, 主送, opening,
    the body (or each section through `sections`), 抄送 and the annexes, page numbers in the footer.
    docs/bulletin-templates.md shows it; the tests fill it."""
    docx = _new_document()
    writer = _Writer(docx)
    width = writer.text_width()
    red = _rpr(XIAOBIAOSONG, 60, color=RED)
    writer.paragraph("TuijinTitle", "{{ header_title }}", ppr=_exact(900), rpr=red)
    writer.paragraph("TuijinTitle", "{{ number }}", ppr=_exact(LINE, before=200), rpr=_rpr(FANGSONG, SAN_HAO))
    writer.paragraph("TuijinMainTo", "{{ issuer }}\t{{ date }}",
                     ppr=f'<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="6" w:color="{RED}"/></w:pBdr>'
                         f'<w:tabs><w:tab w:val="right" w:pos="{width}"/></w:tabs>')
    writer.paragraph("TuijinTitle", "{{ title }}", ppr=_exact(660, before=LINE * 2))
    writer.paragraph("TuijinMainTo", "{{ main_to }}", ppr=_exact(LINE, before=LINE))
    writer.paragraph("TuijinBody", "{{ opening }}")
    writer.paragraph("TuijinBody", "{%p if corrects %}")
    writer.paragraph("TuijinBody", "{{ corrects }}")
    writer.paragraph("TuijinBody", "{%p endif %}")
    if sections_loop:
        writer.paragraph("TuijinBody", "{%p for s in sections %}")
        writer.paragraph("TuijinHeading1", "{{ s.number }}、{{ s.heading }}")
        writer.paragraph("TuijinBody", "{{p s.content }}")
        writer.paragraph("TuijinBody", "{%p endfor %}")
    else:
        writer.paragraph("TuijinBody", "{{p body }}")
    writer.paragraph("TuijinBody", "{%p for t in annex_titles %}")
    writer.paragraph("TuijinAnnexList", "附件{{ loop.index }}：{{ t }}", ppr='<w:ind w:left="640"/>')
    writer.paragraph("TuijinBody", "{%p endfor %}")
    writer.paragraph("TuijinBody", "{{p annexes }}")
    writer.paragraph("TuijinBody", "{%p if copy_to %}")
    writer.paragraph("TuijinCopyTo", "抄送：{{ copy_to }}",
                     ppr='<w:pBdr><w:top w:val="single" w:sz="8" w:space="4" w:color="000000"/>'
                         '<w:bottom w:val="single" w:sz="8" w:space="4" w:color="000000"/></w:pBdr>'
                         + _exact(LINE, before=LINE * 2))
    writer.paragraph("TuijinBody", "{%p endif %}")
    _page_numbers(docx)
    return _save(docx)
