"""Workflow traps that send the wrong thing (issue #13 §1): a refused review stays on its report with the
comment kept, the batch grid hands in only what the clerk ticked (and a returned report only when
changed or confirmed), the submitter does not approve their own report, a photo upload does not throw
the typing away, and the figures flag an amount the server would refuse."""

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tuijin.projects.selectors import current_year
from tuijin.reports import services
from tuijin.reports.choices import ReportState
from tuijin.reports.models import ProgressReport

from .. import factories as f

pytestmark = pytest.mark.django_db


def png(name="现场.png"):
    buffer = BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def period(city, own_project):
    """An open month with three 兰山区 projects for reporter_a."""
    f.ProjectFactory(name="兰山区第二个项目", region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                     total_investment="5000.00", plan="800.00")
    f.ProjectFactory(name="兰山区第三个项目", region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
                     total_investment="5000.00", plan="800.00")
    return services.period_open(None, year=current_year(), month=3, due_on=date(current_year() + 5, 1, 31))


def reports_of(period) -> list[ProgressReport]:
    return list(ProgressReport.objects.filter(period=period).select_related("project").order_by("project__name"))


def hand_in(user, report, amount="100.00", progress="主体施工"):
    report.refresh_from_db()
    services.reports_save(user, report.period, [{"id": report.pk, "version": report.version, "amount": amount,
                                                "progress": progress}], submit=True)
    report.refresh_from_db()
    return report


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ------------------------------------------------------------------------------ review stays put


def test_a_return_without_a_reason_stays_on_the_same_report(client, users, period, db_state):
    first, second, _third = (hand_in(users["reporter_a"], r) for r in reports_of(period))
    client.force_login(users["dispatcher"])
    before = db_state()
    response = client.post(reverse("reports:report_review", args=[first.pk]),
                           {"decision": "return", "version": first.version, "comment": "  "})
    assert response.status_code == 400
    assert response.context["report"].pk == first.pk  # not the next one in the queue
    assert "请填写退回原因" in response.content.decode()
    assert any(first.project.name in m and "请填写退回原因" in m for m in messages_of(response))
    assert f'action="{reverse("reports:report_review", args=[first.pk])}"' in response.content.decode()
    assert db_state() == before
    assert second.pk != first.pk


def test_a_refused_review_keeps_the_comment_typed(client, users, period, db_state):
    first = hand_in(users["reporter_a"], reports_of(period)[0])
    client.force_login(users["dispatcher"])
    before = db_state()
    response = client.post(reverse("reports:report_review", args=[first.pk]),
                           {"decision": "return", "version": first.version - 1, "comment": "桩基数据与上月不符，请核对"})
    assert response.status_code == 409
    assert response.context["report"].pk == first.pk
    assert "桩基数据与上月不符，请核对" in response.content.decode()
    assert any(m.startswith("该填报已被") and "本次没有审核" in m for m in messages_of(response))
    assert db_state() == before
    # The page now carries the current version: returning again works, on the same report.
    version = response.context["review_form"]["version"].value()
    client.post(reverse("reports:report_review", args=[first.pk]),
                {"decision": "return", "version": version, "comment": "桩基数据与上月不符，请核对"})
    first.refresh_from_db()
    assert (first.state, first.review_comment) == (ReportState.RETURNED, "桩基数据与上月不符，请核对")


