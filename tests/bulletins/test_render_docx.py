"""The standard .docx layout of a bulletin, read back with python-docx: the page, the 红头, the title, the
numbered sections, the fonts named for Chinese, the tables, the charts, the annexes and the page numbers."""

import io

import pytest
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from tuijin.bulletins.document import Document, Paragraph, Section, Table
from tuijin.bulletins.render_docx import PPR_ORDER, render_docx

from .helpers import cell_text, east_asian_font, read, style_of, texts
from .sample import annex, sample_document

TWIP = 635


@pytest.fixture(scope="module")
def sample():
    return sample_document()


@pytest.fixture(scope="module")
def rendered(sample):
    return read(render_docx(sample))


def _close(length, mm):
    return abs(length - Mm(mm)) < Mm(0.1)


def test_the_page_is_a4_with_the_standard_margins(rendered):
    section = rendered.sections[0]
    assert _close(section.page_width, 210) and _close(section.page_height, 297)
    assert _close(section.top_margin, 37) and _close(section.bottom_margin, 35)
    assert _close(section.left_margin, 28) and _close(section.right_margin, 26)


def test_the_red_header_names_the_bulletin_its_issue_issuer_and_date(rendered, sample):
    first, number, line = rendered.paragraphs[:3]
    assert first.text == sample.header_title
    assert all(run.font.color.rgb == (0xFF, 0, 0) for run in first.runs)
    assert number.text == "2026年第10期"
    assert line.text == "××市重点项目建设推进办公室\t2026年11月8日"
    rule = line._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"


def test_the_title_is_set_on_two_balanced_lines(rendered, sample):
    title = next(p for p in rendered.paragraphs if style_of(p) == "通报标题" and "通报" in p.text and "关于" in p.text)
    assert title.text.replace("\n", "") == sample.title
    upper, lower = title.text.split("\n")
    assert upper == "关于2026年1-10月全市"  # broken after 市, not inside 重点项目
    assert lower == "重点项目建设情况的通报"


def test_main_to_and_opening_follow_the_title(rendered, sample):
    lines = texts(rendered)
    at = lines.index(sample.main_to)
    assert lines[at + 1] == sample.opening


def test_sections_are_numbered_with_chinese_numerals(rendered):
    headings = [p.text for p in rendered.paragraphs if style_of(p) == "通报一级标题"]
    assert headings == ["一、总体情况", "二、分类推进情况", "三、各县（市、区）推进情况", "四、预警项目情况",
                        "五、存在的主要问题", "六、下一步工作"]
    second = [p.text for p in rendered.paragraphs if style_of(p) == "通报二级标题"]
    assert second[:2] == ["（一）产业项目", "（二）基础设施项目"]


def test_the_east_asian_font_names_are_set(rendered):
    styles = rendered.styles
    assert east_asian_font(styles["通报正文"]) == "仿宋_GB2312"
    assert east_asian_font(styles["通报标题"]) == "方正小标宋简体"
    assert east_asian_font(styles["通报一级标题"]) == "黑体"
    assert east_asian_font(styles["通报二级标题"]) == "楷体_GB2312"
    assert east_asian_font(styles["通报表格"]) == "仿宋_GB2312"
    defaults = rendered.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert styles["通报正文"].element.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_body_text_is_sanhao_on_fixed_lines_with_a_two_character_indent(rendered):
    body = rendered.styles["通报正文"]
    assert body.font.size.pt == 16
    spacing = body.element.pPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:lineRule")) == "exact" and 28 * 20 <= int(spacing.get(qn("w:line"))) <= 29 * 20
    assert body.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_the_rankings_table_repeats_its_header_and_bolds_its_totals(rendered, sample):
    table = rendered.tables[0]
    source = sample.sections[2].blocks[1]
    assert [cell_text(c).replace("\n", "") for c in table.rows[0].cells] == source.columns
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(table.rows) == 1 + 20 + 1
    assert [cell_text(c) for c in table.rows[1].cells] == source.rows[0]
    totals = table.rows[-1]
    assert [cell_text(c) for c in totals.cells] == source.totals
    assert all(run.bold for cell in totals.cells for p in cell.paragraphs for run in p.runs)
    # numbers on the right, names on the left, the rank centred
    first = table.rows[1].cells
    assert first[3].paragraphs[0].alignment == 2  # RIGHT
    assert first[1].paragraphs[0].alignment is None  # the style's left
    assert first[0].paragraphs[0].alignment == 1  # CENTER


def test_table_widths_fill_the_type_area(rendered):
    grid = rendered.tables[0]._tbl.tblGrid
    total = sum(int(col.get(qn("w:w"))) for col in grid.findall(qn("w:gridCol")))
    assert abs(total - (Mm(210) - Mm(28) - Mm(26)) / TWIP) < 2
    borders = rendered.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:val")) == "single"


def test_the_caption_and_note_frame_the_table(rendered):
    lines = texts(rendered)
    at = lines.index("表1  各县（市、区）重点项目投资完成情况排名")
    assert style_of(rendered.paragraphs[at]) == "通报表题"
    assert any(line.startswith("注：序时进度为83.3%") for line in lines)


def test_charts_are_embedded_with_their_captions(rendered, sample):
    assert len(rendered.inline_shapes) == 2
    images = [rel.target_part.blob for rel in rendered.part.rels.values() if "image" in rel.reltype]
    assert sample.sections[0].blocks[2].png in images
    assert "图1  2026年1-10月全市重点项目累计完成投资" in texts(rendered)
    assert rendered.inline_shapes[0].width <= Mm(156)


