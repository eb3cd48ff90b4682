"""通报 in a real browser: the office drafts this month's bulletin, is stopped from publishing it without
下一步工作, writes it, publishes it (numbered, frozen) and downloads the Word file; a district's clerk
reads the published bulletin."""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tuijin.bulletins.models import Bulletin

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_draft_write_publish_and_download(page, new_page, live_server, login, e2e_data: E2EData, screenshot):
    from docx import Document as Docx

    office = page
    login(office, "dispatcher")
    office.goto(f"{live_server.url}/bulletins/")
    month = timezone.localdate().strftime("%Y-%m")
    office.get_by_label("统计期").fill(month)
    office.get_by_label("范围").select_option(label="临沂市")
    office.get_by_role("button", name="生成通报草稿").click()
    expect(office.locator(".alert-success")).to_contain_text("已生成通报草稿")
    preview = office.locator("#bulletin-preview")
    expect(preview).to_contain_text("全市重点项目建设情况的通报")
    expect(preview).to_contain_text(f"全市共有重点项目{len(e2e_data.projects)}个")
    captions = preview.locator("section[data-section='rankings'] figcaption")
    expect(captions.first).to_have_text("各地重点项目完成情况及排名")
    expect(captions.nth(1)).to_have_text("各牵头单位重点项目完成情况及排名")

    # Publishing before 下一步工作 is written is refused, and the draft stays a draft.
    office.once("dialog", lambda dialog: dialog.accept())
    office.get_by_role("button", name="发布", exact=True).click()
    expect(office.locator(".alert-danger")).to_contain_text("请先填写“下一步工作”部分再发布")
    assert Bulletin.objects.get().state == "draft"

    office.get_by_label("6. 下一步工作").fill("一是加快项目开工。\n二是强化要素保障。")
    office.get_by_label("开头语").fill("现将全市重点项目建设情况通报如下：")
    office.get_by_role("button", name="保存并预览").click()
    expect(office.locator(".alert-success")).to_contain_text("已保存")
    expect(preview.locator("section[data-section='next_steps']")).to_contain_text("二是强化要素保障。")
    screenshot(office, "bulletin-draft.png")

    office.once("dialog", lambda dialog: dialog.accept())
    office.get_by_role("button", name="发布", exact=True).click()
    year = timezone.localdate().year
    expect(office.locator(".alert-success")).to_contain_text(f"已发布：{year}年第1期")
    expect(office.locator("#bulletin-form")).to_have_count(0)
    with office.expect_download() as download_info:
        office.get_by_role("link", name="下载Word").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"（{year}年第1期）.docx")
    text = "\n".join(p.text for p in Docx(io.BytesIO(open(download.path(), "rb").read())).paragraphs)
    assert "一是加快项目开工。" in text and f"{year}年第1期" in text
    screenshot(office, "bulletin-published.png")

    clerk = new_page()
    login(clerk, "reporter")
    clerk.goto(f"{live_server.url}/bulletins/")
    clerk.get_by_role("link", name=re.compile("全市重点项目建设情况的通报")).click()
    expect(clerk.locator("#bulletin-preview")).to_contain_text("二是强化要素保障。")
    expect(clerk.locator("#bulletin-form")).to_have_count(0)
