"""Attachments (会议纪要、整改报告…): only PDF, Word, Excel, WPS and JPG/PNG whose first bytes match the
extension, not empty, within 20 MB, at most 30 per record; stored under MEDIA_ROOT (a per-test tmp
directory, tests/conftest.py) under a random name, never the user's."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tuijin.core.exceptions import NotFound
from tuijin.problems import services
from tuijin.problems.choices import OrderStatus, ProblemAction, ProblemStatus
from tuijin.problems.models import Attachment, Event, Meeting, SupervisionOrder

from .conftest import today

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("整改报告.pdf", PDF, ("pdf", "application/pdf", "整改报告.pdf")),
    ("会议纪要.PDF", PDF, ("pdf", "application/pdf", "会议纪要.PDF")),
    ("方案.docx", DOCX, ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "方案.docx")),
    ("台账.xlsx", DOCX, ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "台账.xlsx")),
    ("旧方案.doc", OLE, ("doc", "application/msword", "旧方案.doc")),
    ("旧台账.xls", OLE, ("xls", "application/vnd.ms-excel", "旧台账.xls")),
    ("公文.wps", OLE, ("wps", "application/vnd.ms-works", "公文.wps")),
    ("现场.jpg", JPEG, ("jpg", "image/jpeg", "现场.jpg")),
    ("现场.jpeg", JPEG, ("jpeg", "image/jpeg", "现场.jpeg")),
    ("截图.png", PNG, ("png", "image/png", "截图.png")),
    ("C:\\fakepath\\方案.docx", DOCX, ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "方案.docx")),
])
def test_documents_we_keep(name, content, expected):
    assert services.check_attachment(upload(name, content)) == expected


@pytest.mark.parametrize(("name", "content", "message"), [
    ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 20, "“病毒.exe”的格式不支持，只能上传 PDF、Word、Excel、WPS 文档或 JPG、PNG 图片"),
    ("网页.html", b"<html></html>", "“网页.html”的格式不支持，只能上传 PDF、Word、Excel、WPS 文档或 JPG、PNG 图片"),
    ("没有扩展名", PDF, "“没有扩展名”的格式不支持，只能上传 PDF、Word、Excel、WPS 文档或 JPG、PNG 图片"),
    ("空报告.pdf", b"", "“空报告.pdf”是空文件"),
    ("伪装.pdf", DOCX, "“伪装.pdf”的内容与扩展名不符，请检查文件是否损坏"),
    ("脚本.docx", b"<script>alert(1)</script>", "“脚本.docx”的内容与扩展名不符，请检查文件是否损坏"),
    ("照片.png", JPEG, "“照片.png”的内容与扩展名不符，请检查文件是否损坏"),
    ("老文档.doc", DOCX, "“老文档.doc”的内容与扩展名不符，请检查文件是否损坏"),
])
def test_documents_we_refuse_say_why(name, content, message):
    with pytest.raises(ValidationError) as exc:
        services.check_attachment(upload(name, content))
    assert exc.value.messages == [message]


def test_a_document_over_20_mb_is_refused():
    big = upload("大文件.pdf", PDF)
    big.size = 20 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as exc:
        services.check_attachment(big)
    assert exc.value.messages == ["“大文件.pdf”超过20MB"]
    big.size = 20 * 1024 * 1024
    assert services.check_attachment(big)[0] == "pdf"


def test_a_pdf_on_a_problem_is_stored_under_a_random_name(people, problem_at, settings):
    problem = problem_at(ProblemStatus.HANDLING)
    attachment = services.attachment_add(people["handler"], upload("整改报告.pdf", PDF), problem=problem)

    attachment = Attachment.objects.get(pk=attachment.pk)
    assert (attachment.problem, attachment.order, attachment.meeting) == (problem, None, None)
    assert (attachment.name, attachment.content_type, attachment.size, attachment.uploaded_by) == (
        "整改报告.pdf", "application/pdf", len(PDF), people["handler"])
    now = today()
    assert attachment.file.name.startswith(f"problems/{now:%Y/%m}/") and attachment.file.name.endswith(".pdf")
    assert "整改报告" not in attachment.file.name
    assert stored_files(settings) == [Path(settings.MEDIA_ROOT) / attachment.file.name]
    assert (Path(settings.MEDIA_ROOT) / attachment.file.name).read_bytes() == PDF
    event = Event.objects.get(problem=problem, action=ProblemAction.ATTACH)
    assert (event.text, event.actor) == ("整改报告.pdf", people["handler"])
    assert list(Attachment.history.filter(id=attachment.pk).values_list("history_type", "history_user", "history_change_reason")) == [
        ("+", people["handler"].pk, "上传附件")]


@pytest.mark.parametrize(("name", "content"), [("病毒.exe", b"MZ\x90\x00"), ("空报告.pdf", b""), ("伪装.pdf", DOCX)])
def test_a_refused_document_leaves_no_row_and_no_file(name, content, people, problem_at, problem_state, settings):
    problem = problem_at(ProblemStatus.HANDLING)
    before = problem_state()
    with pytest.raises(ValidationError):
        services.attachment_add(people["handler"], upload(name, content), problem=problem)
    assert problem_state() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(("principal", "answer"), [
    ("admin", "ok"), ("dispatcher", "ok"), ("handler", "ok"), ("inspector", "ok"), ("reporter_a", "ok"),  # the raiser
    ("leader", "403"), ("coordinator", "403"), ("dept_reporter", "403"),
    ("reporter_b", "404"), ("outsider", "404"), ("anonymous", "404"),
])
def test_who_may_attach_to_a_problem(principal, answer, people, problem_at, problem_state, settings):
    problem = problem_at(ProblemStatus.HANDLING)
    before = problem_state()
    if answer == "ok":
        services.attachment_add(people[principal], upload("整改报告.pdf", PDF), problem=problem)
        assert problem.attachments.count() == 1
        return
    with pytest.raises(NotFound if answer == "404" else PermissionDenied):
        services.attachment_add(people[principal], upload("整改报告.pdf", PDF), problem=problem)
    assert problem_state() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize("status", [ProblemStatus.CLOSED, ProblemStatus.UNSOLVABLE])
def test_a_finished_problem_takes_no_new_attachments(status, people, problem_at, problem_state, settings):
    problem = problem_at(status)
    before = problem_state()
    with pytest.raises(PermissionDenied):
        services.attachment_add(people["dispatcher"], upload("整改报告.pdf", PDF), problem=problem)
    assert problem_state() == before
    assert stored_files(settings) == []


def order_for(project, units, people, status=OrderStatus.ISSUED) -> SupervisionOrder:
    return SupervisionOrder.objects.create(
        year=today().year, seq=1, project=project, unit=units.land, content="加快办理用地手续", reply_by=today(),
        status=status, issued_by=people["dispatcher"], issued_on=today(), version=1)


def test_the_unit_attaches_its_plan_to_an_order_and_others_may_not(people, project, units, problem_state):
    order = order_for(project, units, people)
    services.attachment_add(people["handler"], upload("整改方案.docx", DOCX), order=order)
    assert list(order.attachments.values_list("name", flat=True)) == ["整改方案.docx"]
    assert Event.objects.get(order=order, action=ProblemAction.ATTACH).text == "整改方案.docx"
    before = problem_state()
    with pytest.raises(PermissionDenied):
        services.attachment_add(people["reporter_a"], upload("整改方案.docx", DOCX), order=order)
    with pytest.raises(NotFound):
        services.attachment_add(people["outsider"], upload("整改方案.docx", DOCX), order=order)
    assert problem_state() == before


def test_the_office_attaches_minutes_to_a_meeting(people, city, problem_state):
    meeting = Meeting.objects.create(title="第12次项目推进例会", held_on=date(2026, 7, 1), region=city.regions.city, version=1)
    services.attachment_add(people["dispatcher"], upload("会议纪要.pdf", PDF), meeting=meeting)
    assert list(meeting.attachments.values_list("name", flat=True)) == ["会议纪要.pdf"]
    before = problem_state()
    with pytest.raises(PermissionDenied):  # sees the city's meetings, but does not hold them
        services.attachment_add(people["leader"], upload("会议纪要.pdf", PDF), meeting=meeting)
    with pytest.raises(NotFound):  # a 兰山区 clerk does not see a city meeting about no project of theirs
        services.attachment_add(people["reporter_a"], upload("会议纪要.pdf", PDF), meeting=meeting)
    assert problem_state() == before


def test_a_record_takes_at_most_30_attachments(people, problem_at, problem_state, settings):
    problem = problem_at(ProblemStatus.HANDLING)
    Attachment.objects.bulk_create(Attachment(problem=problem, file=f"problems/x{i}.pdf", name=f"{i}.pdf",
                                              content_type="application/pdf", size=1) for i in range(30))
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(people["handler"], upload("第31个.pdf", PDF), problem=problem)
    assert exc.value.messages == ["附件已达30个，请先删除不需要的附件"]
    assert problem_state() == before
    assert stored_files(settings) == []


def test_the_uploader_deletes_an_attachment_and_its_file_goes_after_the_commit(people, problem_at, settings,
                                                                             django_capture_on_commit_callbacks):
    problem = problem_at(ProblemStatus.HANDLING)
    attachment = services.attachment_add(people["handler"], upload("整改报告.pdf", PDF), problem=problem)
    pk, path = attachment.pk, Path(settings.MEDIA_ROOT) / attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(people["handler"], attachment)
        assert path.exists()  # not before the commit
    assert not Attachment.objects.filter(pk=pk).exists()
    assert not path.exists()
    deleted = Attachment.history.filter(id=pk, history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (people["handler"], "删除附件")


def test_only_the_uploader_or_the_office_deletes_and_never_on_a_finished_problem(people, problem_at, problem_state):
    problem = problem_at(ProblemStatus.HANDLING)
    attachment = services.attachment_add(people["handler"], upload("整改报告.pdf", PDF), problem=problem)
    before = problem_state()
    with pytest.raises(PermissionDenied):
        services.attachment_delete(people["inspector"], attachment)
    assert problem_state() == before
    type(problem).objects.filter(pk=problem.pk).update(status=ProblemStatus.CLOSED)
    attachment = Attachment.objects.get(pk=attachment.pk)
    with pytest.raises(ValidationError) as exc:
        services.attachment_delete(people["dispatcher"], attachment)
    assert exc.value.messages == ["问题已办结，附件不能删除"]
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_closed_order_takes_no_new_attachments(people, project, units, problem_state, settings):
    order = order_for(project, units, people, status=OrderStatus.CLOSED)
    before = problem_state()
    for who in ("handler", "dispatcher"):
        with pytest.raises(PermissionDenied):
            services.attachment_add(people[who], upload("整改报告.pdf", PDF), order=order)
    assert problem_state() == before
