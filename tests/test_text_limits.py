"""Free text has a length limit everywhere (issue #13 §6): 备注 2,000 characters, 建设内容及规模 4,000,
形象进度 / 问题 / 意见 2,000, 会议纪要 and 督查情况 4,000 — refused in forms, services and imports with
a Chinese message, and nothing written."""


import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from tuijin.core.fields import LONG_TEXT_MAX, TEXT_MAX, LimitedTextField
from tuijin.projects import services as project_services
from tuijin.projects.models import AnnualPlan, Project

from . import factories as f

pytestmark = pytest.mark.django_db

TOO_LONG = "长" * (TEXT_MAX + 1)


def test_every_free_text_field_users_fill_has_a_limit():
    """A TextField a user fills (editable) is a LimitedTextField; only derived text (search_text) is not."""
    unlimited = [
        f"{model._meta.label}.{field.name}"
        for config in apps.get_app_configs() if config.name.startswith("tuijin.")
        for model in config.get_models() if not model._meta.label.split(".")[1].startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and field.editable and not isinstance(field, LimitedTextField)
    ]
    assert unlimited == []
    limits = {(m, n): apps.get_model(m)._meta.get_field(n).max_length for m, n in [
        ("projects.Project", "remarks"), ("projects.Project", "scale"), ("reports.ProgressReport", "progress"),
        ("problems.Meeting", "minutes"), ("problems.Inspection", "findings"), ("problems.Problem", "description")]}
    assert limits == {("projects.Project", "remarks"): 2000, ("projects.Project", "scale"): 4000,
                      ("reports.ProgressReport", "progress"): 2000, ("problems.Meeting", "minutes"): 4000,
                      ("problems.Inspection", "findings"): 4000, ("problems.Problem", "description"): 2000}


def test_the_project_form_refuses_20000_character_remarks(client, users, own_project, db_state):
    client.force_login(users["dispatcher"])
    before = db_state()
    data = f.project_form_data(own_project, remarks="备" * 20000)
    response = client.post(reverse("projects:edit", args=[own_project.pk]), data)
    assert response.status_code == 200
    assert "2000" in str(response.context["form"].errors["remarks"])
    assert "不超过 2000 字符" in response.content.decode()
    assert db_state() == before


def test_the_project_services_refuse_long_text_without_a_form(users, own_project, db_state):
    before = db_state()
    project = Project.objects.get(pk=own_project.pk)
    project.remarks = TOO_LONG
    project.scale = "规" * (LONG_TEXT_MAX + 1)
    with pytest.raises(ValidationError) as caught:
        project_services.project_update(users["dispatcher"], project, version=project.version)
    errors = caught.value.message_dict
    assert errors["remarks"] == [f"不能超过{TEXT_MAX}个字（现有{TEXT_MAX + 1}个）"]
    assert errors["scale"] == [f"不能超过{LONG_TEXT_MAX}个字（现有{LONG_TEXT_MAX + 1}个）"]
    assert db_state() == before


def test_scale_up_to_4000_characters_is_kept(users, own_project):
    project = Project.objects.get(pk=own_project.pk)
    project.scale = "规" * LONG_TEXT_MAX
    project_services.project_update(users["dispatcher"], project, version=project.version)
    assert len(Project.objects.get(pk=own_project.pk).scale) == LONG_TEXT_MAX


def test_the_annual_plan_refuses_a_long_goal(users, own_project, db_state):
    before = db_state()
    plan = AnnualPlan.objects.filter(project=own_project).first()
    plan.progress_goal = TOO_LONG
    with pytest.raises(ValidationError) as caught:
        project_services.annual_plan_save(users["dispatcher"], plan, version=plan.version)
    assert caught.value.message_dict["progress_goal"] == [f"不能超过{TEXT_MAX}个字（现有{TEXT_MAX + 1}个）"]
    assert db_state() == before


def test_the_ledger_import_refuses_long_remarks_and_writes_nothing(city, db_state):
    from tuijin.ledgerio.services import import_ledger

    from .ledgerio import fixtures as fx

    rows = fx.ledger_rows(2)
    header_row = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
    rows[header_row] = [*rows[header_row], "备注"]
    for row in rows[header_row + 1:]:
        row.append("")
    rows[-1][-1] = "备" * 20000
    before = db_state()
    analysis, result = import_ledger(fx.xlsx_bytes(rows), "台账.xlsx", user=city.users["dispatcher"])
    assert result is None
    messages = [str(e) for e in analysis.all_errors]
    assert any(f"不能超过{TEXT_MAX}个字（现有20000个）" in m for m in messages), messages
    assert db_state() == before


def test_meeting_minutes_over_4000_characters_are_refused(on_day, users, own_project, db_state):
    from tuijin.problems import services as problem_services
    from tuijin.problems.models import Meeting

    before = db_state()
    data = {"kind": "topic", "title": "长纪要的会", "held_on": on_day, "location": "", "chair": None,
            "attendees": "", "minutes": "纪" * (LONG_TEXT_MAX + 1), "projects": [own_project]}
    with pytest.raises(ValidationError) as caught:
        problem_services.gathering_save(users["dispatcher"], Meeting, data)
    assert caught.value.message_dict["minutes"] == [f"不能超过{LONG_TEXT_MAX}个字（现有{LONG_TEXT_MAX + 1}个）"]
    assert not Meeting.objects.filter(title="长纪要的会").exists()
    assert db_state() == before


def test_the_report_form_limits_its_textareas(client, users, own_project):
    from tuijin.reports.forms import ReportForm

    form = ReportForm()
    assert form.fields["progress"].max_length == TEXT_MAX
    assert form.fields["progress"].widget.attrs["maxlength"] == str(TEXT_MAX)