def test_a_review_that_succeeds_moves_on_to_the_next_report(client, users, period):
    first, second, _third = (hand_in(users["reporter_a"], r) for r in reports_of(period))
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:report_review", args=[first.pk]),
                           {"decision": "return", "version": first.version, "comment": "请补充照片"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report", args=[second.pk])


# -------------------------------------------------------------------------- separation of duties


def test_whoever_handed_a_report_in_cannot_approve_it(users, period, db_state):
    report = hand_in(users["dispatcher"], reports_of(period)[0])
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        services.report_approve(users["dispatcher"], report, version=report.version)
    assert caught.value.messages == [f"“{report.project.name}”是您本人上报的，不能由您审核通过，请由其他调度员审核"]
    with pytest.raises(ValidationError):
        services.reports_approve_many(users["dispatcher"], period, {report.pk: report.version})
    assert db_state() == before
    # Returning it stays possible; another reviewer may approve.
    services.report_approve(users["admin"], report, version=report.version)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED


def test_a_tiny_office_may_allow_approving_its_own(settings, users, period):
    settings.TUIJIN_REVIEW_SELF_APPROVAL = True
    report = hand_in(users["dispatcher"], reports_of(period)[0])
    services.report_approve(users["dispatcher"], report, version=report.version)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED


def test_the_review_page_names_who_filled_and_who_handed_in(client, users, period):
    report = reports_of(period)[0]
    services.reports_save(users["reporter_a"], period, [{"id": report.pk, "version": report.version,
                                                         "amount": "10.00", "progress": "基础施工"}])
    report.refresh_from_db()
    services.reports_submit(users["dispatcher"], period, [report.pk])
    client.force_login(users["admin"])
    page = client.get(reverse("reports:report", args=[report.pk]))
    hands = page.context["hands"]
    assert hands["filled"][0] == "李兰山" and hands["submitted"] == "张调度"
    html = page.content.decode()
    assert 'data-hand="filled">李兰山' in html and 'data-hand="submitted">张调度' in html
    # The submitter sees why they may not approve, and the queue gives them no box to tick for it.
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:report_review", args=[report.pk]),
                           {"decision": "approve", "version": ProgressReport.objects.get(pk=report.pk).version})
    assert response.status_code == 400 and response.context["report"].pk == report.pk
    assert "是您本人上报的" in response.content.decode()
    queue = client.get(reverse("reports:review", args=[period.pk])).content.decode()
    assert f'name="pick" value="{report.pk}"' not in queue


# ---------------------------------------------------------------------------------- batch grid


def grid_post(reports, *, ticked=(), confirm=False, values=None):
    """What the grid posts: every row with its values (values: {report pk: {field: value}})."""
    data = {"action": "submit", "row": [r.pk for r in reports]}
    for r in reports:
        r.refresh_from_db()
        data[f"r{r.pk}-version"] = r.version
        for name in ("amount", "progress", "work_status", "workers_planned", "workers_on_site", "problems"):
            stored = getattr(r, name)
            data[f"r{r.pk}-{name}"] = "" if stored is None else str(stored)
        for name, value in (values or {}).get(r.pk, {}).items():
            data[f"r{r.pk}-{name}"] = value
    for r in ticked:
        data[f"r{r.pk}-pick"] = "1"
    if confirm:
        data["confirm_returned"] = "1"
    return data


def test_the_grid_ticks_nothing_for_the_clerk(client, users, period):
    reports = reports_of(period)
    for r in reports:  # drafts with an amount and a 形象进度: the kind that used to come pre-ticked
        services.reports_save(users["reporter_a"], period, [{"id": r.pk, "version": r.version, "amount": "5.00",
                                                             "progress": "施工中"}])
    client.force_login(users["reporter_a"])
    html = client.get(reverse("reports:grid", args=[period.pk])).content.decode()
    assert html.count('class="form-check-input pick"') == 3
    assert " checked>" not in html.split("<tbody>")[1].split("</tbody>")[0]


def test_the_grid_hands_in_only_the_ticked_rows(client, users, period):
    reports = reports_of(period)
    client.force_login(users["reporter_a"])
    data = grid_post(reports, ticked=[reports[0]],
                     values={r.pk: {"amount": "12.00", "progress": "施工中"} for r in reports})
    response = client.post(reverse("reports:grid", args=[period.pk]), data)
    assert response.status_code == 302
    states = [ProgressReport.objects.get(pk=r.pk).state for r in reports]
    assert states == [ReportState.SUBMITTED, ReportState.DRAFT, ReportState.DRAFT]


def returned(users, report, comment="数据有误"):
    report = hand_in(users["reporter_a"], report)
    services.report_return(users["dispatcher"], report, version=report.version, comment=comment)
    report.refresh_from_db()
    return report