def test_annexes_start_on_new_pages_and_landscape_when_asked(rendered, sample):
    sections = rendered.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    assert all(s.start_type == WD_SECTION.NEW_PAGE for s in sections[1:])
    assert _close(sections[1].page_width, 297) and _close(sections[1].page_height, 210)
    labels = [p for p in rendered.paragraphs if style_of(p) == "通报附件标识"]
    assert [p.text for p in labels] == ["附件1", "附件2"]
    titles = [p.text for p in rendered.paragraphs if style_of(p) == "通报附件标题"]
    assert titles == [a.title for a in sample.annexes]
    # the landscape annex's table spans the landscape type area (297 − 37 − 35 mm)
    landscape_table = rendered.tables[1]
    total = sum(int(c.get(qn("w:w"))) for c in landscape_table._tbl.tblGrid.findall(qn("w:gridCol")))
    assert abs(total - (Mm(297) - Mm(37) - Mm(35)) / TWIP) < 2
    assert len(landscape_table.rows) == 1 + 60 + 1


def test_portrait_annexes_break_the_page_before_their_label():
    doc = sample_document(charts=False)
    doc.annexes = [annex(5), annex(5, number=2)]
    rendered = read(render_docx(doc))
    labels = [p for p in rendered.paragraphs if style_of(p) == "通报附件标识"]
    assert len(labels) == 2
    assert all(p.paragraph_format.page_break_before for p in labels)
    assert len(rendered.sections) == 1


def test_the_annexes_are_listed_under_the_body(rendered, sample):
    listed = [p.text for p in rendered.paragraphs if style_of(p) == "通报附件说明"]
    assert listed == [f"附件：1．{sample.annexes[0].title}", f"2．{sample.annexes[1].title}"]


def test_copy_to_is_the_last_block_in_a_frame_at_the_foot(rendered, sample):
    last = rendered.paragraphs[-1]
    assert last.text == f"抄送：{sample.copy_to}。"
    frame = last._p.pPr.find(qn("w:framePr"))
    assert frame.get(qn("w:yAlign")) == "bottom"


def test_page_numbers_are_a_page_field_between_dashes_odd_right_even_left(rendered):
    section = rendered.sections[0]
    odd, even = section.footer, section.even_page_footer
    for footer, side in ((odd, "right"), (even, "left")):
        xml = etree.tostring(footer._element, encoding="unicode")
        assert "PAGE" in "".join(footer._element.itertext())
        assert 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
        assert footer.paragraphs[0]._p.pPr.find(qn("w:jc")).get(qn("w:val")) == side
    assert rendered.settings.odd_and_even_pages_header_footer


def test_without_red_header_the_issuer_signs_under_the_body():
    doc = sample_document(charts=False, red_header=False)
    rendered = read(render_docx(doc))
    lines = texts(rendered)
    assert lines[0].replace("\n", "") == doc.title
    signature = [p.text for p in rendered.paragraphs if style_of(p) == "通报落款"]
    assert signature == [doc.issuer, doc.date]
    assert not any(run.font.color.rgb == (0xFF, 0, 0) for p in rendered.paragraphs for run in p.runs
                   if run.font.color.type is not None)


def test_awkward_text_is_kept_exactly_and_an_empty_table_says_so():
    doc = Document(
        title="A & B <通报>", number="", issuer="推进办", date="2026年1月1日", red_header=False,
        sections=[Section("overview", "总体情况", [
            Paragraph("含控制字符\x0b与\x01的段落，&<>\"'都保留", "body"),
            Paragraph("第一行\n第二行", "body"),
            Table("空表", ["项目", "金额（万元）"], [], None, [False, True]),
            Table("=公式", ["=SUM(A1)"], [["@cmd"], ["+1"]], None, [False]),
        ])])
    rendered = read(render_docx(doc))
    lines = texts(rendered)
    assert "A & B <通报>" in lines
    assert "含控制字符与的段落，&<>\"'都保留" in lines
    assert "第一行\n第二行" in lines
    empty = rendered.tables[0]
    spanned = empty.rows[1]._tr.tc_lst
    assert len(spanned) == 1 and spanned[0].grid_span == 2
    assert cell_text(empty.rows[1].cells[0]) == "（无）"
    assert cell_text(rendered.tables[1].rows[1].cells[0]) == "@cmd"


def test_unknown_paragraph_styles_print_as_body_text():
    doc = Document("标题", "", "推进办", "", [Section("x", "情况", [Paragraph("文字", "mystery")])], red_header=False)
    rendered = read(render_docx(doc))
    assert style_of(next(p for p in rendered.paragraphs if p.text == "文字")) == "通报正文"


def test_a_thousand_row_annex_is_written_exactly():
    table = annex(1000, landscape=True)
    doc = Document("标题", "", "推进办", "", [], red_header=False, annexes=[table])
    rendered = read(render_docx(doc))
    written = rendered.tables[0]
    assert len(written.rows) == 1 + 1000 + 1
    for index in (0, 1, 499, 998, 999):
        assert [cell_text(c) for c in written.rows[1 + index].cells] == table.rows[index]


def test_paragraph_properties_are_in_the_order_word_requires(sample):
    data = render_docx(sample)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
            if name not in package.namelist():
                continue
            root = etree.fromstring(package.read(name))
            for ppr in root.iter(qn("w:pPr")):
                order = [PPR_ORDER.index(child.tag) for child in ppr if child.tag in PPR_ORDER]
                assert order == sorted(order), (name, [child.tag for child in ppr])
                assert all(child.tag in PPR_ORDER for child in ppr), name


def test_file_properties_name_the_bulletin_not_the_library(rendered, sample):
    properties = rendered.core_properties
    assert properties.title == sample.title
    assert properties.author == properties.last_modified_by == sample.issuer
    assert "python-docx" not in (properties.comments + properties.author + properties.last_modified_by)
