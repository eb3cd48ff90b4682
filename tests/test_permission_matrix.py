"""Every URL x every principal x own/other district's project x GET/POST gives the expected answer.

Read the table as the access rules of the ledger (RELIABILITY.md §4 AC-MATRIX):
  login   302 to /login/?next=…                  (anonymous)
  →/      302 to /  · →list 302 to /projects/ · →login 302 to /login/
  ok      200, nothing written                   (a page, or a POST the page treats like a GET)
  form    200 with the form shown again, nothing written (e.g. a region outside the user's scope)
  saved   302 and the write happened
  403     role not allowed, nothing written
  404     project outside the user's scope (never 403: it must not reveal that the project exists)
  405     method not allowed, nothing written

"own" is the 兰山区 project (reporter_a's district), "other" the 罗庄区 project (reporter_b's).
For projects:create the object column is the region posted in the form. For the schedules' node and
approval URLs it is the project whose first node (a template applied) or required approval is used;
alerts:rule edits a warning rule, which belongs to no project ("-"): only admin and dispatcher may.

Read-only roles (leader, handler, inspector) get 403 on the edit pages of projects they can see: the
project is looked up in the user's visible scope first (404 outside it), then the edit right is checked.
Archive also answers 403 to a reporter, who may edit the project but not archive it. Read-only pages
accept only GET/HEAD (405 otherwise).
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.selectors import current_year

from . import factories as f
from .conftest import PRINCIPALS

#  url name            method object   anonymous admin  dispatcher leader reporter_a reporter_b handler inspector dept_reporter outsider
MATRIX = """
home                   GET    -        →list     →list  →list      →list  →list      →list      →list   →list     →list         →list
home                   POST   -        →list     →list  →list      →list  →list      →list      →list   →list     →list         →list
login                  GET    -        ok        →/     →/         →/     →/         →/         →/      →/        →/            →/
login                  POST   -        form      →/     →/         →/     →/         →/         →/      →/        →/            →/
logout                 GET    -        405       405    405        405    405        405        405     405       405           405
logout                 POST   -        →login    →login →login     →login →login     →login     →login  →login    →login        →login
projects:list          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
projects:list          POST   -        login     405    405        405    405        405        405     405       405           405
projects:create        GET    -        login     ok     ok         403    ok         ok         403     403       403           403
projects:create        POST   own      login     saved  saved      403    saved      form       403     403       403           403
projects:create        POST   other    login     saved  saved      403    form       saved      403     403       403           403
projects:detail        GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
projects:detail        GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
projects:detail        POST   own      login     405    405        405    405        405        405     405       405           405
projects:detail        POST   other    login     405    405        405    405        405        405     405       405           405
projects:plans         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
projects:plans         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
projects:plans         POST   own      login     405    405        405    405        405        405     405       405           405
projects:plans         POST   other    login     405    405        405    405        405        405     405       405           405
projects:history       GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
projects:history       GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
projects:history       POST   own      login     405    405        405    405        405        405     405       405           405
projects:history       POST   other    login     405    405        405    405        405        405     405       405           405
projects:edit          GET    own      login     ok     ok         403    ok         404        403     403       404           404
projects:edit          GET    other    login     ok     ok         403    404        ok         403     403       404           404
projects:edit          POST   own      login     saved  saved      403    saved      404        403     403       404           404
projects:edit          POST   other    login     saved  saved      403    404        saved      403     403       404           404
projects:archive       GET    own      login     405    405        405    405        405        405     405       405           405
projects:archive       GET    other    login     405    405        405    405        405        405     405       405           405
projects:archive       POST   own      login     saved  saved      403    403        404        403     403       404           404
projects:archive       POST   other    login     saved  saved      403    404        403        403     403       404           404
projects:plan_create   GET    own      login     ok     ok         403    ok         404        403     403       404           404
projects:plan_create   GET    other    login     ok     ok         403    404        ok         403     403       404           404
projects:plan_create   POST   own      login     saved  saved      403    saved      404        403     403       404           404
projects:plan_create   POST   other    login     saved  saved      403    404        saved      403     403       404           404
projects:plan_edit     GET    own      login     ok     ok         403    ok         404        403     403       404           404
projects:plan_edit     GET    other    login     ok     ok         403    404        ok         403     403       404           404
projects:plan_edit     POST   own      login     saved  saved      403    saved      404        403     403       404           404
projects:plan_edit     POST   other    login     saved  saved      403    404        saved      403     403       404           404
ledgerio:export_xlsx   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
ledgerio:export_xlsx   POST   -        login     405    405        405    405        405        405     405       405           405
ledgerio:export_csv    GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
ledgerio:export_csv    POST   -        login     405    405        405    405        405        405     405       405           405
ledgerio:upload        GET    -        login     ok     ok         403    ok         ok         403     403       ok            403
ledgerio:upload        POST   -        login     ok     ok         403    ok         ok         403     403       ok            403
ledgerio:preview       GET    own      login     ok     ok         403    ok         ok         403     403       ok            403
ledgerio:preview       GET    other    login     404    404        403    404        404        403     403       404           403
ledgerio:preview       POST   own      login     400    400        403    400        400        403     403       400           403
ledgerio:preview       POST   other    login     404    404        403    404        404        403     403       404           403
ledgerio:confirm       GET    own      login     405    405        405    405        405        405     405       405           405
ledgerio:confirm       POST   own      login     saved  saved      403    saved      saved      403     403       302           403
ledgerio:confirm       POST   other    login     404    404        403    404        404        403     403       404           403
ledgerio:discard       GET    own      login     405    405        405    405        405        405     405       405           405
ledgerio:discard       POST   own      login     302    302        403    302        302        403     403       302           403
ledgerio:discard       POST   other    login     404    404        403    404        404        403     403       404           403
ledgerio:result        GET    own      login     302    302        403    302        302        403     403       302           403
ledgerio:result        GET    other    login     404    404        403    404        404        403     403       404           403
ledgerio:result        POST   own      login     405    405        405    405        405        405     405       405           405
notifications          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
notifications          POST   -        login     405    405        405    405        405        405     405       405           405
notifications_read     GET    -        login     405    405        405    405        405        405     405       405           405
notifications_read     POST   -        login     302    302        302    302        302        302     302       302           302
notification_open      GET    -        login     404    404        404    302        404        404     404       404           404
notification_open      POST   -        login     405    405        405    405        405        405     405       405           405
reports:inbox          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
reports:inbox          POST   -        login     405    405        405    405        405        405     405       405           405
reports:period_open    GET    -        login     ok     ok         403    403        403        403     403       403           403
reports:period_open    POST   -        login     saved  saved      403    403        403        403     403       403           403
reports:period         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
reports:period         POST   -        login     405    405        405    405        405        405     405       405           405
reports:period_close   GET    -        login     405    405        405    405        405        405     405       405           405
reports:period_close   POST   -        login     saved  saved      403    403        403        403     403       403           403
reports:period_remind  GET    -        login     405    405        405    405        405        405     405       405           405
reports:period_remind  POST   -        login     saved  saved      403    403        403        403     403       403           403
reports:grid           GET    -        login     ok     ok         403    ok         ok         403     403       ok            403
reports:grid           POST   own      login     saved  saved      403    saved      404        403     403       404           403
reports:grid           POST   other    login     saved  saved      403    404        saved      403     403       404           403
reports:review         GET    -        login     ok     ok         403    403        403        403     403       403           403
reports:review         POST   own      login     saved  saved      403    403        403        403     403       403           403
reports:report         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
reports:report         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
reports:report         POST   own      login     saved  saved      403    saved      404        403     403       404           404
reports:report         POST   other    login     saved  saved      403    404        saved      403     403       404           404
reports:report_review  GET    own      login     405    405        405    405        405        405     405       405           405
reports:report_review  POST   own      login     saved  saved      403    403        404        403     403       404           404
reports:report_review  POST   other    login     saved  saved      403    404        403        403     403       404           404
reports:photo_upload   GET    own      login     405    405        405    405        405        405     405       405           405
reports:photo_upload   POST   own      login     saved  saved      403    saved      404        403     403       404           404
reports:photo_upload   POST   other    login     saved  saved      403    404        saved      403     403       404           404
reports:photo          GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
reports:photo          GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
reports:photo          POST   own      login     405    405        405    405        405        405     405       405           405
reports:photo_delete   GET    own      login     405    405        405    405        405        405     405       405           405
reports:photo_delete   POST   own      login     saved  saved      403    saved      404        403     403       404           404
reports:photo_delete   POST   other    login     saved  saved      403    404        saved      403     403       404           404
reports:import         GET    -        login     ok     ok         403    ok         ok         403     403       ok            403
reports:import         POST   own      login     saved  saved      403    saved      400        403     403       400           403
reports:import         POST   other    login     saved  saved      403    400        saved      403     403       400           403
reports:period_projects GET   -        login     405    405        405    405        405        405     405       405           405
reports:period_projects POST  own      login     saved  saved      403    403        403        403     403       403           403
reports:project        GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
reports:project        GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
reports:project        POST   own      login     405    405        405    405        405        405     405       405           405
schedules:project      GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
schedules:project      GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
schedules:project      POST   own      login     405    405        405    405        405        405     405       405           405
schedules:project      POST   other    login     405    405        405    405        405        405     405       405           405
schedules:approvals    GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
schedules:approvals    GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
schedules:approvals    POST   own      login     405    405        405    405        405        405     405       405           405
schedules:approvals    POST   other    login     405    405        405    405        405        405     405       405           405
schedules:apply        GET    own      login     405    405        405    405        405        405     405       405           405
schedules:apply        GET    other    login     405    405        405    405        405        405     405       405           405
schedules:apply        POST   own      login     saved  saved      403    saved      404        403     403       404           404
schedules:apply        POST   other    login     saved  saved      403    404        saved      403     403       404           404
schedules:milestone_add GET own        login     405    405        405    405        405        405     405       405           405
schedules:milestone_add GET other      login     405    405        405    405        405        405     405       405           405
schedules:milestone_add POST own       login     saved  saved      403    saved      404        403     403       404           404
schedules:milestone_add POST other     login     saved  saved      403    404        saved      403     403       404           404
schedules:approvals_init GET own       login     405    405        405    405        405        405     405       405           405
schedules:approvals_init GET other     login     405    405        405    405        405        405     405       405           405
schedules:approvals_init POST own      login     saved  saved      403    saved      404        403     403       404           404
schedules:approvals_init POST other    login     saved  saved      403    404        saved      403     403       404           404
schedules:milestone_edit GET own       login     405    405        405    405        405        405     405       405           405
schedules:milestone_edit GET other     login     405    405        405    405        405        405     405       405           405
schedules:milestone_edit POST own      login     saved  saved      403    saved      404        403     403       404           404
schedules:milestone_edit POST other    login     saved  saved      403    404        saved      403     403       404           404
schedules:milestone_delete GET own     login     405    405        405    405        405        405     405       405           405
schedules:milestone_delete GET other   login     405    405        405    405        405        405     405       405           405
schedules:milestone_delete POST own    login     saved  saved      403    saved      404        403     403       404           404
schedules:milestone_delete POST other  login     saved  saved      403    404        saved      403     403       404           404
schedules:milestone_evidence GET own   login     405    405        405    405        405        405     405       405           405
schedules:milestone_evidence GET other login     405    405        405    405        405        405     405       405           405
schedules:milestone_evidence POST own  login     saved  saved      403    saved      404        403     403       404           404
schedules:milestone_evidence POST other login     saved  saved      403    404        saved      403     403       404           404
schedules:approval_edit GET own        login     405    405        405    405        405        405     405       405           405
schedules:approval_edit GET other      login     405    405        405    405        405        405     405       405           405
schedules:approval_edit POST own       login     saved  saved      403    saved      404        403     403       404           404
schedules:approval_edit POST other     login     saved  saved      403    404        saved      403     403       404           404
schedules:baseline     GET    own      login     405    405        405    405        405        405     405       405           405
schedules:baseline     GET    other    login     405    405        405    405        405        405     405       405           405
schedules:baseline     POST   own      login     saved  saved      403    403        404        403     403       404           404
schedules:baseline     POST   other    login     saved  saved      403    404        403        403     403       404           404
schedules:milestone_photo GET own      login     ok     ok         ok     ok         404        ok      ok        404           404
schedules:milestone_photo GET other    login     ok     ok         ok     404        ok         ok      ok        404           404
schedules:milestone_photo POST own     login     405    405        405    405        405        405     405       405           405
schedules:milestone_photo POST other   login     405    405        405    405        405        405     405       405           405
schedules:gantt        GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
schedules:gantt        POST   -        login     405    405        405    405        405        405     405       405           405
schedules:gantt_data   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
schedules:gantt_data   POST   -        login     405    405        405    405        405        405     405       405           405
alerts:list            GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
alerts:list            POST   -        login     405    405        405    405        405        405     405       405           405
alerts:refresh         GET    -        login     405    405        405    405        405        405     405       405           405
alerts:refresh         POST   -        login     saved  saved      403    403        403        403     403       403           403
alerts:rules           GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok
alerts:rules           POST   -        login     405    405        405    405        405        405     405       405           405
alerts:preset          GET    -        login     405    405        405    405        405        405     405       405           405
alerts:preset          POST   -        login     saved  saved      403    403        403        403     403       403           403
alerts:rule            GET    -        login     ok     ok         403    403        403        403     403       403           403
alerts:rule            POST   -        login     saved  saved      403    403        403        403     403       403           403
alerts:project         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404
alerts:project         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404
alerts:project         POST   own      login     405    405        405    405        405        405     405       405           405
alerts:project         POST   other    login     405    405        405    405        405        405     405       405           405
"""

EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_PREFIXES = ("admin/", "i18n/", "static/", "media/")


def parse_matrix() -> list[tuple[str, str, str, str, str]]:
    cases = []
    for line in MATRIX.strip().splitlines():
        name, method, obj, *expected = line.split()
        assert len(expected) == len(PRINCIPALS), f"row {name} {method} {obj} has {len(expected)} columns"
        for principal, outcome in zip(PRINCIPALS, expected, strict=True):
            cases.append((name, method, obj, principal, outcome))
    return cases


CASES = parse_matrix()


def project_url_names(resolver=None, prefix: str = "", namespace: str = "") -> set[str]:
    """Names of every URL pattern the project itself defines (not admin, i18n or static files)."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= project_url_names(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {route!r} has no name, so the matrix cannot cover it"
            names.add(namespace + pattern.name)
    return names


