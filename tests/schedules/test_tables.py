"""The node table and the approvals checklist save as a whole (issue #13 §1 "typing that is thrown
away"): one post carries every row, one service call saves them all or none, each changed row's
version is checked, and a refused save shows the page again with everything typed still in it."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.schedules import services
from tuijin.schedules.models import Approval, Milestone, MilestoneTemplate

pytestmark = pytest.mark.django_db
TARGET = date(2027, 6, 30)


@pytest.fixture
def planned(users, own_project):
    return services.apply_template(users["reporter_a"], own_project, MilestoneTemplate.objects.get(kind="building"), TARGET)


def table_post(milestones, changes):
    """What the node table posts: every row, with `changes` ({pk: {field: value}}) typed in."""
    data = {"row": [m.pk for m in milestones]}
    for m in milestones:
        m.refresh_from_db()
        p = f"m{m.pk}-"
        data.update({p + "version": m.version, p + "name": m.name, p + "responsible": m.responsible,
                     p + "planned_date": m.planned_date.isoformat() if m.planned_date else "",
                     p + "actual_date": m.actual_date.isoformat() if m.actual_date else ""})
        data.update({p + k: v for k, v in changes.get(m.pk, {}).items()})
    return data


def snapshot():
    return list(Milestone.objects.order_by("pk").values_list("pk", "name", "planned_date", "actual_date",
                                                            "responsible", "version"))


def test_saving_the_table_saves_every_row_typed(client, users, own_project, planned):
    first, second = planned[0], planned[1]
    client.force_login(users["reporter_a"])
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), table_post(planned, {
        first.pk: {"responsible": "王工"}, second.pk: {"planned_date": "2026-12-01", "responsible": "李工"}}))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.responsible, first.version) == ("王工", 2)
    assert (second.responsible, second.planned_date, second.version) == ("李工", date(2026, 12, 1), 2)
    # Rows nobody touched keep their version (no needless claims).
    assert Milestone.objects.get(pk=planned[2].pk).version == 1


def test_one_bad_row_saves_nothing_and_keeps_every_row_typed(on_day, client, users, own_project, planned):
    first, second = planned[0], planned[1]
    client.force_login(users["reporter_a"])
    before = snapshot()
    future = (on_day + timedelta(days=30)).isoformat()
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), table_post(planned, {
        first.pk: {"responsible": "王工"}, second.pk: {"actual_date": future}}))
    assert response.status_code == 400
    assert snapshot() == before
    html = response.content.decode()
    assert 'value="王工"' in html  # the other row's typing is still there
    assert f'value="{future}"' in html
    assert "实际完成日期不能晚于今天" in html


def test_a_row_changed_meanwhile_is_a_conflict_and_nothing_is_saved(client, users, own_project, planned):
    first, second = planned[0], planned[1]
    services.milestone_update(users["dispatcher"], second, version=second.version, responsible="调度员改的")
    client.force_login(users["reporter_a"])
    data = table_post(planned, {first.pk: {"responsible": "王工"}, second.pk: {"responsible": "我改的"}})
    data[f"m{second.pk}-version"] = 1  # the page was read before the dispatcher's edit
    before = snapshot()
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), data)
    assert response.status_code == 409
    assert snapshot() == before
    html = response.content.decode()
    assert "已被他人修改" in html and 'value="我改的"' in html and 'value="王工"' in html
    assert "已被张调度于 " in html  # the row's note names who saved it (and when)


def loaded_on_page(client, url, letter) -> dict:
    """The `<letter><id>-loaded` inputs of the page at `url`, as the browser would post them."""
    html = client.get(url).content.decode()
    return dict(re.findall(rf'name="({letter}\d+-loaded)" value="([^"]*)"', html))


def test_a_row_left_untouched_is_not_written_even_if_changed_meanwhile(client, users, own_project, planned):
    """Issue #13 §1: another person's edit of a row this user did not touch is no conflict, and stays."""
    first, second = planned[0], planned[1]
    client.force_login(users["reporter_a"])
    data = {**table_post(planned, {first.pk: {"responsible": "王工"}}),
            **loaded_on_page(client, reverse("schedules:project", args=[own_project.pk]), "m")}
    assert f"m{second.pk}-loaded" in data
    services.milestone_update(users["dispatcher"], second, version=second.version, responsible="调度员改的")
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.responsible, first.version) == ("王工", 2)
    assert (second.responsible, second.version) == ("调度员改的", 2)  # the other person's edit stands


def test_a_row_the_user_changed_is_still_version_checked(client, users, own_project, planned):
    first, second = planned[0], planned[1]
    client.force_login(users["reporter_a"])
    data = {**table_post(planned, {first.pk: {"responsible": "王工"}, second.pk: {"responsible": "我改的"}}),
            **loaded_on_page(client, reverse("schedules:project", args=[own_project.pk]), "m")}
    services.milestone_update(users["dispatcher"], second, version=second.version, responsible="调度员改的")
    before = snapshot()
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), data)
    assert response.status_code == 409
    assert snapshot() == before
    html = response.content.decode()
    assert "已被他人修改" in html and 'value="我改的"' in html


