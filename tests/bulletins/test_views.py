"""The bulletin pages on the hand-built town: draft, edit (a refused save keeps the typing), preview,
publish, the .docx and annex downloads read back, the PDF link, templates."""

import io
import re

import pytest
from django.urls import reverse

from tuijin.bulletins.models import Bulletin, Template

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, town):
    client.force_login(town.city.users["dispatcher"])
    return client


def _new(office, town, period="2026-10"):
    response = office.post(reverse("bulletins:new"), {"period": period, "region": town.city.regions.city.pk})
    return response, Bulletin.objects.order_by("-id").first()


def test_the_list_offers_the_office_a_new_draft(office, town):
    page = office.get(reverse("bulletins:list")).content.decode()
    assert 'id="new-bulletin"' in page and "生成通报草稿" in page and "还没有通报" in page


def test_a_new_draft_opens_its_editor_with_the_preview(office, town):
    response, bulletin = _new(office, town)
    assert response.status_code == 302 and response["Location"] == reverse("bulletins:detail", args=[bulletin.pk])
    page = office.get(response["Location"]).content.decode()
    assert 'id="bulletin-form"' in page and 'id="bulletin-preview"' in page
    assert "关于2026年1—10月全市重点项目建设情况的通报" in page
    assert "一、总体情况" in page and "累计完成投资2332.00万元" in page
    assert "截至2026年10月，已审核填报" in page


def test_a_bad_period_is_refused_with_the_reason(office, town):
    response, bulletin = _new(office, town, period="2026-13")
    assert response.status_code == 302 and bulletin is None
    page = office.get(reverse("bulletins:list")).content.decode()
    assert "格式不正确" in page


def test_a_refused_save_keeps_what_was_typed(office, town):
    _response, bulletin = _new(office, town)
    response = office.post(reverse("bulletins:detail", args=[bulletin.pk]), {
        "version": bulletin.version, "title": "", "issuer": "示范办", "text_next_steps": "一是保持打字内容。",
        "text_overview": "总体补充"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写标题" in page and "一是保持打字内容。" in page and "总体补充" in page
    assert Bulletin.objects.get(pk=bulletin.pk).texts == {}


def test_a_stale_save_says_who_saved_in_between(office, town):
    _response, bulletin = _new(office, town)
    form = {"version": bulletin.version, "title": "甲", "issuer": "办", "text_next_steps": "一"}
    assert office.post(reverse("bulletins:detail", args=[bulletin.pk]), form).status_code == 302
    response = office.post(reverse("bulletins:detail", args=[bulletin.pk]), {**form, "title": "乙"})
    assert response.status_code == 400 and "已被" in response.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).title == "甲"


def test_publish_then_download_the_docx_and_the_annex(office, town):
    from docx import Document as Docx
    from openpyxl import load_workbook

    _response, bulletin = _new(office, town)
    office.post(reverse("bulletins:detail", args=[bulletin.pk]), {  # the form as the page sends it
        "version": bulletin.version, "title": bulletin.title, "issuer": bulletin.issuer, "main_to": bulletin.main_to,
        "copy_to": "市政府办公室", "red_header": "on", "opening": "", "text_next_steps": "一是加快项目开工。"})
    bulletin.refresh_from_db()
    response = office.post(reverse("bulletins:publish", args=[bulletin.pk]), {"version": bulletin.version})
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.number_label == "2026年第1期"
    page = office.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    assert "已发布：2026年第1期" in page and 'id="bulletin-form"' not in page and "更正本期通报" in page

    response = office.get(reverse("bulletins:docx", args=[bulletin.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Docx(io.BytesIO(response.content)).paragraphs)
    assert "关于2026年1—10月全市重点项目建设情况的通报" in text.replace("\n", "")  # the title breaks in two lines
    assert "累计完成投资2332.00万元，占年度计划的32.4%，低于序时进度47.8个百分点" in text
    assert "一是加快项目开工。" in text and "2026年第1期" in text and "各县（市、区）、开发区，市直有关部门" in text
    assert "市政府办公室" in text

    response = office.get(reverse("bulletins:annex", args=[bulletin.pk]))
    book = load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    assert first["A1"].value.startswith("附件1") and "各地重点项目建设情况表" in first["A1"].value
    values = [c.value for row in first.iter_rows() for c in row]
    assert "合计" in values


def test_a_published_bulletin_refuses_edits_with_a_message(office, town):
    _response, bulletin = _new(office, town)
    bulletin.texts = {"next_steps": "一"}
    bulletin.save()
    from tuijin.bulletins import services

    services.bulletin_publish(None, bulletin, version=bulletin.version)
    response = office.post(reverse("bulletins:detail", args=[bulletin.pk]), {"version": 9, "title": "改"}, follow=True)
    assert "已发布，不能再修改" in response.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).title != "改"


def test_a_district_clerk_sees_the_citys_published_bulletin_but_not_drafts(client, town, office):
    _response, bulletin = _new(office, town)
    client.force_login(town.city.users["reporter_a"])
    assert client.get(reverse("bulletins:detail", args=[bulletin.pk])).status_code == 404
    page = client.get(reverse("bulletins:list")).content.decode()
    assert bulletin.title not in page and "还没有发布的通报" in page


def test_templates_page_uploads_and_refuses_a_bad_file(office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuijin.bulletins.render_docx import example_template

    response = office.post(reverse("bulletins:templates"), {"name": "坏", "file": SimpleUploadedFile("a.docx", b"xx")})
    assert response.status_code == 400 and not Template.objects.exists()
    assert re.search("模板", response.content.decode())
    response = office.post(reverse("bulletins:templates"), {"name": "本办模板",
                                                            "file": SimpleUploadedFile("t.docx", example_template())})
    assert response.status_code == 302 and Template.objects.get().name == "本办模板"
    example = office.get(reverse("bulletins:template_example"))
    assert example.content[:2] == b"PK"