def test_every_url_pattern_has_a_matrix_row_for_get_and_post():
    covered = {(name, method) for name, method, *_ in CASES}
    missing = sorted(
        f"{name} {method}" for name in project_url_names() for method in ("GET", "POST")
        if (name, method) not in covered
    )
    assert not missing, f"URLs without a permission-matrix row: {missing}"


def test_the_matrix_has_no_rows_for_urls_that_no_longer_exist():
    assert {name for name, *_ in CASES} <= project_url_names()


def test_the_url_walk_finds_the_ledger_pages_and_skips_admin():
    names = project_url_names()
    assert {"projects:list", "projects:edit", "login", "logout"} <= names
    assert not any(name.startswith("admin:") for name in names)
    assert "set_language" not in names


# --------------------------------------------------------------------------------------- cases


IMPORT_BATCH_URLS = {"ledgerio:preview", "ledgerio:confirm", "ledgerio:discard", "ledgerio:result"}
IMPORT_FILE = "序号,项目名称,项目类别,建设性质,项目阶段,总投资（万元）\r\n1,矩阵导入项目,道路桥梁,新建,在建,100\r\n"


def import_batch(obj: str, principal: str, city):
    """"own": a batch of the requesting user (a stored one-row file whose region is the user's own);
    "other": reporter_b's batch (reporter_a's when reporter_b asks). Anonymous gets reporter_a's."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuijin.ledgerio import services
    from tuijin.ledgerio.models import ImportBatch

    owner = city.users.get(principal) if obj == "own" else None
    if owner is None:
        owner = city.users["reporter_a" if principal == "reporter_b" else "reporter_b"]
    if not services.can_import(owner):
        return ImportBatch.objects.create(user=owner, filename="台账.csv", stored_name="missing.csv")
    return services.batch_start(owner, SimpleUploadedFile("台账.csv", IMPORT_FILE.encode()))


def drop_stored_file(batch) -> None:
    from tuijin.ledgerio import services

    services.batch_path(batch).unlink(missing_ok=True)


PERIOD_URLS = {"reports:period", "reports:period_close", "reports:period_remind", "reports:grid", "reports:review",
               "reports:import", "reports:period_projects"}
REPORT_URLS = {"reports:report", "reports:report_review", "reports:photo_upload"}
PHOTO_URLS = {"reports:photo", "reports:photo_delete"}
# Report URLs whose case needs the report handed in first (the review answers only submitted ones).
SUBMITTED_FIRST = {"reports:review", "reports:report_review"}


# Schedule URLs that take a node or a checklist item of the project (the others take the project).
MILESTONE_URLS = {"schedules:milestone_edit", "schedules:milestone_delete", "schedules:milestone_evidence",
                  "schedules:milestone_photo"}
APPROVAL_URLS = {"schedules:approval_edit"}
# URLs whose case needs the project's nodes first (a template applied, dated backwards from a year ahead).
MILESTONES_FIRST = MILESTONE_URLS | {"schedules:baseline"}
MATRIX_RULE = {"preset": "standard", "dimension": "milestone_overdue"}  # the rule alerts:rule edits
WUHAN_RULE = "投资完成低于时序进度（武汉）"
NO_OBJECT_URLS = {"schedules:gantt", "schedules:gantt_data", "alerts:list", "alerts:refresh", "alerts:rules",
                  "alerts:preset"}


def milestone_of(project):
    from tuijin.schedules.models import Milestone

    return Milestone.objects.filter(project=project).order_by("sort", "id").first()


def approval_of(project):
    from tuijin.schedules.models import Approval

    return Approval.objects.filter(project=project, required=True).order_by("type__sort", "type_id").first()


def matrix_rule():
    from tuijin.alerts.models import AlertRule

    return AlertRule.objects.get(**MATRIX_RULE)


def url_for(name: str, project, world=None) -> str:
    if name in MILESTONE_URLS:
        return reverse(name, args=[milestone_of(project).pk])
    if name in APPROVAL_URLS:
        return reverse(name, args=[approval_of(project).pk])
    if name == "alerts:rule":
        return reverse(name, args=[matrix_rule().pk])
    if name in NO_OBJECT_URLS:
        return reverse(name)
    if name == "notification_open":
        from tuijin.core.models import Notification

        return reverse(name, args=[Notification.objects.get(text="矩阵消息").pk])
    if name in PERIOD_URLS:
        return reverse(name, args=[world.period.pk])
    if name in REPORT_URLS:
        return reverse(name, args=[report_of(world, project).pk])
    if name in PHOTO_URLS:
        return reverse(name, args=[report_of(world, project).photos.get().pk])
    if name in IMPORT_BATCH_URLS:
        return reverse(name, args=[project.token])  # `project` is the ImportBatch here
    if name == "projects:plan_edit":
        return reverse(name, args=[project.pk, current_year()])
    if name in {"home", "login", "logout", "projects:list", "projects:create", "ledgerio:export_xlsx",
                "ledgerio:export_csv", "ledgerio:upload", "notifications", "notifications_read", "reports:inbox",
                "reports:period_open"}:
        return reverse(name)
    return reverse(name, args=[project.pk])


def report_of(world, project):
    from tuijin.reports.models import ProgressReport

    return ProgressReport.objects.get(period=world.period, project=project)


def prepare(name: str, project, world) -> None:
    """Set the scene a case needs before the "nothing written" snapshot is taken."""
    if name == "notification_open":
        from tuijin.core.notify import notify

        notify([world.city.users["reporter_a"]], "矩阵消息", "/reports/")
    if name in PHOTO_URLS and project is not None:
        from tuijin.reports import services as report_services

        report_services.photo_add(None, report_of(world, project), png_upload())
    if name in SUBMITTED_FIRST and project is not None:
        from tuijin.reports import services as report_services

        report = report_of(world, project)
        report_services.reports_save(None, world.period, [
            {"id": report.pk, "version": report.version, "amount": "12.50", "progress": "主体施工"}], submit=True)
    if name in MILESTONES_FIRST and project is not None:
        from tuijin.schedules import services as schedule_services
        from tuijin.schedules.models import MilestoneTemplate

        template = MilestoneTemplate.objects.get(kind="building")
        schedule_services.apply_template(None, project, template, date.today() + timedelta(days=365))
    if name == "schedules:milestone_photo" and project is not None:
        from tuijin.schedules import services as schedule_services

        schedule_services.milestone_evidence(None, milestone_of(project), png_upload())
    if name in APPROVAL_URLS and project is not None:
        from tuijin.schedules import services as schedule_services

        schedule_services.approvals_init(None, project)


def png_upload():
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def payload(name: str, obj: str, project: Project | None, regions, world=None) -> dict:
    form = schedule_payload(name, project)
    if form is not None:
        return form
    if name == "reports:photo_upload":
        return {"photos": png_upload(), "caption": "矩阵照片"}
    if name == "reports:import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        sheet = f"项目名称,本月完成投资（万元）,形象进度\r\n{project.name},66.60,矩阵导入\r\n"
        return {"file": SimpleUploadedFile("月报.csv", sheet.encode()), "action": "import"}
    if name == "reports:period_open":
        return {"year": current_year() + 1, "month": 1, "cadence": "month", "seq": 1, "stages": ["construction"]}
    if name == "reports:period_close":
        return {"version": world.period.version}
    if name == "reports:period_remind":
        return {"unit": ""}
    if name == "reports:period_projects":
        return {"remove": report_of(world, project).pk}
    if name == "reports:grid":
        report = report_of(world, project)
        return {"action": "save", "row": [report.pk], f"r{report.pk}-version": report.version,
                f"r{report.pk}-amount": "88.80", f"r{report.pk}-progress": "矩阵填报"}
    if name == "reports:report":
        report = report_of(world, project)
        return {"action": "save", "version": report.version, "amount": "88.80", "progress": "矩阵填报"}
    if name == "reports:review":
        report = report_of(world, project)
        return {"pick": [report.pk], f"v{report.pk}": report.version}
    if name == "reports:report_review":
        report = report_of(world, project)
        return {"decision": "approve", "version": report.version, "comment": ""}
    if name == "projects:create":
        region = regions.lanshan if obj == "own" else regions.luozhuang
        return f.project_form_data(f.ProjectFactory.build(name="矩阵新建项目", region=region))
    if name == "projects:edit":
        return f.project_form_data(project, name=project.name + "（已修改）", total_investment="40000.00")
    if name == "projects:archive":
        return {"version": project.version, "reason": "项目取消"}
    if name == "projects:plan_create":
        return f.plan_form_data(year=current_year() + 1, planned_investment="10.00")
    if name == "projects:plan_edit":
        plan = AnnualPlan.objects.get(project=project, year=current_year())
        return f.plan_form_data(plan, planned_investment="10.00")
    return {}


def schedule_payload(name: str, project: Project | None) -> dict | None:
    """The form a schedule or warning page posts (None: not one of theirs)."""
    target = date.today() + timedelta(days=200)
    if name == "schedules:apply":
        from tuijin.schedules.models import MilestoneTemplate

        return {"template": MilestoneTemplate.objects.get(kind="building").pk, "target_date": target.isoformat()}
    if name == "schedules:milestone_add":
        return {"name": "矩阵新增节点", "planned_date": target.isoformat(), "responsible": "张三", "note": ""}
    if name == "schedules:milestone_edit":
        milestone = milestone_of(project)
        return {"version": milestone.version, "name": "矩阵修改节点", "planned_date": target.isoformat(),
                "responsible": "李四", "note": "矩阵"}
    if name == "schedules:milestone_delete":
        return {"version": milestone_of(project).version}
    if name == "schedules:milestone_evidence":
        return {"photo": png_upload()}
    if name == "schedules:baseline":
        return {"reason": ""}
    if name == "schedules:approval_edit":
        approval = approval_of(project)
        return {"version": approval.version, "required": "on", "status": "in_progress", "target_date": target.isoformat(),
                "document_no": "矩阵〔2025〕1号", "approving_unit": "市发展和改革委员会", "responsible": "王五", "note": ""}
    if name == "alerts:preset":
        return {"preset": "wuhan"}
    if name == "alerts:rule":
        rule = matrix_rule()
        return {"version": rule.version, "name": rule.name, "method": rule.method, "yellow": "5.0", "red": str(rule.red),
                "is_active": "on", "note": rule.note}
    return None


def assert_schedule_saved(name: str, project: Project | None, user) -> bool:
    """Check the write of a schedule or warning case; False when `name` is none of theirs."""
    from tuijin.alerts.models import AlertRule, AlertRun
    from tuijin.schedules.models import Approval, Baseline, Milestone, Schedule

    if name == "schedules:apply":
        assert Milestone.objects.filter(project=project).count() >= 3
        assert Schedule.objects.get(project=project).template.kind == "building"
    elif name == "schedules:milestone_add":
        assert Milestone.objects.get(project=project, name="矩阵新增节点").responsible == "张三"
    elif name == "schedules:milestone_edit":
        milestone = milestone_of(project)
        assert (milestone.name, milestone.responsible, milestone.version) == ("矩阵修改节点", "李四", 2)
    elif name == "schedules:milestone_delete":
        assert Milestone.objects.filter(project=project).count() == len(template_steps()) - 1
    elif name == "schedules:milestone_evidence":
        milestone = milestone_of(project)
        assert milestone.evidence and milestone.evidence_type == "image/png"
    elif name == "schedules:baseline":
        assert Baseline.objects.filter(project=project, number=1).exists()
        assert Schedule.objects.get(project=project).baseline_number == 1
        assert all(m.baseline_date == m.planned_date for m in Milestone.objects.filter(project=project))
    elif name == "schedules:approvals_init":
        assert Approval.objects.filter(project=project).exists()
    elif name == "schedules:approval_edit":
        approval = approval_of(project)
        assert (approval.status, approval.document_no, approval.version) == ("in_progress", "矩阵〔2025〕1号", 2)
    elif name == "alerts:refresh":
        assert AlertRun.objects.filter(triggered_by=user, finished_at__isnull=False).exists()
    elif name == "alerts:preset":
        assert AlertRule.objects.get(name=WUHAN_RULE).is_active
    elif name == "alerts:rule":
        rule = matrix_rule()
        assert (str(rule.yellow), rule.version) == ("5.0", 2)
    else:
        return False
    return True


def template_steps():
    from tuijin.schedules.models import MilestoneTemplate

    return list(MilestoneTemplate.objects.get(kind="building").steps.all())


def assert_saved(name: str, project: Project | None, before_count: int, world=None, user=None):
    from tuijin.reports.models import Reminder, ReportPeriod

    if assert_schedule_saved(name, project, user):
        return
    if name == "reports:period_open":
        period = ReportPeriod.objects.get(year=current_year() + 1, month=1)
        assert period.status == "open"
        return
    if name == "reports:period_close":
        assert ReportPeriod.objects.get(pk=world.period.pk).status == "closed"
        return
    if name == "reports:period_remind":
        assert Reminder.objects.filter(period=world.period).exists()
        return
    if name == "reports:period_projects":
        assert not world.period.reports.filter(project=project).exists()
        return
    if name in {"reports:grid", "reports:report"}:
        report = report_of(world, project)
        assert (report.state, str(report.amount), report.progress) == ("draft", "88.80", "矩阵填报")
        return
    if name in {"reports:review", "reports:report_review"}:
        assert report_of(world, project).state == "approved"
        return
    if name == "reports:photo_upload":
        assert report_of(world, project).photos.get().caption == "矩阵照片"
        return
    if name == "reports:import":
        report = report_of(world, project)
        assert (report.state, str(report.amount), report.progress) == ("draft", "66.60", "矩阵导入")
        return
    if name == "reports:photo_delete":
        assert not report_of(world, project).photos.exists()
        return
    if name == "projects:create":
        assert Project.objects.count() == before_count + 1
        assert Project.objects.filter(name="矩阵新建项目").exists()
        return
    if name == "ledgerio:confirm":
        assert Project.objects.count() == before_count + 1
        assert Project.objects.filter(name="矩阵导入项目").exists()
        return
    fresh = Project.objects.get(pk=project.pk)
    if name == "projects:edit":
        assert fresh.name.endswith("（已修改）")
        assert fresh.version == project.version + 1
    elif name == "projects:archive":
        assert fresh.is_archived
        assert fresh.archive_reason == "项目取消"
    elif name == "projects:plan_create":
        assert AnnualPlan.objects.filter(project=project, year=current_year() + 1).exists()
    elif name == "projects:plan_edit":
        plan = AnnualPlan.objects.get(project=project, year=current_year())
        assert str(plan.planned_investment) == "10.00"
        assert plan.version == 2


@pytest.fixture
def db_state(db_state):
    """conftest's snapshot plus every row of the schedule and warning apps (their history included),
    so a refused schedule or warning case is seen to write nothing too."""
    from django.apps import apps

    models = [model for label in ("schedules", "alerts") for model in apps.get_app_config(label).get_models()]
    models += [model.levels.through for model in models if model._meta.label == "alerts.AlertRule"]
    models += [model.categories.through for model in models if model._meta.label == "alerts.AlertRule"]

    def rows(model) -> list[tuple]:
        fields = [field.attname for field in model._meta.concrete_fields if field.attname != "updated_at"]
        return list(model.objects.order_by("pk").values_list(*fields))

    def snapshot():
        return db_state(), {model._meta.label: rows(model) for model in models}

    return snapshot


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The city and both projects, built once for the ~400 cases below.

    Built inside an outer transaction that is rolled back after the module; each case runs in its
    own savepoint (pytest-django's `db`), so a case that saves cannot leak into the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        city = f.build_city()
        own, other = f.build_own_project(city), f.build_other_project(city)
        from tuijin.reports import services as report_services

        today = date.today()
        period = report_services.period_open(None, year=current_year(), month=today.month, project_ids=[own.pk, other.pk])
        yield SimpleNamespace(city=city, own=own, other=other, period=period)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "obj", "principal", "outcome"),
    CASES,
    ids=[f"{n}-{m}-{o}-{p}" for n, m, o, p, _ in CASES],
)
def test_each_principal_gets_the_expected_answer_from_each_url(client, world, db_state, name, method, obj, principal, outcome):
    project = {"own": world.own, "other": world.other}.get(obj)
    regions, user = world.city.regions, world.city.users[principal]
    if name in IMPORT_BATCH_URLS:
        project = import_batch(obj, principal, world.city)
    if user is not None:
        client.force_login(user)
    prepare(name, project, world)
    url = url_for(name, project, world)
    before = db_state()
    before_count = Project.objects.count()

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, payload(name, obj, project, regions, world))
    if name in IMPORT_BATCH_URLS:
        drop_stored_file(project)

    redirects = {"login": None, "→/": "/", "→list": reverse("projects:list"), "→login": reverse("login")}
    if outcome in redirects:
        assert response.status_code == 302, response.content.decode()[:500]
        location = response["Location"]
        if outcome == "login":
            assert location.startswith(reverse("login") + "?next=")
        else:
            assert location == redirects[outcome]
        assert db_state() == before
    elif outcome in {"ok", "form"}:
        assert response.status_code == 200
        assert db_state() == before
        if name == "schedules:milestone_photo":
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        if outcome == "form":
            assert "选择一个有效的选项" in response.content.decode() or "这个字段是必填项" in response.content.decode()
    elif outcome == "saved":
        assert response.status_code == 302, _errors(response)
        assert_saved(name, project, before_count, world, user)
    else:
        assert response.status_code == int(outcome)
        assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("name", sorted({n for n, *_ in CASES}))
def test_other_http_methods_never_write(client, world, db_state, name, method):
    """PUT/PATCH/DELETE as the superuser: refused (405) or treated as a read, never a write."""
    client.force_login(world.city.users["admin"])
    target = import_batch("own", "admin", world.city) if name in IMPORT_BATCH_URLS else world.own
    prepare(name, target, world)
    before = db_state()
    response = getattr(client, method)(url_for(name, target, world), data="", content_type="application/x-www-form-urlencoded")
    if name in IMPORT_BATCH_URLS:
        drop_stored_file(target)
    assert response.status_code in {200, 302, 405}
    assert db_state() == before


def _errors(response) -> str:
    context = getattr(response, "context", None)
    form = context.get("form") if context else None
    return f"form errors: {form.errors.as_json()}" if form is not None else response.content.decode()[:300]
