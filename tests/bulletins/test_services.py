"""Bulletin writes: draft, edit, publish (numbered, frozen), correct, delete; refusals in Chinese with
nothing written; a concurrent edit refused; a published bulletin unchanged by later reports."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.bulletins import selectors, services
from tuijin.bulletins.models import Bulletin, Template
from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.reports.models import ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(town):
    bulletin = services.bulletin_create(town.city.users["dispatcher"], period="2026-10", region=town.city.regions.city)
    return bulletin


def _messages(error: ValidationError) -> list[str]:
    return [m for found in error.message_dict.values() for m in found]


def test_a_draft_gets_the_default_title_issuer_and_main_to(draft, town):
    assert draft.state == "draft" and draft.number is None
    assert draft.title == "关于2026年1—10月全市重点项目建设情况的通报"
    assert draft.issuer == f"{town.city.regions.city.name}重点项目建设推进办公室"
    assert draft.main_to == "各县（市、区）、开发区，市直有关部门"
    assert draft.history.count() == 1 and draft.history.first().history_user == town.city.users["dispatcher"]


@pytest.mark.parametrize(("period", "message"), [
    ("2026-13", "格式不正确"), ("十月", "格式不正确"), ("", "格式不正确"), ("1900-01", "年度应在"),
])
def test_a_bad_period_is_refused_in_chinese_and_nothing_is_written(town, period, message):
    with pytest.raises(ValidationError) as caught:
        services.bulletin_create(None, period=period, region=town.city.regions.city)
    assert any(message in m for m in _messages(caught.value))
    assert not Bulletin.objects.exists()


def test_only_the_office_of_the_region_drafts(town):
    users = town.city.users
    with pytest.raises(PermissionDenied):
        services.bulletin_create(users["reporter_a"], period="2026-10", region=town.city.regions.lanshan)
    with pytest.raises(PermissionDenied):
        services.bulletin_create(users["leader"], period="2026-10", region=town.city.regions.city)
    with pytest.raises(NotFound):
        services.bulletin_create(users["dispatcher"], period="2026-10", region=999999)
    assert not Bulletin.objects.exists()


def test_saving_keeps_texts_and_bumps_the_version(draft, town):
    saved = services.bulletin_save(town.city.users["dispatcher"], draft, version=draft.version, title="新标题",
                                   issuer="示范办", texts={"next_steps": "一是……\r\n二是……", "unknown": "x", "overview": "  "},
                                   issued_on=date(2026, 11, 8), red_header=False)
    fresh = Bulletin.objects.get(pk=draft.pk)
    assert (fresh.title, fresh.issuer, fresh.texts, fresh.issued_on, fresh.red_header, fresh.version) == (
        "新标题", "示范办", {"next_steps": "一是……\n二是……"}, date(2026, 11, 8), False, 2)
    assert saved.version == 2


def test_an_empty_title_and_too_long_texts_are_refused_and_nothing_is_written(draft):
    with pytest.raises(ValidationError) as caught:
        services.bulletin_save(None, draft, version=draft.version, title="  ", issuer="示范办",
                               texts={"overview": "字" * 5001})
    messages = _messages(caught.value)
    assert "请填写标题" in messages
    assert any("“总体情况”部分的文字不能超过5000字" in m for m in messages)
    fresh = Bulletin.objects.get(pk=draft.pk)
    assert (fresh.title, fresh.texts, fresh.version) == (draft.title, {}, 1)


def test_a_concurrent_edit_is_refused(draft):
    services.bulletin_save(None, draft, version=1, title="甲", issuer="办")
    stale = Bulletin.objects.get(pk=draft.pk)
    with pytest.raises(ConflictError):
        services.bulletin_save(None, stale, version=1, title="乙", issuer="办")
    assert Bulletin.objects.get(pk=draft.pk).title == "甲"


def test_publishing_needs_the_next_steps(draft):
    with pytest.raises(ValidationError) as caught:
        services.bulletin_publish(None, draft, version=draft.version)
    assert _messages(caught.value) == ["请先填写“下一步工作”部分再发布"]
    fresh = Bulletin.objects.get(pk=draft.pk)
    assert (fresh.state, fresh.number, fresh.snapshot) == ("draft", None, {})


def _publish(bulletin, day=date(2026, 11, 8)):
    bulletin = services.bulletin_save(None, bulletin, version=bulletin.version, title=bulletin.title,
                                      issuer=bulletin.issuer, texts={"next_steps": "一是加快开工。"})
    return services.bulletin_publish(None, bulletin, version=bulletin.version, issued_on=day)


def test_a_published_bulletin_is_numbered_frozen_and_unchanged_by_later_reports(draft, town):
    published = _publish(draft)
    assert (published.state, published.year, published.number, published.number_label) == (
        "published", 2026, 1, "2026年第1期")
    document, headline = selectors.document_of(published)
    assert headline["completed"] == "2332.00" and document.number == "2026年第1期"
    # A report approved afterwards moves the live figures, not the published bulletin.
    ProgressReport.objects.filter(period=town.periods.oct, project=town.p.p3).update(state="approved")
    from tuijin.reports import services as report_services

    report_services.refresh_cumulative([town.p.p3.pk], 2026)
    again, headline_again = selectors.document_of(Bulletin.objects.get(pk=published.pk))
    assert headline_again["completed"] == "2332.00"
    assert again == document
    live = services.bulletin_create(None, period="2026-10", region=town.city.regions.city)
    assert selectors.document_of(live)[1]["completed"] == "2532.00"
    # The next issue of the year is number 2; a published one cannot be edited or deleted.
    assert _publish(live).number == 2
    with pytest.raises(ValidationError) as caught:
        services.bulletin_save(None, published, version=published.version, title="改", issuer="办")
    assert caught.value.messages == ["该期通报已发布，不能再修改；如需更正，请发布更正的新一期"]
    with pytest.raises(ValidationError):
        services.bulletin_delete(None, published, version=published.version)


def test_a_correction_is_a_new_issue_naming_what_it_corrects(draft, town):
    published = _publish(draft)
    with pytest.raises(ValidationError) as caught:
        services.bulletin_create(None, period="2026-10", region=town.city.regions.city, corrects=published, correction=" ")
    assert _messages(caught.value) == ["请说明更正的内容"]
    correction = services.bulletin_create(None, period="2026-10", region=town.city.regions.city, corrects=published,
                                          correction="附件1中兰山区数据有误")
    assert correction.texts == {"next_steps": "一是加快开工。"}
    document, _headline = selectors.document_of(correction)
    assert document.corrects == "本期对2026年第1期通报予以更正：附件1中兰山区数据有误"
    fixed = _publish(correction)
    assert fixed.number == 2 and fixed.corrects_id == published.pk
    assert Bulletin.objects.get(pk=published.pk).state == "published"


def test_deleting_a_draft(draft):
    services.bulletin_delete(None, draft, version=draft.version)
    assert not Bulletin.objects.exists()


def test_a_bad_template_is_refused_with_its_reason_and_nothing_is_stored(town):
    with pytest.raises(ValidationError) as caught:
        services.template_upload(None, name="坏模板", data=b"not a docx")
    assert _messages(caught.value)
    assert not Template.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.template_upload(None, name="", data=b"")
    assert set(_messages(caught.value)) == {"请填写模板名称", "请选择模板文件（.docx）"}


def test_a_template_in_use_cannot_be_deleted(town):
    from tuijin.bulletins.render_docx import example_template

    template = services.template_upload(None, name="本办模板", data=example_template())
    bulletin = services.bulletin_create(None, period="2026-10", region=town.city.regions.city, template=template)
    with pytest.raises(ValidationError) as caught:
        services.template_delete(None, template, version=template.version)
    assert "已被通报使用" in caught.value.messages[0]
    services.bulletin_delete(None, bulletin, version=bulletin.version)
    services.template_delete(None, Template.objects.get(pk=template.pk), version=template.version)
    assert not Template.objects.exists()


def test_a_zip_bomb_template_is_refused_before_it_is_unpacked(town):
    import io
    import zipfile

    from tuijin.bulletins.render_docx import example_template

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(example_template())) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("word/media/padding.bin", b"\0" * (60 * 1024 * 1024))  # 60 MB of zeros in ~60 KB
    with pytest.raises(ValidationError) as caught:
        services.template_upload(None, name="炸弹", data=buffer.getvalue())
    assert any("压缩" in m for m in _messages(caught.value))
    assert not Template.objects.exists()


def test_a_draft_written_from_the_english_interface_is_still_in_chinese(town):
    from django.utils import translation

    with translation.override("en"):
        draft = services.bulletin_create(None, period="2026-10", region=town.city.regions.city)
        draft = services.bulletin_save(None, draft, version=draft.version, title=draft.title, issuer=draft.issuer,
                                       main_to=draft.main_to, texts={"next_steps": "一是。"})
        published = services.bulletin_publish(None, draft, version=draft.version)
        document, _headline = selectors.document_of(published)
    assert draft.title == "关于2026年1—10月全市重点项目建设情况的通报"
    assert draft.main_to == "各县（市、区）、开发区，市直有关部门"
    assert document.number == "2026年第1期"
    assert [s.heading for s in document.sections][0] == "总体情况"


@pytest.mark.parametrize("region", ["", "abc", "1e309", "-3"])
def test_a_missing_or_garbled_region_is_refused_and_nothing_is_written(town, region):
    with pytest.raises(ValidationError) as caught:
        services.bulletin_create(town.city.users["dispatcher"], period="2026-10", region=region)
    assert _messages(caught.value) == ["请选择通报范围"]
    assert not Bulletin.objects.exists()