def test_a_table_posted_unchanged_writes_nothing(client, users, own_project, planned):
    client.force_login(users["reporter_a"])
    data = {**table_post(planned, {}), **loaded_on_page(client, reverse("schedules:project", args=[own_project.pk]), "m")}
    before = snapshot()
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), data, follow=True)
    assert "没有修改需要保存" in [str(m) for m in response.context["messages"]]
    assert snapshot() == before


def test_the_service_is_all_or_nothing(users, own_project, planned):
    first, second = planned[0], planned[1]
    before = snapshot()
    with pytest.raises(services.TableError) as caught:
        services.milestones_save(users["reporter_a"], own_project, [
            {"id": first.pk, "version": first.version, "responsible": "王工"},
            {"id": second.pk, "version": second.version, "name": ""}])
    assert caught.value.errors == {second.pk: {"name": ["请填写节点名称"]}}
    assert snapshot() == before
    with pytest.raises(ValidationError):
        services.milestones_save(users["reporter_a"], own_project, [
            {"id": first.pk, "version": 1, "responsible": "a"}, {"id": first.pk, "version": 1, "responsible": "b"}])
    assert snapshot() == before


def test_the_schedule_page_has_one_form_for_the_whole_table(client, users, own_project, planned):
    client.force_login(users["reporter_a"])
    html = client.get(reverse("schedules:project", args=[own_project.pk])).content.decode()
    assert html.count('<input form="milestones-form" type="hidden" name="row"') == len(planned)
    assert f'action="/schedules/milestones/{planned[0].pk}/"' not in html  # no per-row save (that URL is gone)


# ------------------------------------------------------------------------------------ approvals


def approvals_post(approvals, changes):
    data = {"row": [a.pk for a in approvals]}
    for a in approvals:
        a.refresh_from_db()
        p = f"a{a.pk}-"
        data.update({p + "version": a.version, p + "status": a.status, p + "document_no": a.document_no,
                     p + "approving_unit": a.approving_unit, p + "responsible": a.responsible, p + "note": a.note,
                     p + "target_date": a.target_date.isoformat() if a.target_date else "",
                     p + "done_date": a.done_date.isoformat() if a.done_date else ""})
        if a.required:
            data[p + "required"] = "on"
        data.update({p + k: v for k, v in changes.get(a.pk, {}).items()})
    return data


def test_the_approvals_table_saves_every_row_or_none(client, users, own_project):
    services.approvals_init(users["reporter_a"], own_project)
    approvals = list(Approval.objects.filter(project=own_project, required=True).order_by("pk")[:2])
    first, second = approvals
    client.force_login(users["reporter_a"])
    url = reverse("schedules:approvals_save", args=[own_project.pk])
    before = list(Approval.objects.order_by("pk").values_list("pk", "status", "document_no", "version"))
    response = client.post(url, approvals_post(approvals, {
        first.pk: {"document_no": "临发改〔2026〕8号"}, second.pk: {"status": "done"}}))  # done without a date
    assert response.status_code == 400
    assert list(Approval.objects.order_by("pk").values_list("pk", "status", "document_no", "version")) == before
    html = response.content.decode()
    assert "临发改〔2026〕8号" in html and "已办结的手续请填写办结日期" in html
    response = client.post(url, approvals_post(approvals, {
        first.pk: {"document_no": "临发改〔2026〕8号"}, second.pk: {"status": "in_progress", "responsible": "赵工"}}))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.document_no, second.status, second.responsible) == ("临发改〔2026〕8号", "in_progress", "赵工")


def test_an_approval_left_untouched_is_not_written_even_if_changed_meanwhile(client, users, own_project):
    services.approvals_init(users["reporter_a"], own_project)
    first, second = list(Approval.objects.filter(project=own_project, required=True).order_by("pk")[:2])
    client.force_login(users["reporter_a"])
    data = {**approvals_post([first, second], {first.pk: {"document_no": "临发改〔2026〕9号"}}),
            **loaded_on_page(client, reverse("schedules:approvals", args=[own_project.pk]), "a")}
    assert f"a{second.pk}-loaded" in data
    services.approval_update(users["dispatcher"], second, version=second.version, status="in_progress", responsible="调度员")
    response = client.post(reverse("schedules:approvals_save", args=[own_project.pk]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.document_no == "临发改〔2026〕9号"
    assert (second.status, second.responsible, second.version) == ("in_progress", "调度员", 2)
    # Changed by this user too, the same row is a conflict and nothing is written.
    data = {**approvals_post([first, second], {second.pk: {"note": "我改的"}}),
            **loaded_on_page(client, reverse("schedules:approvals", args=[own_project.pk]), "a")}
    services.approval_update(users["dispatcher"], second, version=second.version, responsible="调度员二")
    response = client.post(reverse("schedules:approvals_save", args=[own_project.pk]), data)
    assert response.status_code == 409
    second.refresh_from_db()
    assert (second.note, second.responsible) == ("", "调度员二")
    assert "已被张调度于 " in response.content.decode()