def test_a_returned_report_is_not_handed_in_again_unchanged(client, users, period, db_state):
    reports = reports_of(period)
    back = returned(users, reports[0])
    client.force_login(users["reporter_a"])
    before = db_state()
    response = client.post(reverse("reports:grid", args=[period.pk]), grid_post(reports, ticked=[back]))
    assert response.status_code == 400
    assert any("已被退回，但本次没有修改" in m and back.project.name in m for m in messages_of(response))
    assert db_state() == before
    # The tick the clerk made is still there.
    row = next(r for r in response.context["rows"] if r["report"].pk == back.pk)
    assert row["picked"]


def test_a_returned_report_goes_again_when_changed_or_confirmed(client, users, period):
    reports = reports_of(period)
    changed, confirmed = returned(users, reports[0]), returned(users, reports[1])
    client.force_login(users["reporter_a"])
    response = client.post(reverse("reports:grid", args=[period.pk]),
                           grid_post(reports, ticked=[changed], values={changed.pk: {"amount": "99.00"}}))
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=changed.pk).state == ReportState.SUBMITTED
    still_editable = [r for r in reports if r.pk != changed.pk]  # the grid posts only rows it can edit
    response = client.post(reverse("reports:grid", args=[period.pk]), grid_post(still_editable, ticked=[confirmed]))
    assert response.status_code == 400  # unchanged and not confirmed
    response = client.post(reverse("reports:grid", args=[period.pk]),
                           grid_post(still_editable, ticked=[confirmed], confirm=True))
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=confirmed.pk).state == ReportState.SUBMITTED


def report_post(report, action="submit", **values):
    """What the single report page posts, every field as the report holds it unless `values` says otherwise."""
    report.refresh_from_db()
    data = {"version": report.version, "action": action}
    for name in ("amount", "progress", "work_status", "workers_planned", "workers_on_site", "problems", "next_steps"):
        value = getattr(report, name)
        data[name] = "" if value is None else str(value)
    data.update(values)
    return data


def test_the_report_page_refuses_a_returned_report_sent_back_unchanged(client, users, period, db_state):
    back = returned(users, reports_of(period)[0])
    client.force_login(users["reporter_a"])
    before = db_state()
    response = client.post(reverse("reports:report", args=[back.pk]), report_post(back))
    assert response.status_code == 400
    assert messages_of(response) == ["该填报已被退回，但本次没有修改。本次没有保存或上报任何内容；请按退回意见修改，或确认原样重新上报。"]
    assert db_state() == before
    # The page asks the clerk to confirm, with a button that sends it as it is.
    html = response.content.decode()
    assert 'id="confirm-returned"' in html and 'name="confirm_returned" value="1"' in html
    assert 'id="confirm-returned"' not in client.get(reverse("reports:report", args=[back.pk])).content.decode()


def test_the_report_page_sends_a_returned_report_when_changed_or_confirmed(client, users, period):
    changed, confirmed = returned(users, reports_of(period)[0]), returned(users, reports_of(period)[1])
    client.force_login(users["reporter_a"])
    response = client.post(reverse("reports:report", args=[changed.pk]), report_post(changed, amount="99.00"))
    assert response.status_code == 302
    changed.refresh_from_db()
    assert (changed.state, str(changed.amount)) == (ReportState.SUBMITTED, "99.00")
    data = report_post(confirmed)
    del data["action"]  # the confirm button sends confirm_returned instead of action
    response = client.post(reverse("reports:report", args=[confirmed.pk]), {**data, "confirm_returned": "1"})
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=confirmed.pk).state == ReportState.SUBMITTED
    # Saving a draft of a returned report unchanged is not refused (it hands nothing in).
    third = returned(users, reports_of(period)[2])
    assert client.post(reverse("reports:report", args=[third.pk]), report_post(third, action="save")).status_code == 302


# ----------------------------------------------------------------------- figures before saving


def test_the_report_page_carries_the_basis_the_figures_follow(client, users, period):
    report = reports_of(period)[0]
    client.force_login(users["reporter_a"])
    html = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert 'data-figures data-earlier="0" data-opening="0"' in html
    assert 'data-total="1234567"' in html  # 12,345.67 万元 in hundredths
    for name in ("ytd", "since", "pct-plan", "pct-total", "gap"):
        assert f'data-out="{name}"' in html
    assert "tuijin/report_grid.js" in html


