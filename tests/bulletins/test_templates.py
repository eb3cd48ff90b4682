"""An office's own Word template filled with a bulletin (docxtpl), and the Chinese reasons a template is
refused: never a server error."""

import io
import zipfile

import pytest
from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from tuijin.bulletins.render_docx import TemplateError, example_template, render_docx

from .helpers import read, style_of, texts
from .sample import sample_document


@pytest.fixture(scope="module")
def sample():
    return sample_document(annex_rows=8)


def _template(*paragraphs: str) -> bytes:
    docx = new_docx()
    for text in paragraphs:
        docx.add_paragraph(text)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def _all_text(docx) -> str:
    return "\n".join(texts(docx))


def test_the_example_template_is_filled_with_the_bulletin(sample):
    filled = read(render_docx(sample, example_template()))
    lines = texts(filled)
    for value in (sample.header_title, sample.number, sample.title, sample.main_to, sample.opening):
        assert value in lines
    assert f"{sample.issuer}\t{sample.date}" in lines
    assert f"抄送：{sample.copy_to}" in lines
    assert "{{" not in _all_text(filled) and "{%" not in _all_text(filled)
    # the body: every section heading, numbered, in the bulletin's own styles
    headings = [p.text for p in filled.paragraphs if style_of(p) == "通报一级标题"]
    assert headings[0] == "一、总体情况" and headings[-1] == "六、下一步工作"
    assert "（一）产业项目" in lines
    assert len(filled.inline_shapes) == 2  # both charts came along
    assert len(filled.tables) == 3  # the rankings and the two annexes
    assert [p.text for p in filled.paragraphs if style_of(p) == "通报附件标识"] == ["附件1", "附件2"]
    assert f"附件1：{sample.annexes[0].title}" in lines


def test_the_sections_can_be_placed_one_by_one(sample):
    filled = read(render_docx(sample, example_template(sections_loop=True)))
    headings = [p.text for p in filled.paragraphs if style_of(p) == "通报一级标题"]
    assert headings == ["一、总体情况", "二、分类推进情况", "三、各县（市、区）推进情况", "四、预警项目情况",
                        "五、存在的主要问题", "六、下一步工作"]
    lines = texts(filled)
    assert lines.index("二、分类推进情况") < lines.index("（一）产业项目") < lines.index("三、各县（市、区）推进情况")


def test_a_landscape_annex_keeps_the_templates_page_numbers(sample):
    filled = read(render_docx(sample, example_template()))
    orientations = [s.orientation for s in filled.sections]
    assert WD_ORIENT.LANDSCAPE in orientations and orientations[-1] == WD_ORIENT.PORTRAIT
    for section in filled.sections:
        assert section._sectPr.find(qn("w:footerReference")) is not None
        assert "PAGE" in "".join(section.footer._element.itertext())


def test_placeholders_are_escaped_text():
    doc = sample_document(charts=False, annex_rows=2)
    doc.title = "A & B <关于> 通报"
    filled = read(render_docx(doc, _template("{{ title }}", "{{ corrects or '无更正' }}")))
    assert texts(filled)[:2] == ["A & B <关于> 通报", "无更正"]


@pytest.mark.parametrize("template, words", [
    (b"", "不是有效的 Word 文档"),
    (b"not a word file", "不是有效的 Word 文档"),
    (lambda: _zip_without_document(), "不是有效的 Word 文档"),
    (lambda: _template("{{ title }"), "占位符写法有误"),
    (lambda: _template("{%p if corrects %}", "{{ corrects }}"), "{% endif %}"),
    (lambda: _template("{{ title }}", "{{ 文号 }}"), "占位符“文号”不存在"),
    (lambda: _template("{%p for s in sections %}", "{{ s.page }}", "{%p endfor %}"), "不存在的内容“page”"),
    (lambda: _template("正文：{{ body }}"), "{{p body }}"),
    (lambda: _template("{{ title.__class__.__mro__ }}"), "模板无法套用"),
    (lambda: _template("{% for i in range(10**7) %}x{% endfor %}"), "模板无法套用"),
])
def test_a_template_that_cannot_be_used_is_refused_in_chinese(sample, template, words):
    data = template() if callable(template) else template
    with pytest.raises(TemplateError) as caught:
        render_docx(sample, data)
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_the_syntax_error_names_the_words_near_it(sample):
    with pytest.raises(TemplateError, match="出错处附近的文字：.*本期共"):
        render_docx(sample, _template("本期共{{ count }", "其他"))


def _zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "x")
    return buffer.getvalue()
