"""Meetings (例会、专题会…) and inspections (督导、观摩) are recorded by the office and inspectors; a
meeting's decision or an inspection's finding becomes, in one step, a problem or a supervision order
that points back to it (decision_add)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.problems import services
from tuijin.problems.choices import (
    InspectionKind,
    MeetingKind,
    OrderBasis,
    OrderStatus,
    ProblemStatus,
    Source,
)
from tuijin.problems.models import Inspection, Meeting

from .. import factories as f
from .conftest import DESCRIPTION, kind, today


def meeting_data(**overrides) -> dict:
    data = {"kind": MeetingKind.REGULAR, "title": "第12次项目推进例会", "held_on": today() - timedelta(days=3),
            "location": "市政府3号会议室", "chair": None, "attendees": "市发改委、市自然资源和规划局", "minutes": "研究北城新区道路征地问题",
            "projects": []}
    data.update(overrides)
    return data


def inspection_data(**overrides) -> dict:
    data = {"kind": InspectionKind.SUPERVISION, "title": "11月重点项目督导", "held_on": today() - timedelta(days=2),
            "leader": None, "participants": "督查室", "findings": "现场有3户未搬迁", "projects": []}
    data.update(overrides)
    return data


@pytest.fixture
def meeting(people, project, contact_leader) -> Meeting:
    return services.gathering_save(people["dispatcher"], Meeting, meeting_data(chair=contact_leader, projects=[project]))


@pytest.fixture
def inspection(people, project) -> Inspection:
    return services.gathering_save(people["inspector"], Inspection, inspection_data(projects=[project]))


def decision(units, **overrides) -> dict:
    data = {"type": kind("征地拆迁/民事纠纷"), "description": DESCRIPTION, "handling_unit": units.land, "cooperating_units": [],
            "deadline": today() + timedelta(days=10), "unit": units.land, "content": "一周内完成3户搬迁",
            "reply_by": today() + timedelta(days=3)}
    data.update(overrides)
    return data


# ========================================================================================= recording


def test_the_office_records_a_meeting_in_its_own_region(people, project, city, contact_leader, meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.kind, meeting.title, meeting.held_on, meeting.chair, meeting.region, meeting.created_by, meeting.version) == (
        MeetingKind.REGULAR, "第12次项目推进例会", today() - timedelta(days=3), contact_leader, city.regions.city,
        people["dispatcher"], 1)
    assert list(meeting.projects.all()) == [project]
    assert list(meeting.history.values_list("history_user", "history_change_reason")) == [(people["dispatcher"].pk, "登记")]


def test_an_inspector_records_an_inspection(people, project, inspection):
    assert (inspection.kind, inspection.findings, inspection.created_by) == (InspectionKind.SUPERVISION, "现场有3户未搬迁", people["inspector"])
    assert list(inspection.projects.all()) == [project]


@pytest.mark.parametrize(("principal", "sees", "writes"), [
    ("admin", True, True), ("dispatcher", True, True), ("inspector", True, True),
    ("leader", True, False), ("handler", True, False),  # the city's region: they see it, may not record
    ("reporter_a", True, False),  # a 兰山区 clerk: through the project it took up
    ("reporter_b", False, False), ("dept_reporter", False, False),  # neither the region nor a project of theirs
    ("coordinator", False, False), ("outsider", False, False), ("anonymous", False, False),
])
def test_who_sees_and_who_writes_a_meeting_and_an_inspection(principal, sees, writes, people, meeting, inspection):
    """A city meeting and inspection that took up the 兰山区 project."""
    user = people[principal]
    assert (list(Meeting.objects.visible_to(user)), list(Inspection.objects.visible_to(user))) == (
        [meeting] * sees, [inspection] * sees)
    assert (list(Meeting.objects.editable_by(user)), list(Inspection.objects.editable_by(user))) == (
        [meeting] * writes, [inspection] * writes)


@pytest.mark.parametrize("principal", ["leader", "reporter_a", "handler", "dept_reporter", "outsider", "anonymous"])
def test_only_the_office_and_inspectors_record_meetings(principal, people, problem_state):
    before = problem_state()
    with pytest.raises(PermissionDenied):
        services.gathering_save(people[principal], Meeting, meeting_data())
    assert problem_state() == before


def test_a_bad_meeting_is_refused_with_its_messages(people, city, problem_state):
    elsewhere = f.ProjectFactory(name="外市项目", region=f.RegionFactory(code="371400", name="外市", parent=city.regions.province))
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.gathering_save(people["dispatcher"], Meeting, meeting_data(title=" ", held_on=None, minutes="字" * 4001,
                                                                            projects=[elsewhere]))
    assert exc.value.message_dict == {"title": ["请填写名称"], "held_on": ["请填写日期"], "minutes": ["不能超过4000个字（现有4001个）"],
                                      "projects": ["所选项目不存在或无权查看"]}
    with pytest.raises(ValidationError) as exc:
        services.gathering_save(people["dispatcher"], Meeting, meeting_data(held_on=date(1999, 12, 31)))
    assert exc.value.message_dict == {"held_on": ["日期应在2000年至2100年之间"]}
    assert problem_state() == before


def test_correcting_a_meeting_checks_its_version(people, meeting, problem_state):
    services.gathering_save(people["dispatcher"], Meeting, meeting_data(title="第12次例会（更正）"), instance=meeting, version=1)
    meeting.refresh_from_db()
    assert (meeting.title, meeting.version) == ("第12次例会（更正）", 2)
    assert meeting.history.order_by("-history_id").first().history_change_reason == "修改"
    before = problem_state()
    with pytest.raises(ConflictError) as conflict:
        services.gathering_save(people["inspector"], Meeting, meeting_data(title="又改"), instance=meeting, version=1)
    assert conflict.value.saved_by == "张调度"
    assert problem_state() == before


# ========================================================================================= decisions


def test_a_meetings_decision_becomes_a_problem_raised_on_the_meeting_day(people, project, units, meeting):
    problem = services.decision_add(people["dispatcher"], meeting, "problem", project, decision(units))
    problem.refresh_from_db()
    assert (problem.source, problem.meeting, problem.inspection, problem.raised_on) == (
        Source.MEETING, meeting, None, meeting.held_on)
    assert (problem.status, problem.handling_unit, problem.raised_by) == (ProblemStatus.PENDING, units.land, people["dispatcher"])
    assert list(meeting.problems.all()) == [problem]


def test_a_meetings_decision_becomes_an_order(people, project, units, meeting):
    order = services.decision_add(people["dispatcher"], meeting, "order", project, decision(units))
    assert (order.meeting, order.inspection, order.basis, order.status, order.unit) == (
        meeting, None, OrderBasis.PROJECT, OrderStatus.ISSUED, units.land)
    assert list(meeting.orders.all()) == [order]


def test_an_inspections_finding_becomes_a_problem_or_an_order(people, project, units, inspection):
    problem = services.decision_add(people["inspector"], inspection, "problem", project, decision(units))
    order = services.decision_add(people["inspector"], inspection, "order", project, decision(units))
    assert (problem.source, problem.inspection, problem.raised_on) == (Source.INSPECTION, inspection, inspection.held_on)
    assert order.inspection == inspection
    assert (list(inspection.problems.all()), list(inspection.orders.all())) == ([problem], [order])


def test_a_decision_from_a_meeting_dated_ahead_is_raised_today(people, project, units):
    ahead = services.gathering_save(people["dispatcher"], Meeting, meeting_data(held_on=today() + timedelta(days=2)))
    problem = services.decision_add(people["dispatcher"], ahead, "problem", project, decision(units))
    assert problem.raised_on == today()


def test_a_bad_decision_writes_nothing(people, project, units, meeting, problem_state):
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.decision_add(people["dispatcher"], meeting, "memo", project, decision(units))
    assert exc.value.messages == ["请选择转为问题还是督办单"]
    with pytest.raises(ValidationError) as exc:
        services.decision_add(people["dispatcher"], meeting, "problem", project, decision(units, description=""))
    assert exc.value.message_dict == {"description": ["请填写问题描述"]}
    with pytest.raises(ValidationError) as exc:
        services.decision_add(people["dispatcher"], meeting, "order", project, decision(units, content=""))
    assert exc.value.message_dict == {"content": ["请填写督办内容"]}
    assert problem_state() == before


@pytest.mark.parametrize(("principal", "error"), [("leader", PermissionDenied), ("reporter_a", PermissionDenied),
                                                  ("outsider", PermissionDenied)])
def test_only_the_office_and_inspectors_add_decisions(principal, error, people, project, units, meeting, problem_state):
    before = problem_state()
    with pytest.raises(error):
        services.decision_add(people[principal], meeting, "problem", project, decision(units))
    assert problem_state() == before


def test_a_decision_on_a_project_out_of_sight_is_not_found(people, city, units, problem_state):
    """A district inspector (only 罗庄区) recording a finding about a 兰山区 project."""
    district_inspector = f.member("luozhuang_inspector", "罗督查", units.luozhuang_government, "inspector")
    own = f.build_own_project(city)
    inspection = services.gathering_save(district_inspector, Inspection, inspection_data())
    before = problem_state()
    with pytest.raises(NotFound):
        services.decision_add(district_inspector, inspection, "problem", own, decision(units))
    with pytest.raises(NotFound):
        services.decision_add(district_inspector, inspection, "order", own, decision(units))
    assert problem_state() == before


def test_a_meeting_without_a_known_kind_is_refused(people, problem_state):
    before = problem_state()
    for bad in ("", "party"):
        with pytest.raises(ValidationError) as exc:
            services.gathering_save(people["dispatcher"], Meeting, meeting_data(kind=bad))
        assert exc.value.message_dict == {"kind": ["请选择类型"]}
    assert problem_state() == before


def test_a_joint_inspections_photo_of_another_districts_project_stays_with_that_district(
        people, project, other_project, inspection, client, settings, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    inspection.projects.add(other_project)
    image = BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, "PNG")
    photo = services.inspection_photo_add(people["inspector"], inspection, SimpleUploadedFile("p.png", image.getvalue()),
                                          project=other_project, caption="罗庄区现场")
    url = reverse("problems:inspection_photo", args=[photo.pk])
    client.force_login(people["reporter_a"])  # sees the inspection (its 兰山区 project), not 罗庄区's
    assert client.get(url).status_code == 404
    page = client.get(reverse("problems:inspection", args=[inspection.pk]))
    assert page.status_code == 200 and "罗庄区现场" not in page.content.decode()
    client.force_login(people["dispatcher"])
    assert client.get(url).status_code == 200
    assert "罗庄区现场" in client.get(reverse("problems:inspection", args=[inspection.pk])).content.decode()


@pytest.mark.parametrize("overrides", [{"content": ""}, {"kind": "order", "unit": ""}])
def test_a_refused_decision_stays_on_the_meeting_with_what_was_typed(overrides, client, people, project, units, meeting,
                                                                     problem_state):
    """Issue #13 §1: refused by the form or by the service, the meeting's page comes back with the decision typed."""
    from django.urls import reverse

    posted = {"kind": "problem", "project": project.pk, "content": "一周内完成3户搬迁", "unit": units.land.pk,
              "type": kind("征地拆迁/民事纠纷").pk, "deadline": str(today() + timedelta(days=10)), **overrides}
    before = problem_state()
    client.force_login(people["dispatcher"])
    response = client.post(reverse("problems:meeting_decide", args=[meeting.pk]), posted)
    assert response.status_code == 400
    assert response.context["meeting"].pk == meeting.pk
    form = response.context["decision_form"]
    assert form.data["content"] == posted["content"] and form.data["kind"] == posted["kind"]
    if posted["content"]:
        assert "一周内完成3户搬迁</textarea>" in response.content.decode()
    assert problem_state() == before