def test_an_amount_above_the_total_is_named_not_shown_as_points(client, users, period, db_state):
    report = reports_of(period)[0]
    client.force_login(users["reporter_a"])
    before = db_state()
    response = client.post(reverse("reports:report", args=[report.pk]),
                           {"action": "save", "version": report.version, "amount": "56000000", "progress": "x"})
    assert response.status_code == 400
    message = "开工累计完成投资（56,000,000.00万元）将超过总投资（12,345.67万元）"
    assert response.context["over_total"] == message
    html = response.content.decode()
    assert html.count(message) >= 2  # the server's refusal and the figure box say the same
    assert "个百分点" not in html.split('id="derived"')[1]
    assert db_state() == before


# -------------------------------------------------------------------------- photos keep typing


def test_uploading_a_photo_keeps_what_was_typed(client, users, period):
    report = reports_of(period)[0]
    client.force_login(users["reporter_a"])
    response = client.post(reverse("reports:report", args=[report.pk]), {
        "action": "photo", "version": report.version, "amount": "321.50", "progress": "主体封顶",
        "problems": "", "next_steps": "", "photos": png(), "caption": "封顶"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (str(report.amount), report.progress, report.state) == ("321.50", "主体封顶", ReportState.DRAFT)
    assert [p.caption for p in report.photos.all()] == ["封顶"]


def test_a_photo_upload_without_a_file_shows_the_typing_again(client, users, period, db_state):
    report = reports_of(period)[0]
    client.force_login(users["reporter_a"])
    before = db_state()
    response = client.post(reverse("reports:report", args=[report.pk]), {
        "action": "photo", "version": report.version, "amount": "321.50", "progress": "主体封顶"})
    assert response.status_code == 400
    assert "请选择要上传的照片" in messages_of(response)
    assert 'value="321.50"' in response.content.decode() and "主体封顶" in response.content.decode()
    assert db_state() == before


def test_deleting_a_photo_keeps_what_was_typed(client, users, period):
    report = reports_of(period)[0]
    photo = services.photo_add(users["reporter_a"], report, png())
    report.refresh_from_db()
    client.force_login(users["reporter_a"])
    response = client.post(reverse("reports:report", args=[report.pk]), {
        "delete_photo": photo.pk, "version": report.version, "amount": "7.00", "progress": "清表"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (str(report.amount), report.progress, report.photos.count()) == ("7.00", "清表", 0)


# ------------------------------------------------------------------------- approving several at once


def test_approving_several_when_one_was_handed_in_again_meanwhile_names_it_and_approves_none(client, users, period,
                                                                                              db_state):
    first, second = (hand_in(users["reporter_a"], r) for r in reports_of(period)[:2])
    post = {"pick": [first.pk, second.pk], f"v{first.pk}": first.version, f"v{second.pk}": second.version}
    services.report_return(users["admin"], second, version=second.version, comment="请补充照片")
    hand_in(users["reporter_a"], second, amount="120.00")  # submitted again, at a newer version
    client.force_login(users["dispatcher"])
    before = db_state()
    response = client.post(reverse("reports:review", args=[period.pk]), post, follow=True)
    shown = messages_of(response)
    assert len(shown) == 1 and shown[0].startswith(f"“{second.project.name}”的填报已被李兰山于 ")
    assert shown[0].endswith("本次没有审核任何填报，请核对后再操作")
    assert db_state() == before


def test_a_picked_report_without_its_version_is_refused_not_skipped(client, users, period, db_state):
    first, second = (hand_in(users["reporter_a"], r) for r in reports_of(period)[:2])
    client.force_login(users["dispatcher"])
    before = db_state()
    response = client.post(reverse("reports:review", args=[period.pk]),
                           {"pick": [first.pk, second.pk], f"v{first.pk}": first.version}, follow=True)
    assert messages_of(response) == ["表单缺少版本号，请刷新页面后重试"]
    assert db_state() == before
