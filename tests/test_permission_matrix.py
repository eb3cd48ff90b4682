"""Every URL x every principal x own/other district's project x GET/POST gives the expected answer.

Read the table as the access rules of the ledger (every URL has a row):
  login   302 to /login/?next=…                  (anonymous)
  →/      302 to /  · →login 302 to /login/
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

login_code is the sign-in's second step (the authenticator's code): without a password step just passed it
sends everyone back to the login. accounts:* is each signed-in user's 账户与安全 (tuijin/accounts): every
principal may change their own password and enrol an authenticator (a POST without the fields shows the form
again; the writes themselves are tested in tests/accounts, the module's sessions being hashed with another hasher); turning the second factor off or regenerating recovery codes without an
authenticator is refused with a message (302, nothing written). accounts:users and the resets are the
administrators' (the superuser principal is both the system and the security administrator: 403 to everyone
else); "-" there is reporter_b, who holds an authenticator for accounts:reset_factor.
security and auditor are the security and audit administrators (三权分立): their grants open no business
data, so every business URL answers them as it answers the outsider (404 for a record, 403 for a role's
page, an empty list or figure otherwise); home is their tools' screen. Their admin pages (/admin/, outside
this matrix) are tested per model and action in tests/org/test_admin_duties.py.
home (/) is each signed-in user's first screen (tuijin.dashboards): the office's month at a glance, the
leader's projects (the leader principal is linked to a 联系领导 of the own project here), everyone else's
to-do over their own scope, and a sentence for the outsider, who has no place; GET/HEAD only.
Read-only roles (leader, handler, inspector) get 403 on the edit pages of projects they can see: the
project is looked up in the user's visible scope first (404 outside it), then the edit right is checked.
Archive also answers 403 to a reporter, who may edit the project but not archive it.
projects:admission decides a 申报 (the project is made pending first): only the office over it (admin,
dispatcher) may; the clerk and read-only roles who see it get 403, others 404. projects:admissions is the
office's queue (403 to everyone else). Read-only pages
accept only GET/HEAD (405 otherwise).
figures:index (统计分析) is open to every signed-in user over their own scope (an outsider's figures are empty);
figures:explain lists the projects behind a figure of the own (兰山区) or other (罗庄区) project's district:
404 for a user with no project there.
dashboards:cockpit (驾驶舱) and its data are open to every signed-in user over their own scope, like 统计分析;
"own"/"other" ask for the own (兰山区) or other (罗庄区) project's district as the ledger's region filter: a
district clerk may not choose another district (it is not among their filter options: 400 with the Chinese
reason, no figures), nor may an outsider, who has no region at all.
jobs:* are the background jobs' pages (tuijin.jobs): "own" is a failed job the requesting principal started
(reporter_a's for anonymous), "other" reporter_b's (reporter_a's when reporter_b asks). A principal sees and
retries their own; the office (admin, dispatcher) everybody's (it looks after them); anyone else's is 404.
jobs:retry re-runs the failed job (the immediate backend finishes it in the request: 302 to the job's page).
healthz (the office's monitoring, tuijin.ops.health) answers everyone alike, signed in or not: a JSON object of
the checks, no data of anyone's; GET/HEAD only.
dashboards:map (落地地图) and its data are open to every signed-in user over their own scope: both projects
are given a location first, and the data's points are exactly the ones the user sees (a district clerk's
map holds only its district's project; an outsider's map is empty).

The problems app (tuijin/problems) works on its own records, each prepared per case: "own" is a
problem, supervision order, meeting or inspection of the 兰山区 project, "other" one of the 罗庄区
project. The own problem is handled by 市自然资源和规划局 (handler's unit) with 市交通运输局
(dept_reporter's) cooperating, was raised by reporter_a and escalated to the leader principal (a 联系领导
linked to that user); the other one is handled by 罗庄区人民政府 (reporter_b's unit) and raised by
reporter_b. The own order goes to 市自然资源和规划局, the other to 罗庄区人民政府. Meetings and
inspections are organised by the city and took up their project. A problem is seen through its project,
its handling or cooperating unit and its coordinating leader; an order through its project and its unit;
a meeting or inspection through its region (a region-scoped grant: dept_reporter, scoped to its unit's projects, sees neither) or a
project it took up. For the workflow URLs the name carries the step ("problems:step/accept" is
/problems/<pk>/step/accept/), the object is prepared in the status that step is for, and "wrong" is the
own one in a status the step is not for (403 even for those whose role allows the step; for assign, attach
and attachment_delete a closed (已销号) problem, whose attachments may no longer be deleted: 302 with a
message and nothing written); an unknown step ("fly") answers 404. problems:attachment's "order" and
"meeting" are an attachment of the own order and of the own meeting (uploaded by handler and inspector
respectively; own/other by handler and reporter_b).
The scoring app (考核排名) works on a scheme of the two districts with a manual and a judges' item:
"draft" is a scheme with only a draft run (drafts and such schemes only to the office; the sheet also to
the judges, leader and inspector), "published" one whose run is published (every principal with a place
sees it; an outsider, with none, gets 404). The office's writes answer 403 to everyone else. Its 序列 is
of regions; the exemption is 兰山区's (a subject's), edited (exemption_edit) and removed at the version
shown. scoring:point is the drill-down of 兰山区's 年计划完成率: a line the principal may read (both
districts are on a board), listing the projects of it the principal sees (none: an empty page, 200).
The bulletins app (通报) works on editions of the city: "draft" a draft (only the office sees it), "published"
a published one (every principal with a place sees it), "district" a published edition of 罗庄区 (reporter_a,
of 兰山区, gets 404; the principals of the city see the editions below it). A published bulletin is never
edited (the office's POST is turned away with a message: 302, nothing written). The PDF is converted by a
stand-in here (the conversion is tested in tests/bulletins); the office's template is the built-in example.
The big screen (大屏, dashboards): dashboards:screen and its data are every signed-in principal's own scope (an
outsider's screen is empty, not refused). The display-token pages (dashboards:tokens, issue and list;
dashboards:token_revoke) are the office's (403 to everyone else); "city" is a token of 临沂市 the dispatcher
issued. The token's own screen and data (dashboards:token_screen, token_screen_data) answer whoever holds the
address, signed in or not, the same: "valid" a token in force (200, nothing written), "revoked" one revoked
(410, a Chinese message page or JSON), "expired" one past its last day (410). A token never opens anything
else: tests/dashboards/test_screen.py asks every other URL with it.
The audit trail (安全审计, tuijin.audit) is the audit administrator's (org.selectors.is_audit_admin, which
the superuser passes too): its list, its export and print page, and the chain check (POST audit:verify,
302 back to the list, writing only to the audit tables, as every refused request here does: tests/writes.py
lets the trail's appends through). Everyone else gets 403. The security and audit administrators'
columns come with the three administrators' principals (tests/audit/test_pages.py asks them meanwhile).
消息提醒 (tuijin.reminders): reminders:preferences is each signed-in user's choice of outside channels (the
账户与安全 page's section posts it; an empty POST saves "no outside channel", 302 back). The delivery log
(reminders:deliveries) and its retry are the office's (admin, dispatcher: 403 to everyone else); "own" is a
failed delivery to reporter_a (兰山区, inside the dispatcher's city).
"""

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.selectors import current_year

from . import factories as f
from .conftest import PRINCIPALS
from .writes import record_writes

#  url name            method object   anonymous admin  dispatcher leader reporter_a reporter_b handler inspector dept_reporter outsider  security auditor
MATRIX = """
home                   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
home                   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
login                  GET    -        ok        →/     →/         →/     →/         →/         →/      →/        →/            →/        →/       →/
login                  POST   -        form      →/     →/         →/     →/         →/         →/      →/        →/            →/        →/       →/
logout                 GET    -        405       405    405        405    405        405        405     405       405           405       405      405
logout                 POST   -        →login    →login →login     →login →login     →login     →login  →login    →login        →login    →login   →login
projects:list          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
projects:list          POST   -        login     405    405        405    405        405        405     405       405           405       405      405
projects:create        GET    -        login     ok     ok         403    ok         ok         403     403       403           403       403      403
projects:create        POST   own      login     saved  saved      403    saved      form       403     403       403           403       403      403
projects:create        POST   other    login     saved  saved      403    form       saved      403     403       403           403       403      403
projects:detail        GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
projects:detail        GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
projects:detail        POST   own      login     405    405        405    405        405        405     405       405           405       405      405
projects:detail        POST   other    login     405    405        405    405        405        405     405       405           405       405      405
projects:plans         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
projects:plans         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
projects:plans         POST   own      login     405    405        405    405        405        405     405       405           405       405      405
projects:plans         POST   other    login     405    405        405    405        405        405     405       405           405       405      405
projects:history       GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
projects:history       GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
projects:history       POST   own      login     405    405        405    405        405        405     405       405           405       405      405
projects:history       POST   other    login     405    405        405    405        405        405     405       405           405       405      405
projects:edit          GET    own      login     ok     ok         403    ok         404        403     403       404           404       404      404
projects:edit          GET    other    login     ok     ok         403    404        ok         403     403       404           404       404      404
projects:edit          POST   own      login     saved  saved      403    saved      404        403     403       404           404       404      404
projects:edit          POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
projects:archive       GET    own      login     405    405        405    405        405        405     405       405           405       405      405
projects:archive       GET    other    login     405    405        405    405        405        405     405       405           405       405      405
projects:archive       POST   own      login     saved  saved      403    403        404        403     403       404           404       404      404
projects:archive       POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
projects:plan_create   GET    own      login     ok     ok         403    ok         404        403     403       404           404       404      404
projects:plan_create   GET    other    login     ok     ok         403    404        ok         403     403       404           404       404      404
projects:plan_create   POST   own      login     saved  saved      403    saved      404        403     403       404           404       404      404
projects:plan_create   POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
projects:plan_edit     GET    own      login     ok     ok         403    ok         404        403     403       404           404       404      404
projects:plan_edit     GET    other    login     ok     ok         403    404        ok         403     403       404           404       404      404
projects:plan_edit     POST   own      login     saved  saved      403    saved      404        403     403       404           404       404      404
projects:plan_edit     POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
projects:admissions    GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
projects:admissions    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
projects:admission     GET    own      login     405    405        405    405        405        405     405       405           405       405      405
projects:admission     GET    other    login     405    405        405    405        405        405     405       405           405       405      405
projects:admission     POST   own      login     saved  saved      403    403        404        403     403       404           404       404      404
projects:admission     POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
ledgerio:export_xlsx   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
ledgerio:export_xlsx   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
ledgerio:export_csv    GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
ledgerio:export_csv    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
ledgerio:upload        GET    -        login     ok     ok         403    ok         ok         403     403       ok            403       403      403
ledgerio:upload        POST   -        login     ok     ok         403    ok         ok         403     403       ok            403       403      403
ledgerio:preview       GET    own      login     ok     ok         403    ok         ok         403     403       ok            403       403      403
ledgerio:preview       GET    other    login     404    404        403    404        404        403     403       404           403       403      403
ledgerio:preview       POST   own      login     400    400        403    400        400        403     403       400           403       403      403
ledgerio:preview       POST   other    login     404    404        403    404        404        403     403       404           403       403      403
ledgerio:confirm       GET    own      login     405    405        405    405        405        405     405       405           405       405      405
ledgerio:confirm       POST   own      login     saved  saved      403    saved      saved      403     403       302           403       403      403
ledgerio:confirm       POST   other    login     404    404        403    404        404        403     403       404           403       403      403
ledgerio:discard       GET    own      login     405    405        405    405        405        405     405       405           405       405      405
ledgerio:discard       POST   own      login     302    302        403    302        302        403     403       302           403       403      403
ledgerio:discard       POST   other    login     404    404        403    404        404        403     403       404           403       403      403
ledgerio:result        GET    own      login     302    302        403    302        302        403     403       302           403       403      403
ledgerio:result        GET    other    login     404    404        403    404        404        403     403       404           403       403      403
ledgerio:result        POST   own      login     405    405        405    405        405        405     405       405           405       405      405
notifications          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
notifications          POST   -        login     405    405        405    405        405        405     405       405           405       405      405
notifications_read     GET    -        login     405    405        405    405        405        405     405       405           405       405      405
notifications_read     POST   -        login     302    302        302    302        302        302     302       302           302       302      302
notification_open      GET    -        login     404    404        404    302        404        404     404       404           404       404      404
notification_open      POST   -        login     405    405        405    405        405        405     405       405           405       405      405
jobs:list              GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
jobs:list              POST   -        login     405    405        405    405        405        405     405       405           405       405      405
jobs:detail            GET    own      login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
jobs:detail            GET    other    login     ok     ok         404    404        404        404     404       404           404       404      404
jobs:detail            POST   own      login     405    405        405    405        405        405     405       405           405       405      405
jobs:data              GET    own      login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
jobs:data              GET    other    login     ok     ok         404    404        404        404     404       404           404       404      404
jobs:data              POST   own      login     405    405        405    405        405        405     405       405           405       405      405
jobs:retry             GET    own      login     405    405        405    405        405        405     405       405           405       405      405
jobs:retry             POST   own      login     saved  saved      saved  saved      saved      saved   saved     saved         saved     saved    saved
jobs:retry             POST   other    login     saved  saved      404    404        404        404     404       404           404       404      404
healthz                GET    -        ok        ok     ok         ok     ok         ok         ok      ok        ok            ok  ok        ok
healthz                POST   -        405       405    405        405    405        405        405     405       405           405  405       405
login_code             GET    -        →login    →login →login     →login →login     →login     →login  →login    →login        →login  →login    →login
login_code             POST   -        →login    →login →login     →login →login     →login     →login  →login    →login        →login  →login    →login
accounts:home          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok  ok        ok
accounts:home          POST   -        login     405    405        405    405        405        405     405       405           405  405       405
accounts:password      GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok  ok        ok
accounts:password      POST   -        login     form   form       form   form       form       form    form      form          form  form      form
accounts:enrol         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok  ok        ok
accounts:enrol         POST   -        login     form   form       form   form       form       form    form      form          form  form      form
accounts:factor_remove GET    -        login     405    405        405    405        405        405     405       405           405  405       405
accounts:factor_remove POST   -        login     302    302        302    302        302        302     302       302           302  302       302
accounts:codes         GET    -        login     405    405        405    405        405        405     405       405           405  405       405
accounts:codes         POST   -        login     302    302        302    302        302        302     302       302           302  302       302
accounts:users         GET    -        login     ok     403        403    403        403        403     403       403           403  ok        403
accounts:users         POST   -        login     405    405        405    405        405        405     405       405           405  405       405
accounts:reset_password GET   -        login     405    405        405    405        405        405     405       405           405  405       405
accounts:reset_password POST  -        login     saved  403        403    403        403        403     403       403           403  403       403
accounts:reset_factor  GET    -        login     405    405        405    405        405        405     405       405           405  405       405
accounts:reset_factor  POST   -        login     saved  403        403    403        403        403     403       403           403  saved     403
reports:inbox          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
reports:inbox          POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_open    GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
reports:period_open    POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
reports:period         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
reports:period         POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_xlsx    GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
reports:period_xlsx    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_print   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
reports:period_print   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:review_xlsx    GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
reports:review_xlsx    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:review_print   GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
reports:review_print   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_close   GET    -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_close   POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
reports:period_remind  GET    -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_remind  POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
reports:grid           GET    -        login     ok     ok         403    ok         ok         403     403       ok            403       403      403
reports:grid           POST   own      login     saved  saved      403    saved      404        403     403       404           403       403      403
reports:grid           POST   other    login     saved  saved      403    404        saved      403     403       404           403       403      403
reports:review         GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
reports:review         POST   own      login     saved  saved      403    403        403        403     403       403           403       403      403
reports:report         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
reports:report         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
reports:report         POST   own      login     saved  saved      403    saved      404        403     403       404           404       404      404
reports:report         POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
reports:report_review  GET    own      login     405    405        405    405        405        405     405       405           405       405      405
reports:report_review  POST   own      login     saved  saved      403    403        404        403     403       404           404       404      404
reports:report_review  POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
reports:photo          GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
reports:photo          GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
reports:photo          POST   own      login     405    405        405    405        405        405     405       405           405       405      405
reports:import         GET    -        login     ok     ok         403    ok         ok         403     403       ok            403       403      403
reports:import         POST   own      login     saved  saved      403    saved      400        403     403       400           403       403      403
reports:import         POST   other    login     saved  saved      403    400        saved      403     403       400           403       403      403
reports:period_projects GET   -        login     405    405        405    405        405        405     405       405           405       405      405
reports:period_projects POST  own      login     saved  saved      403    403        403        403     403       403           403       403      403
reports:project        GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
reports:project        GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
reports:project        POST   own      login     405    405        405    405        405        405     405       405           405       405      405
schedules:project      GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
schedules:project      GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
schedules:project      POST   own      login     405    405        405    405        405        405     405       405           405       405      405
schedules:project      POST   other    login     405    405        405    405        405        405     405       405           405       405      405
schedules:approvals    GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
schedules:approvals    GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
schedules:approvals    POST   own      login     405    405        405    405        405        405     405       405           405       405      405
schedules:approvals    POST   other    login     405    405        405    405        405        405     405       405           405       405      405
schedules:apply        GET    own      login     405    405        405    405        405        405     405       405           405       405      405
schedules:apply        GET    other    login     405    405        405    405        405        405     405       405           405       405      405
schedules:apply        POST   own      login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:apply        POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:milestone_add GET own        login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_add GET other      login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_add POST own       login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:milestone_add POST other     login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:approvals_init GET own       login     405    405        405    405        405        405     405       405           405       405      405
schedules:approvals_init GET other     login     405    405        405    405        405        405     405       405           405       405      405
schedules:approvals_init POST own      login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:approvals_init POST other    login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:milestone_delete GET own     login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_delete GET other   login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_delete POST own    login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:milestone_delete POST other  login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:milestone_evidence GET own   login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_evidence GET other login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_evidence POST own  login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:milestone_evidence POST other login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:milestones_save GET own      login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestones_save GET other    login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestones_save POST own     login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:milestones_save POST other   login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:approvals_save GET own       login     405    405        405    405        405        405     405       405           405       405      405
schedules:approvals_save GET other     login     405    405        405    405        405        405     405       405           405       405      405
schedules:approvals_save POST own      login     saved  saved      403    saved      404        403     403       404           404       404      404
schedules:approvals_save POST other    login     saved  saved      403    404        saved      403     403       404           404       404      404
schedules:baseline     GET    own      login     405    405        405    405        405        405     405       405           405       405      405
schedules:baseline     GET    other    login     405    405        405    405        405        405     405       405           405       405      405
schedules:baseline     POST   own      login     saved  saved      403    403        404        403     403       404           404       404      404
schedules:baseline     POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
schedules:milestone_photo GET own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
schedules:milestone_photo GET other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
schedules:milestone_photo POST own     login     405    405        405    405        405        405     405       405           405       405      405
schedules:milestone_photo POST other   login     405    405        405    405        405        405     405       405           405       405      405
schedules:gantt        GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
schedules:gantt        POST   -        login     405    405        405    405        405        405     405       405           405       405      405
schedules:gantt_data   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
schedules:gantt_data   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
schedules:gantt_xlsx   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
schedules:gantt_xlsx   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
schedules:gantt_print  GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
schedules:gantt_print  POST   -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:list            GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
alerts:list            POST   -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:list_xlsx       GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
alerts:list_xlsx       POST   -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:list_print      GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
alerts:list_print      POST   -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:refresh         GET    -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:refresh         POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
alerts:rules           GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
alerts:rules           POST   -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:preset          GET    -        login     405    405        405    405        405        405     405       405           405       405      405
alerts:preset          POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
alerts:rule            GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
alerts:rule            POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
alerts:project         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
alerts:project         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
alerts:project         POST   own      login     405    405        405    405        405        405     405       405           405       405      405
alerts:project         POST   other    login     405    405        405    405        405        405     405       405           405       405      405
figures:index          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
figures:index          POST   -        login     405    405        405    405        405        405     405       405           405       405      405
figures:explain        GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
figures:explain        GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
figures:explain        POST   own      login     405    405        405    405        405        405     405       405           405       405      405
dashboards:cockpit     GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:cockpit     GET    own      login     ok     ok         ok     ok         400        ok      ok        ok            400       400      400
dashboards:cockpit     GET    other    login     ok     ok         ok     400        ok         ok      ok        ok            400       400      400
dashboards:cockpit     POST   -        login     405    405        405    405        405        405     405       405           405       405      405
dashboards:cockpit_data GET   -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:cockpit_data GET   own      login     ok     ok         ok     ok         400        ok      ok        ok            400       400      400
dashboards:cockpit_data GET   other    login     ok     ok         ok     400        ok         ok      ok        ok            400       400      400
dashboards:cockpit_data POST  -        login     405    405        405    405        405        405     405       405           405       405      405
dashboards:map         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:map         POST   -        login     405    405        405    405        405        405     405       405           405       405      405
dashboards:map_data    GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:map_data    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:list          GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:list          POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:list_xlsx     GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:list_xlsx     POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:list_print    GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:list_print    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:inbox         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:inbox         POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:overdue       GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:overdue       POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:overdue_xlsx  GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:overdue_xlsx  POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:overdue_print GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:overdue_print POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:stats         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:stats         POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:stats_xlsx    GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:stats_xlsx    POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:stats_print   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:stats_print   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:project       GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
problems:project       GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
problems:project       POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:project       POST   other    login     405    405        405    405        405        405     405       405           405       405      405
problems:new           GET    own      login     ok     ok         ok     ok         404        403     ok        404           404       404      404
problems:new           GET    other    login     ok     ok         ok     404        ok         403     ok        404           404       404      404
problems:new           POST   own      login     saved  saved      saved  saved      404        403     saved     404           404       404      404
problems:new           POST   other    login     saved  saved      saved  404        saved      403     saved     404           404       404      404
problems:order_new     GET    own      login     ok     ok         403    403        404        403     ok        404           404       404      404
problems:order_new     GET    other    login     ok     ok         403    404        403        403     ok        404           404       404      404
problems:order_new     POST   own      login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:order_new     POST   other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:detail        GET    own      login     ok     ok         ok     ok         404        ok      ok        ok            404       404      404
problems:detail        GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
problems:detail        POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:detail        POST   other    login     405    405        405    405        405        405     405       405           405       405      405
problems:assign        GET    own      login     405    405        405    405        405        405     405       405           405       405      405
problems:assign        POST   own      login     saved  saved      403    403        404        403     403       403           404       404      404
problems:assign        POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
problems:assign        POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/accept   GET    own      login     405    405        405    405        405        405     405       405           405       405      405
problems:step/accept   POST   own      login     saved  saved      403    403        404        saved   403       403           404       404      404
problems:step/accept   POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
problems:step/accept   POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/reply    GET    own      login     405    405        405    405        405        405     405       405           405       405      405
problems:step/reply    POST   own      login     saved  saved      403    403        404        saved   403       saved         404       404      404
problems:step/reply    POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
problems:step/reply    POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/extend   POST   own      login     saved  saved      saved  403        404        403     403       403           404       404      404
problems:step/extend   POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
problems:step/extend   POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/escalate POST   own      login     saved  saved      saved  403        404        saved   403       403           404       404      404
problems:step/escalate POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
problems:step/escalate POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/instruct POST   own      login     saved  403        saved  403        404        403     403       403           404       404      404
problems:step/instruct POST   other    login     saved  403        saved  404        403        403     403       404           404       404      404
problems:step/instruct POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/resolve  POST   own      login     saved  saved      403    403        404        saved   403       403           404       404      404
problems:step/resolve  POST   other    login     saved  saved      403    404        saved      403     403       404           404       404      404
problems:step/resolve  POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/close    POST   own      login     saved  saved      403    403        404        403     saved     403           404       404      404
problems:step/close    POST   other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:step/close    POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/return   POST   own      login     saved  saved      403    403        404        403     saved     403           404       404      404
problems:step/return   POST   other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:step/return   POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/unsolvable POST own      login     saved  saved      403    403        404        403     403       403           404       404      404
problems:step/unsolvable POST other    login     saved  saved      403    404        403        403     403       404           404       404      404
problems:step/unsolvable POST wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/reopen   POST   own      login     saved  saved      403    403        404        403     403       403           404       404      404
problems:step/reopen   POST   other    login     saved  saved      403    404        403        403     403       404           404       404      404
problems:step/reopen   POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:step/fly      POST   own      login     404    404        404    404        404        404     404       404           404       404      404
problems:attach        GET    own      login     405    405        405    405        405        405     405       405           405       405      405
problems:attach        POST   own      login     saved  saved      403    saved      404        saved   saved     403           404       404      404
problems:attach        POST   other    login     saved  saved      403    404        saved      403     saved     404           404       404      404
problems:attach        POST   wrong    login     403    403        403    403        404        403     403       403           404       404      404
problems:problem_order GET    own      login     405    405        405    405        405        405     405       405           405       405      405
problems:problem_order POST   own      login     saved  saved      403    403        404        403     saved     403           404       404      404
problems:problem_order POST   other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:attachment    GET    own      login     ok     ok         ok     ok         404        ok      ok        ok            404       404      404
problems:attachment    GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
problems:attachment    GET    order    login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
problems:attachment    GET    meeting  login     ok     ok         ok     ok         404        ok      ok        404            404       404      404
problems:attachment    POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:attachment_delete GET own     login     405    405        405    405        405        405     405       405           405       405      405
problems:attachment_delete POST own    login     saved  saved      403    403        404        saved   403       403           404       404      404
problems:attachment_delete POST other  login     saved  saved      403    404        saved      403     403       404           404       404      404
problems:attachment_delete POST order  login     saved  saved      403    403        404        saved   403       404           404       404      404
problems:attachment_delete POST meeting login    saved  saved      403    403        404        403     saved     404           404       404      404
problems:attachment_delete POST wrong  login     302    302        403    403        404        302     403       403           404       404      404
problems:orders        GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:orders        POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:order         GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
problems:order         GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
problems:order         POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:order         POST   other    login     405    405        405    405        405        405     405       405           405       405      405
problems:order_print   GET    own      login     ok     ok         ok     ok         404        ok      ok        404           404       404      404
problems:order_print   GET    other    login     ok     ok         ok     404        ok         ok      ok        404           404       404      404
problems:order_print   POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:order_step/reply GET own      login     405    405        405    405        405        405     405       405           405       405      405
problems:order_step/reply POST own     login     saved  403        403    403        404        saved   403       404           404       404      404
problems:order_step/reply POST other   login     saved  403        403    404        saved      403     403       404           404       404      404
problems:order_step/reply POST wrong   login     403    403        403    403        404        403     403       404           404       404      404
problems:order_step/progress POST own  login     saved  403        403    403        404        saved   403       404           404       404      404
problems:order_step/progress POST other login    saved  403        403    404        saved      403     403       404           404       404      404
problems:order_step/progress POST wrong login    403    403        403    403        404        403     403       404           404       404      404
problems:order_step/return POST own    login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:order_step/return POST other  login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:order_step/return POST wrong  login     403    403        403    403        404        403     403       404           404       404      404
problems:order_step/close POST own     login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:order_step/close POST other   login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:order_step/close POST wrong   login     403    403        403    403        404        403     403       404           404       404      404
problems:order_step/fly POST  own      login     404    404        404    404        404        404     404       404           404       404      404
problems:order_attach  GET    own      login     405    405        405    405        405        405     405       405           405       405      405
problems:order_attach  POST   own      login     saved  saved      403    403        404        saved   saved     404           404       404      404
problems:order_attach  POST   other    login     saved  saved      403    404        saved      403     saved     404           404       404      404
problems:meetings      GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:meetings      POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:meetings_xlsx GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:meetings_xlsx POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:meetings_print GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:meetings_print POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:meeting_new   GET    -        login     ok     ok         403    403        403        403     ok        403           403       403      403
problems:meeting_new   POST   -        login     saved  saved      403    403        403        403     saved     403           403       403      403
problems:meeting       GET    own      login     ok     ok         ok     ok         404        ok      ok        404            404       404      404
problems:meeting       GET    other    login     ok     ok         ok     404        ok         ok      ok        404            404       404      404
problems:meeting       POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:meeting_xlsx  GET    own      login     ok     ok         ok     ok         404        ok      ok        404            404       404      404
problems:meeting_xlsx  GET    other    login     ok     ok         ok     404        ok         ok      ok        404            404       404      404
problems:meeting_xlsx  POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:meeting_print GET    own      login     ok     ok         ok     ok         404        ok      ok        404            404       404      404
problems:meeting_print GET    other    login     ok     ok         ok     404        ok         ok      ok        404            404       404      404
problems:meeting_print POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:meeting_edit  GET    own      login     ok     ok         403    403        404        403     ok        404           404       404      404
problems:meeting_edit  GET    other    login     ok     ok         403    404        403        403     ok        404           404       404      404
problems:meeting_edit  POST   own      login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:meeting_edit  POST   other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:meeting_decide GET   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:meeting_decide POST  own      login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:meeting_decide POST  other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:meeting_attach GET   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:meeting_attach POST  own      login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:meeting_attach POST  other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:inspections   GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
problems:inspections   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
problems:inspection_new GET   -        login     ok     ok         403    403        403        403     ok        403           403       403      403
problems:inspection_new POST  -        login     saved  saved      403    403        403        403     saved     403           403       403      403
problems:inspection    GET    own      login     ok     ok         ok     ok         404        ok      ok        404            404       404      404
problems:inspection    GET    other    login     ok     ok         ok     404        ok         ok      ok        404            404       404      404
problems:inspection    POST   own      login     405    405        405    405        405        405     405       405           405       405      405
problems:inspection_edit GET  own      login     ok     ok         403    403        404        403     ok        404           404       404      404
problems:inspection_edit GET  other    login     ok     ok         403    404        403        403     ok        404           404       404      404
problems:inspection_edit POST own      login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:inspection_edit POST other    login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:inspection_decide GET own     login     405    405        405    405        405        405     405       405           405       405      405
problems:inspection_decide POST own    login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:inspection_decide POST other  login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:inspection_photos GET own     login     405    405        405    405        405        405     405       405           405       405      405
problems:inspection_photos POST own    login     saved  saved      403    403        404        403     saved     404           404       404      404
problems:inspection_photos POST other  login     saved  saved      403    404        403        403     saved     404           404       404      404
problems:inspection_photo GET own      login     ok     ok         ok     ok         404        ok      ok        404            404       404      404
problems:inspection_photo GET other    login     ok     ok         ok     404        ok         ok      ok        404            404       404      404
problems:inspection_photo POST own     login     405    405        405    405        405        405     405       405           405       405      405
scoring:list           GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
scoring:list           POST   -        login     405    405        405    405        405        405     405       405           405       405      405
scoring:preset_install GET    -        login     405    405        405    405        405        405     405       405           405       405      405
scoring:preset_install POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:import         GET    -        login     405    405        405    405        405        405     405       405           405       405      405
scoring:import         POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:new            GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
scoring:new            POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:scheme         GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
scoring:scheme         GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
scoring:scheme         POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:edit           GET    draft    login     ok     ok         403    403        403        403     403       403           403       403      403
scoring:edit           POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:export         GET    draft    login     ok     ok         403    403        403        403     403       403           403       403      403
scoring:export         POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:compute        GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:compute        POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:exemption_add  GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:exemption_add  POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:exemption_edit GET    draft    login     ok     ok         403    403        403        403     403       403           403       403      403
scoring:exemption_edit POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:exemption_delete GET  draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:exemption_delete POST draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:run            GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
scoring:run            GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
scoring:run            POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:point          GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
scoring:point          GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
scoring:point          POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:board          GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
scoring:board          GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
scoring:board          POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:print          GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
scoring:print          GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
scoring:print          POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:run_export     GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
scoring:run_export     GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
scoring:run_export     POST   draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:sheet          GET    draft    login     ok     ok         ok     404        404        404     ok        404           404       404      404
scoring:sheet          GET    published login    404    404        404    404        404        404     404       404           404       404      404
scoring:sheet          POST   draft    login     saved  saved      saved  404        404        404     saved     404           404       404      404
scoring:veto           GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:veto           POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:recompute      GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:recompute      POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:publish        GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:publish        POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
scoring:delete         GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
scoring:delete         POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
bulletins:list         GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
bulletins:list         POST   -        login     405    405        405    405        405        405     405       405           405       405      405
bulletins:new          GET    -        login     405    405        405    405        405        405     405       405           405       405      405
bulletins:new          POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
bulletins:detail       GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
bulletins:detail       GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
bulletins:detail       GET    district login     ok     ok         ok     404        ok         ok      ok        ok            404       404      404
bulletins:detail       POST   draft    login     saved  saved      404    404        404        404     404       404           404       404      404
bulletins:detail       POST   published login    302    302        403    403        403        403     403       403           404       404      404
bulletins:publish      GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
bulletins:publish      POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
bulletins:delete       GET    draft    login     405    405        405    405        405        405     405       405           405       405      405
bulletins:delete       POST   draft    login     saved  saved      403    403        403        403     403       403           403       403      403
bulletins:correct      GET    published login    405    405        405    405        405        405     405       405           405       405      405
bulletins:correct      POST   published login    saved  saved      403    403        403        403     403       403           403       403      403
bulletins:docx         GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
bulletins:docx         GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
bulletins:docx         GET    district login     ok     ok         ok     404        ok         ok      ok        ok            404       404      404
bulletins:docx         POST   published login    405    405        405    405        405        405     405       405           405       405      405
bulletins:pdf          GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
bulletins:pdf          GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
bulletins:pdf          POST   published login    405    405        405    405        405        405     405       405           405       405      405
bulletins:annex        GET    draft    login     ok     ok         404    404        404        404     404       404           404       404      404
bulletins:annex        GET    published login    ok     ok         ok     ok         ok         ok      ok        ok            404       404      404
bulletins:annex        POST   published login    405    405        405    405        405        405     405       405           405       405      405
bulletins:templates    GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
bulletins:templates    POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
bulletins:template_example GET -       login     ok     ok         403    403        403        403     403       403           403       403      403
bulletins:template_example POST -      login     405    405        405    405        405        405     405       405           405       405      405
bulletins:template_delete GET -        login     405    405        405    405        405        405     405       405           405       405      405
bulletins:template_delete POST -       login     saved  saved      403    403        403        403     403       403           403       403      403
dashboards:screen      GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:screen      POST   -        login     405    405        405    405        405        405     405       405           405       405      405
dashboards:screen_data GET    -        login     ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:screen_data POST   -        login     405    405        405    405        405        405     405       405           405       405      405
dashboards:tokens      GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
dashboards:tokens      POST   -        login     saved  saved      403    403        403        403     403       403           403       403      403
dashboards:token_revoke GET   city     login     405    405        405    405        405        405     405       405           405       405      405
dashboards:token_revoke POST  city     login     saved  saved      403    403        403        403     403       403           403       403      403
dashboards:token_screen GET   valid    ok        ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:token_screen GET   revoked  410       410    410        410    410        410        410     410       410           410       410      410
dashboards:token_screen GET   expired  410       410    410        410    410        410        410     410       410           410       410      410
dashboards:token_screen POST  valid    405       405    405        405    405        405        405     405       405           405       405      405
dashboards:token_screen_data GET valid ok        ok     ok         ok     ok         ok         ok      ok        ok            ok        ok       ok
dashboards:token_screen_data GET revoked 410     410    410        410    410        410        410     410       410           410       410      410
dashboards:token_screen_data GET expired 410     410    410        410    410        410        410     410       410           410       410      410
dashboards:token_screen_data POST valid 405      405    405        405    405        405        405     405       405           405       405      405
audit:list             GET    -        login     ok     403        403    403        403        403     403       403           403       403      ok
audit:list             POST   -        login     405    405        405    405        405        405     405       405           405       405      405
audit:list_xlsx        GET    -        login     ok     403        403    403        403        403     403       403           403       403      ok
audit:list_xlsx        POST   -        login     405    405        405    405        405        405     405       405           405       405      405
audit:list_print       GET    -        login     ok     403        403    403        403        403     403       403           403       403      ok
audit:list_print       POST   -        login     405    405        405    405        405        405     405       405           405       405      405
audit:verify           GET    -        login     405    405        405    405        405        405     405       405           405       405      405
audit:verify           POST   -        login     302    403        403    403        403        403     403       403           403       403      302
reminders:preferences  GET    -        login     405    405        405    405        405        405     405       405           405       405      405
reminders:preferences  POST   -        login     saved  saved      saved  saved      saved      saved   saved     saved         saved     saved    saved
reminders:deliveries   GET    -        login     ok     ok         403    403        403        403     403       403           403       403      403
reminders:deliveries   POST   -        login     405    405        405    405        405        405     405       405           405       405      405
reminders:delivery_retry GET  own      login     405    405        405    405        405        405     405       405           405       405      405
reminders:delivery_retry POST own      login     saved  saved      403    403        403        403     403       403           403       403      403
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


def url_name(name: str) -> str:
    """The URL pattern's name of a matrix row ("problems:step/accept" → "problems:step")."""
    return name.partition("/")[0]


def test_every_url_pattern_has_a_matrix_row_for_get_and_post():
    covered = {(url_name(name), method) for name, method, *_ in CASES}
    missing = sorted(
        f"{name} {method}" for name in project_url_names() for method in ("GET", "POST")
        if (name, method) not in covered
    )
    assert not missing, f"URLs without a permission-matrix row: {missing}"


def test_the_matrix_has_no_rows_for_urls_that_no_longer_exist():
    assert {url_name(name) for name, *_ in CASES} <= project_url_names()


def test_the_url_walk_finds_the_ledger_pages_and_skips_admin():
    names = project_url_names()
    assert {"projects:list", "projects:edit", "login", "logout"} <= names
    assert not any(name.startswith("admin:") for name in names)
    assert "set_language" not in names


# --------------------------------------------------------------------------------------- cases


IMPORT_BATCH_URLS = {"ledgerio:preview", "ledgerio:confirm", "ledgerio:discard", "ledgerio:result"}
IMPORT_FILE = ("序号,项目名称,所属区域,项目类别,建设性质,项目阶段,总投资（万元）\r\n"
               "1,矩阵导入项目,{region},道路桥梁,新建,在建,100\r\n")


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
    # The file names its region (an import never guesses one): the owner's district, else 兰山区.
    region = "罗庄区" if owner == city.users.get("reporter_b") else "兰山区"
    return services.batch_start(owner, SimpleUploadedFile("台账.csv", IMPORT_FILE.format(region=region).encode()))


def drop_stored_file(batch) -> None:
    from tuijin.ledgerio import services

    services.batch_path(batch).unlink(missing_ok=True)


PERIOD_URLS = {"reports:period", "reports:period_close", "reports:period_remind", "reports:grid", "reports:review",
               "reports:import", "reports:period_projects", "reports:period_xlsx", "reports:period_print",
               "reports:review_xlsx", "reports:review_print"}
REPORT_URLS = {"reports:report", "reports:report_review"}
PHOTO_URLS = {"reports:photo"}
# Report URLs whose case needs the report handed in first (the review answers only submitted ones).
SUBMITTED_FIRST = {"reports:review", "reports:report_review"}


# Schedule URLs that take a node or a checklist item of the project (the others take the project).
MILESTONE_URLS = {"schedules:milestone_delete", "schedules:milestone_evidence", "schedules:milestone_photo"}
# URLs whose case needs the project's nodes first (a template applied, dated backwards from a year ahead).
MILESTONES_FIRST = MILESTONE_URLS | {"schedules:baseline", "schedules:milestones_save"}
# URLs whose case needs the project's approvals checklist first.
APPROVALS_FIRST = {"schedules:approvals_save"}
MATRIX_RULE = {"preset": "standard", "dimension": "milestone_overdue"}  # the rule alerts:rule edits
WUHAN_RULE = "投资完成低于时序进度（武汉）"
NO_OBJECT_URLS = {"schedules:gantt", "schedules:gantt_data", "alerts:list", "alerts:refresh", "alerts:rules",
                  "alerts:preset", "schedules:gantt_xlsx", "schedules:gantt_print", "alerts:list_xlsx", "alerts:list_print"}


def milestone_of(project):
    from tuijin.schedules.models import Milestone

    return Milestone.objects.filter(project=project).order_by("sort", "id").first()


def approval_of(project):
    from tuijin.schedules.models import Approval

    return Approval.objects.filter(project=project, required=True).order_by("type__sort", "type_id").first()


def matrix_rule():
    from tuijin.alerts.models import AlertRule

    return AlertRule.objects.get(**MATRIX_RULE)


def accounts_url(name: str, world) -> str:
    if name in {"accounts:reset_password", "accounts:reset_factor"}:
        return reverse(name, args=[world.city.users["reporter_b"].pk])
    return reverse(name)


def accounts_payload(name: str) -> dict:
    if name == "accounts:factor_remove":
        return {"password": f.PASSWORD}
    return {}


def assert_accounts_saved(name: str, world, user) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tuijin.accounts.models import AccountState

    target = world.city.users["reporter_b"]
    if name == "accounts:reset_password":
        assert AccountState.objects.get(user=target).must_change_password
        assert not get_user_model().objects.get(pk=target.pk).check_password(f.PASSWORD)
    elif name == "accounts:reset_factor":
        assert not TOTPDevice.objects.filter(user=target).exists()
    else:
        raise AssertionError(f"no saved-check for {name}")


def matrix_job(obj: str, principal: str, city):
    """"own": a failed job of the requesting principal (reporter_a's for anonymous); "other": reporter_b's
    (reporter_a's when reporter_b asks). Its function finishes when retried."""
    from tuijin.jobs.models import Job

    owner = city.users.get(principal) if obj == "own" else None
    if owner is None:
        owner = city.users["reporter_a" if principal == "reporter_b" else "reporter_b"]
    return Job.objects.create(kind="test", title="矩阵任务", user=owner, func="tests.jobs.functions.steps",
                              status="failed", attempts=1, error="矩阵失败")


def assert_job_saved(job) -> None:
    from tuijin.jobs.models import Job

    fresh = Job.objects.get(pk=job.pk)
    assert (fresh.status, fresh.attempts, fresh.error, fresh.result_url) == ("done", 2, "", "/reports/")


def url_for(name: str, project, world=None) -> str:
    if name == "reminders:delivery_retry":
        from tuijin.reminders.models import Delivery

        return reverse(name, args=[Delivery.objects.get(text="矩阵外发").pk])
    if name.startswith("reminders:"):
        return reverse(name)
    if name.startswith("jobs:"):
        return reverse(name) if name == "jobs:list" else reverse(name, args=[project.pk])
    if name.startswith("accounts:"):
        return accounts_url(name, world)
    if name.startswith("dashboards:"):
        return dashboards_url(name, world, project)
    if name.startswith("scoring:"):
        return scoring_url(name, world)
    if name.startswith("bulletins:"):
        return bulletins_url(name, world)
    if name == "figures:explain":
        # The figures of the project's district (statistics are read by region: a group the user has no
        # project in answers 404, like a project outside their scope).
        return f"{reverse(name)}?figure=projects&by=region&group={project.region.code}&period={current_year()}"
    if name.startswith("problems:"):
        return problems_url(name, project)
    if name in MILESTONE_URLS:
        return reverse(name, args=[milestone_of(project).pk])
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
    if name in {"home", "login", "login_code", "logout", "projects:list", "projects:create", "ledgerio:export_xlsx",
                "ledgerio:export_csv", "ledgerio:upload", "notifications", "notifications_read", "reports:inbox",
                "reports:period_open", "projects:admissions", "figures:index", "healthz", "audit:list",
                "audit:list_xlsx", "audit:list_print", "audit:verify"}:
        return reverse(name)
    return reverse(name, args=[project.pk])


def report_of(world, project):
    from tuijin.reports.models import ProgressReport

    return ProgressReport.objects.get(period=world.period, project=project)


def prepare(name: str, project, world, obj: str = "own") -> None:
    """Set the scene a case needs before the "nothing written" snapshot is taken."""
    if name.startswith("dashboards:"):
        if name.startswith("dashboards:map"):  # both projects located: the map's points are what the user sees
            Project.objects.filter(pk__in=[world.own.pk, world.other.pk]).update(longitude="118.350000",
                                                                                latitude="35.060000")
        prepare_dashboards(world, obj)
        return
    if name.startswith("scoring:"):
        prepare_scoring(world, published=obj == "published")
        return
    if name.startswith("bulletins:"):
        prepare_bulletins(world, obj)
        return
    if name.startswith("problems:"):
        prepare_problems(name, project, world, obj)
        return
    if name == "accounts:reset_factor":
        from tuijin.accounts import services as account_services

        account_services.factor_enrol(world.city.users["reporter_b"], key=(key := account_services.new_totp_key()),
                                      token=totp_code(key))
    if name == "home":  # the leader principal is the own project's 联系领导: his screen lists it
        from tuijin.projects.models import ProjectLeader

        ProjectLeader.objects.get_or_create(project=world.own, leader=leader_record(world))
    if name == "notification_open":
        from tuijin.core.notify import notify

        notify([world.city.users["reporter_a"]], "矩阵消息", "/reports/")
    if name == "reminders:delivery_retry":
        from django.utils import timezone

        from tuijin.reminders.models import Delivery

        Delivery.objects.create(user=world.city.users["reporter_a"], channel="sms", recipient="13800000001",
                                text="矩阵外发", status="failed", attempts=5, last_error="短信网关返回HTTP 500",
                                next_at=timezone.now())
    if name == "projects:admission" and project is not None:
        Project.objects.filter(pk=project.pk).update(admission="pending")  # a clerk's 申报 awaiting the office
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
    if name in APPROVALS_FIRST and project is not None:
        from tuijin.schedules import services as schedule_services

        schedule_services.approvals_init(None, project)


def totp_code(key: str) -> str:
    from binascii import unhexlify

    from django_otp.oath import totp

    return f"{totp(unhexlify(key.encode())):06d}"


def png_upload():
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def payload(name: str, obj: str, project: Project | None, regions, world=None) -> dict:
    if name.startswith("accounts:"):
        return accounts_payload(name)
    if name.startswith("dashboards:"):
        return dashboards_payload(name, world)
    if name.startswith("scoring:"):
        return scoring_payload(name, world)
    if name.startswith("bulletins:"):
        return bulletins_payload(name, world)
    form = schedule_payload(name, project)
    if form is None:
        form = problems_payload(name, project, world)
    if form is not None:
        return form
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
    if name == "projects:admission":
        return {"decision": "approve", "version": Project.objects.get(pk=project.pk).version}
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
    if name == "schedules:milestone_delete":
        return {"version": milestone_of(project).version}
    if name == "schedules:milestones_save":
        milestone = milestone_of(project)
        p = f"m{milestone.pk}-"
        return {"row": [milestone.pk], p + "version": milestone.version, p + "name": "矩阵整表保存",
                p + "planned_date": target.isoformat(), p + "actual_date": "", p + "responsible": "李四"}
    if name == "schedules:approvals_save":
        approval = approval_of(project)
        p = f"a{approval.pk}-"
        return {"row": [approval.pk], p + "version": approval.version, p + "required": "on", p + "status": "in_progress",
                p + "target_date": target.isoformat(), p + "done_date": "", p + "document_no": "矩阵〔2025〕2号",
                p + "approving_unit": "市发展和改革委员会", p + "responsible": "王五", p + "note": ""}
    if name == "schedules:milestone_evidence":
        return {"photo": png_upload()}
    if name == "schedules:baseline":
        return {"reason": ""}
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
    elif name == "schedules:milestones_save":
        milestone = milestone_of(project)
        assert (milestone.name, milestone.responsible, milestone.version) == ("矩阵整表保存", "李四", 2)
    elif name == "schedules:approvals_save":
        approval = approval_of(project)
        assert (approval.status, approval.document_no, approval.version) == ("in_progress", "矩阵〔2025〕2号", 2)
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


# ---------------------------------------------------------------------------------------- problems

PROBLEM_TEXT = "矩阵问题"        # description of the problem a case prepares
ORDER_TEXT = "矩阵督办内容"      # content of the order a case prepares
ATTACHMENT_NAME = "矩阵附件.pdf"  # the attachment a case prepares
PROBLEMS_NO_OBJECT = {"problems:list", "problems:inbox", "problems:overdue", "problems:stats", "problems:orders",
                      "problems:meetings", "problems:meeting_new", "problems:inspections", "problems:inspection_new",
                      # each list's 导出Excel and 打印 (core.listexport)
                      "problems:list_xlsx", "problems:list_print", "problems:overdue_xlsx", "problems:overdue_print",
                      "problems:stats_xlsx", "problems:stats_print", "problems:meetings_xlsx", "problems:meetings_print"}
PROBLEMS_PROJECT_URLS = {"problems:project", "problems:new", "problems:order_new"}
PROBLEM_URLS = {"problems:detail", "problems:assign", "problems:step", "problems:attach", "problems:problem_order"}
ATTACHMENT_URLS = {"problems:attachment", "problems:attachment_delete"}
ORDER_URLS = {"problems:order", "problems:order_step", "problems:order_attach", "problems:order_print"}
MEETING_URLS = {"problems:meeting", "problems:meeting_edit", "problems:meeting_decide", "problems:meeting_attach",
                "problems:meeting_xlsx", "problems:meeting_print"}
INSPECTION_URLS = {"problems:inspection", "problems:inspection_edit", "problems:inspection_decide",
                   "problems:inspection_photos", "problems:inspection_photo"}
# The status each workflow step is prepared in, and one it is not for (the "wrong" column).
STEP_STATUS = {"accept": "pending", "reply": "handling", "extend": "handling", "escalate": "handling",
               "instruct": "handling", "resolve": "handling", "close": "resolved", "return": "resolved",
               "unsolvable": "handling", "reopen": "closed"}
WRONG_STEP_STATUS = {"accept": "handling", "reply": "resolved", "extend": "resolved", "escalate": "resolved",
                     "instruct": "closed", "resolve": "pending", "close": "handling", "return": "handling",
                     "unsolvable": "closed", "reopen": "handling"}
STEP_STATUS_AFTER = {"accept": "handling", "reply": "handling", "extend": "handling", "escalate": "handling",
                     "instruct": "handling", "resolve": "resolved", "close": "closed", "return": "handling",
                     "unsolvable": "unsolvable", "reopen": "handling"}
ORDER_STEP_STATUS = {"reply": "issued", "progress": "rectifying", "return": "rectifying", "close": "rectifying"}
WRONG_ORDER_STEP_STATUS = {"reply": "rectifying", "progress": "issued", "return": "issued", "close": "closed"}
ORDER_STEP_STATUS_AFTER = {"reply": "rectifying", "progress": "rectifying", "return": "issued", "close": "closed"}


def local_today():
    """Today in Asia/Shanghai, as the problems services count."""
    from django.utils import timezone

    return timezone.localdate()


def in_days(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


def pdf_bytes() -> bytes:
    """A one-page PDF (72 x 72 pt, empty) with a correct cross-reference table."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]/Resources<<>>>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_upload(name: str = "矩阵上传.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def problem_type():
    from tuijin.problems.models import ProblemType

    return ProblemType.objects.get(name="用地")


def leader_record(world):
    """The 联系领导 record of the leader principal (own problems are escalated to it)."""
    from tuijin.org.models import Leader

    user = world.city.users["leader"]
    return Leader.objects.get_or_create(user=user, defaults={"name": "王领导", "title": "副市长",
                                                             "unit": world.city.units.city_government})[0]


def make_problem(project, world, status: str = "handling", *, deadline_days: int = 30):
    """The own problem (handled by handler's unit, dept_reporter's cooperating, raised by reporter_a,
    escalated to the leader principal) or the other one (handled by and raised by reporter_b's side)."""
    from tuijin.problems.models import Problem

    units, users = world.city.units, world.city.users
    own = project.pk == world.own.pk
    problem = Problem.objects.create(
        project=project, type=problem_type(), description=PROBLEM_TEXT, source="patrol",
        raised_by=users["reporter_a" if own else "reporter_b"], raised_on=local_today() - timedelta(days=10),
        handling_unit=units.land if own else units.luozhuang_government,
        coordinating_leader=leader_record(world) if own else None, level=4 if own else 1,
        deadline=local_today() + timedelta(days=deadline_days), status=status,
        closed_on=local_today() - timedelta(days=1) if status in ("closed", "unsolvable") else None,
        days_to_close=9 if status == "closed" else None)
    if own:
        problem.cooperating_units.set([units.transport])
    return problem


def make_order(project, world, status: str = "issued", *, reply_days: int = 10):
    """督办 of the own project to handler's unit, or of the other project to reporter_b's, issued by dispatcher."""
    from tuijin.problems.models import SupervisionOrder

    units = world.city.units
    own = project.pk == world.own.pk
    return SupervisionOrder.objects.create(
        year=local_today().year, seq=901 if own else 902, project=project, basis="project",
        unit=units.land if own else units.luozhuang_government, content=ORDER_TEXT,
        reply_by=local_today() + timedelta(days=reply_days), rectify_by=local_today() + timedelta(days=40), status=status,
        issued_by=world.city.users["dispatcher"], issued_on=local_today() - timedelta(days=3),
        plan="整改方案" if status != "issued" else "", replied_on=local_today() if status != "issued" else None,
        closed_on=local_today() if status == "closed" else None)


def make_gathering(model, project, world):
    """A meeting or an inspection the city (dispatcher, inspector) held about `project`."""
    from tuijin.problems.models import Meeting

    meeting = model is Meeting
    gathering = model.objects.create(
        kind="regular" if meeting else "supervision", title="矩阵例会" if meeting else "矩阵督导",
        held_on=local_today() - timedelta(days=1), region=world.city.regions.city,
        created_by=world.city.users["dispatcher" if meeting else "inspector"])
    gathering.projects.set([project])
    return gathering


def make_attachment(world, uploader: str, **owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tuijin.problems.models import Attachment

    stored = default_storage.save("problems/matrix.pdf", ContentFile(pdf_bytes()))
    return Attachment.objects.create(file=stored, name=ATTACHMENT_NAME, content_type="application/pdf",
                                     size=len(pdf_bytes()), uploaded_by=world.city.users[uploader], **owner)


def make_inspection_photo(inspection, project):
    from django.core.files.storage import default_storage

    from tuijin.problems.models import InspectionPhoto

    stored = default_storage.save("inspections/matrix.png", png_upload())
    return InspectionPhoto.objects.create(inspection=inspection, project=project, file=stored,
                                          content_type="image/png", caption="矩阵现场")


def problem_of(project):
    from tuijin.problems.models import Problem

    return Problem.objects.get(project=project, description=PROBLEM_TEXT)


def order_of(project):
    from tuijin.problems.models import SupervisionOrder

    return SupervisionOrder.objects.get(project=project, content=ORDER_TEXT)


def gathering_of(name: str, project):
    from tuijin.problems.models import Inspection, Meeting

    model = Inspection if name.startswith("problems:inspection") else Meeting
    return model.objects.get(projects=project, title__startswith="矩阵")


def prepare_problems(name: str, project, world, obj: str) -> None:
    """The problem, order, meeting, inspection, attachment or photo a problems case works on."""
    from tuijin.problems.models import Inspection, Meeting

    base, _, action = name.partition("/")
    if base in PROBLEMS_NO_OBJECT:  # something to list: an open own problem, an overdue other one, orders, a meeting
        make_problem(world.own, world)
        make_problem(world.other, world, "pending", deadline_days=-3)
        make_order(world.own, world)
        make_order(world.other, world, "rectifying", reply_days=-20)
        make_gathering(Meeting, world.own, world)
        make_gathering(Inspection, world.own, world)
    elif base == "problems:step":
        status = (WRONG_STEP_STATUS if obj == "wrong" else STEP_STATUS).get(action, "handling")
        make_problem(project, world, status)
    elif base in PROBLEM_URLS:
        make_problem(project, world, "closed" if obj == "wrong" else "handling")
    elif base in ATTACHMENT_URLS and obj == "order":
        make_attachment(world, "handler", order=make_order(project, world))
    elif base in ATTACHMENT_URLS and obj == "meeting":
        make_attachment(world, "inspector", meeting=make_gathering(Meeting, project, world))
    elif base in ATTACHMENT_URLS:
        own = project.pk == world.own.pk
        problem = make_problem(project, world, "closed" if obj == "wrong" else "handling")
        make_attachment(world, "handler" if own else "reporter_b", problem=problem)
    elif base == "problems:order_step":
        make_order(project, world, (WRONG_ORDER_STEP_STATUS if obj == "wrong" else ORDER_STEP_STATUS).get(action, "issued"))
    elif base in ORDER_URLS:
        make_order(project, world)
    elif base in MEETING_URLS:
        make_gathering(Meeting, project, world)
    elif base in INSPECTION_URLS:
        inspection = make_gathering(Inspection, project, world)
        if base == "problems:inspection_photo":
            make_inspection_photo(inspection, project)


def problems_url(name: str, project) -> str:
    from tuijin.problems.models import Attachment, InspectionPhoto

    base, _, action = name.partition("/")
    if base in PROBLEMS_NO_OBJECT:
        return reverse(base)
    if base in PROBLEMS_PROJECT_URLS:
        return reverse(base, args=[project.pk])
    if base == "problems:step":
        return reverse(base, args=[problem_of(project).pk, action])
    if base in PROBLEM_URLS:
        return reverse(base, args=[problem_of(project).pk])
    if base in ATTACHMENT_URLS:
        return reverse(base, args=[Attachment.objects.get(name=ATTACHMENT_NAME).pk])
    if base == "problems:order_step":
        return reverse(base, args=[order_of(project).pk, action])
    if base in ORDER_URLS:
        return reverse(base, args=[order_of(project).pk])
    if base == "problems:inspection_photo":
        return reverse(base, args=[InspectionPhoto.objects.get(caption="矩阵现场").pk])
    return reverse(base, args=[gathering_of(base, project).pk])


def problems_payload(name: str, project, world) -> dict | None:
    """The form a problems page posts (None: not one of theirs)."""
    base, _, action = name.partition("/")
    if not base.startswith("problems:"):
        return None
    units = world.city.units
    if base == "problems:new":
        return {"type": problem_type().pk, "description": "矩阵新问题", "handling_unit": units.land.pk,
                "deadline": in_days(30), "source": "patrol"}
    if base == "problems:assign":
        problem = problem_of(project)
        return {"type": problem.type_id, "description": problem.description, "handling_unit": problem.handling_unit_id,
                "cooperating_units": list(problem.cooperating_units.values_list("pk", flat=True)),
                "deadline": in_days(45), "version": problem.version}
    if base == "problems:step":
        return {"version": problem_of(project).version, "text": f"矩阵{action}", "deadline": in_days(60) if action == "extend" else "",
                "level": 5 if action == "escalate" else "", "leader": world.city.contact_leader.pk if action == "escalate" else ""}
    if base in {"problems:attach", "problems:order_attach", "problems:meeting_attach"}:
        return {"file": pdf_upload()}
    if base == "problems:problem_order":
        return {"unit": problem_of(project).handling_unit_id, "content": "矩阵问题督办", "reply_by": in_days(5),
                "rectify_by": in_days(30)}
    if base == "problems:order_new":
        return {"basis": "project", "unit": units.land.pk, "content": "矩阵项目督办", "reply_by": in_days(5),
                "rectify_by": in_days(30)}
    if base == "problems:order_step":
        order = order_of(project)
        day = {"reply": in_days(50), "return": in_days(7)}.get(action, "")
        return {"version": order.version, "text": f"矩阵{action}", "day": day}
    if base in {"problems:meeting_new", "problems:meeting_edit"}:
        edit = base.endswith("edit")
        return {"version": gathering_of(base, project).version if edit else "", "kind": "topic",
                "title": "矩阵例会（已修改）" if edit else "矩阵新会议", "held_on": in_days(-2), "location": "市政府",
                "chair": world.city.contact_leader.pk, "attendees": "各责任单位", "minutes": "矩阵纪要",
                "projects": [(project or world.own).pk]}
    if base in {"problems:inspection_new", "problems:inspection_edit"}:
        edit = base.endswith("edit")
        return {"version": gathering_of(base, project).version if edit else "", "kind": "observation",
                "title": "矩阵督导（已修改）" if edit else "矩阵新督查", "held_on": in_days(-2),
                "leader": world.city.contact_leader.pk, "participants": "督查室", "findings": "矩阵督查情况",
                "projects": [(project or world.own).pk]}
    if base == "problems:meeting_decide":
        return {"kind": "problem", "project": project.pk, "content": "矩阵会议交办", "type": problem_type().pk,
                "unit": units.land.pk, "deadline": in_days(20)}
    if base == "problems:inspection_decide":
        return {"kind": "order", "project": project.pk, "content": "矩阵督查督办", "unit": units.land.pk,
                "deadline": in_days(5)}
    if base == "problems:inspection_photos":
        return {"photo": png_upload(), "caption": "矩阵督查照片", "project": project.pk}
    return {}


def assert_problems_saved(name: str, project, world, user) -> bool:
    """Check the write of a problems case; False when `name` is none of theirs."""
    from tuijin.problems.models import (
        Attachment,
        Event,
        Inspection,
        InspectionPhoto,
        Meeting,
        Problem,
        SupervisionOrder,
    )

    base, _, action = name.partition("/")
    if not base.startswith("problems:"):
        return False
    if base == "problems:new":
        problem = Problem.objects.get(project=project, description="矩阵新问题")
        assert (problem.raised_by, problem.status, problem.deadline.isoformat()) == (user, "pending", in_days(30))
        assert Event.objects.filter(problem=problem, action="raise", actor=user).exists()
    elif base == "problems:assign":
        problem = problem_of(project)
        assert (problem.deadline.isoformat(), problem.version) == (in_days(45), 2)
        assert Event.objects.filter(problem=problem, action="assign", actor=user).exists()
    elif base == "problems:step":
        problem = problem_of(project)
        assert (problem.status, problem.version) == (STEP_STATUS_AFTER[action], 2)
        assert Event.objects.filter(problem=problem, action=action, actor=user, text=f"矩阵{action}").exists()
        if action == "extend":
            assert problem.deadline.isoformat() == in_days(60)
        if action == "escalate":
            assert (problem.level, problem.coordinating_leader_id) == (5, world.city.contact_leader.pk)
        if action == "resolve":
            assert problem.resolution == "矩阵resolve"
        if action == "close":
            assert problem.closed_on == local_today()
        if action == "reopen":
            assert problem.closed_on is None
    elif base == "problems:attach":
        attachment = Attachment.objects.get(problem=problem_of(project), name="矩阵上传.pdf")
        with attachment.file.open("rb") as handle:
            assert attachment.uploaded_by == user and handle.read().startswith(b"%PDF-1.4")
        assert Event.objects.filter(problem=problem_of(project), action="attach", actor=user).exists()
    elif base == "problems:problem_order":
        order = SupervisionOrder.objects.get(problem=problem_of(project))
        assert (order.basis, order.content, order.issued_by, order.status) == ("problem", "矩阵问题督办", user, "issued")
        assert order.number == f"督办〔{local_today().year}〕{order.seq}号" and order.seq >= 1
    elif base == "problems:attachment_delete":
        assert not Attachment.objects.filter(name=ATTACHMENT_NAME).exists()
    elif base == "problems:order_new":
        order = SupervisionOrder.objects.get(project=project, content="矩阵项目督办")
        assert (order.basis, order.issued_by, order.year) == ("project", user, local_today().year)
        assert Event.objects.filter(order=order, action="issue", actor=user).exists()
    elif base == "problems:order_step":
        order = order_of(project)
        assert (order.status, order.version) == (ORDER_STEP_STATUS_AFTER[action], 2)
        assert Event.objects.filter(order=order, action=action, actor=user, text=f"矩阵{action}").exists()
        if action == "reply":
            assert (order.plan, order.rectify_by.isoformat()) == ("矩阵reply", in_days(50))
        if action == "return":
            assert order.reply_by.isoformat() == in_days(7)
    elif base == "problems:order_attach":
        attachment = Attachment.objects.get(order=order_of(project), name="矩阵上传.pdf")
        assert attachment.uploaded_by == user
    elif base in {"problems:meeting_new", "problems:inspection_new"}:
        model = Meeting if "meeting" in base else Inspection
        gathering = model.objects.get(title="矩阵新会议" if model is Meeting else "矩阵新督查")
        assert gathering.created_by == user and list(gathering.projects.all()) == [world.own]
    elif base in {"problems:meeting_edit", "problems:inspection_edit"}:
        gathering = gathering_of(base, project)
        assert gathering.title.endswith("（已修改）") and gathering.version == 2
    elif base == "problems:meeting_decide":
        problem = Problem.objects.get(meeting=gathering_of(base, project), description="矩阵会议交办")
        assert (problem.project_id, problem.source, problem.raised_by) == (project.pk, "meeting", user)
    elif base == "problems:inspection_decide":
        order = SupervisionOrder.objects.get(inspection=gathering_of(base, project), content="矩阵督查督办")
        assert (order.project_id, order.issued_by, order.reply_by.isoformat()) == (project.pk, user, in_days(5))
    elif base == "problems:meeting_attach":
        assert Attachment.objects.get(meeting=gathering_of(base, project), name="矩阵上传.pdf").uploaded_by == user
    elif base == "problems:inspection_photos":
        photo = InspectionPhoto.objects.get(inspection=gathering_of(base, project), caption="矩阵督查照片")
        assert (photo.project_id, photo.content_type, photo.uploaded_by) == (project.pk, "image/png", user)
    else:
        raise AssertionError(f"no check for the write of {name}")
    return True


def assert_saved(name: str, project: Project | None, before_count: int, world=None, user=None):
    from tuijin.reports.models import Reminder, ReportPeriod

    if assert_schedule_saved(name, project, user) or assert_problems_saved(name, project, world, user):
        return
    if name.startswith("jobs:"):
        assert_job_saved(project)
        return
    if name.startswith("accounts:"):
        assert_accounts_saved(name, world, user)
        return
    if name == "reminders:preferences":
        from tuijin.reminders.models import Preference

        assert Preference.objects.get(user=user).channels == ""
        return
    if name == "reminders:delivery_retry":
        from tuijin.reminders.models import Delivery

        assert Delivery.objects.get(text="矩阵外发").status == "pending"
        return
    if name.startswith("dashboards:"):
        assert_dashboards_saved(name, world)
        return
    if name.startswith("scoring:"):
        assert_scoring_saved(name, world, user)
        return
    if name.startswith("bulletins:"):
        assert_bulletins_saved(name, world)
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
    if name == "reports:import":
        report = report_of(world, project)
        assert (report.state, str(report.amount), report.progress) == ("draft", "66.60", "矩阵导入")
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
    elif name == "projects:admission":
        assert (fresh.admission, fresh.version) == ("admitted", project.version + 1)
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
def media_files(settings):
    """media_files() → the files under MEDIA_ROOT, so a refused upload is seen to store nothing too."""

    def files() -> list[str]:
        media = Path(settings.MEDIA_ROOT)
        return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())

    return files


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
        yield SimpleNamespace(city=city, own=own, other=other, period=period, sessions=principal_sessions(city))
        transaction.set_rollback(True)


def principal_sessions(city) -> dict[str, str]:
    """One signed-in session per principal, made once for the module (in its outer transaction): a case
    sends its principal's session cookie instead of logging in again (a login writes the session, the
    user's last_login and the sign-in signals: a quarter of a case's time). What a case's request does to
    the session is rolled back with the case. The sessions outlive a slow run (6 hours, not the 30-minute
    idle limit, which a case's rolled-back refresh could not slide)."""
    sessions = {}
    for name, user in city.users.items():
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        session = client.session
        session.set_expiry(6 * 3600)
        session.save()
        sessions[name] = session.session_key
    return sessions


def sign_in(client, world, principal: str) -> None:
    """The client carries `principal`'s session (principal_sessions); anonymous: none."""
    key = world.sessions.get(principal)
    if key is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "obj", "principal", "outcome"),
    CASES,
    ids=[f"{n}-{m}-{o}-{p}" for n, m, o, p, _ in CASES],
)
def test_each_principal_gets_the_expected_answer_from_each_url(client, world, media_files, name, method, obj, principal, outcome):
    # "wrong" (a step's object in the wrong status) and an own order's or meeting's attachment: own project
    project = {"own": world.own, "other": world.other, "wrong": world.own, "order": world.own, "meeting": world.own}.get(obj)
    regions, user = world.city.regions, world.city.users[principal]
    if name in IMPORT_BATCH_URLS:
        project = import_batch(obj, principal, world.city)
    if name.startswith("jobs:") and obj != "-":
        project = matrix_job(obj, principal, world.city)
    if user is not None:
        sign_in(client, world, principal)
    prepare(name, project, world, obj)
    url = url_for(name, project, world)
    files = media_files()
    before_count = Project.objects.count()
    form = payload(name, obj, project, regions, world) if method == "POST" else None

    with record_writes() as writes:
        response = client.get(url) if method == "GET" else client.post(url, form)
    if name in IMPORT_BATCH_URLS:
        drop_stored_file(project)

    redirects = {"login": None, "→/": "/", "→login": reverse("login")}
    if outcome in redirects:
        assert response.status_code == 302, response.content.decode()[:500]
        location = response["Location"]
        if outcome == "login":
            assert location.startswith(reverse("login") + "?next=")
        else:
            assert location == redirects[outcome]
        assert_nothing_written(writes, media_files, files)
    elif outcome in {"ok", "form"}:
        assert response.status_code == 200
        assert_nothing_written(writes, media_files, files)
        if name == "dashboards:map_data":
            seen = Project.objects.visible_to(user).filter(pk__in=[world.own.pk, world.other.pk])
            assert {p["id"] for p in response.json()["points"]} == set(seen.values_list("pk", flat=True))
        if name in {"schedules:milestone_photo", "problems:inspection_photo"}:
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        if name == "problems:attachment":
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content) == pdf_bytes()
        if outcome == "form":
            assert "选择一个有效的选项" in response.content.decode() or "这个字段是必填项" in response.content.decode()
    elif outcome == "saved":
        assert response.status_code == 302, _errors(response)
        assert_saved(name, project, before_count, world, user)
    else:
        assert response.status_code == int(outcome)
        assert_nothing_written(writes, media_files, files)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("name", sorted({n for n, *_ in CASES}))
def test_other_http_methods_never_write(client, world, media_files, name, method):
    """PUT/PATCH/DELETE as the superuser: refused (405) or treated as a read, never a write."""
    sign_in(client, world, "admin")
    target = import_batch("own", "admin", world.city) if name in IMPORT_BATCH_URLS else world.own
    if name.startswith("jobs:"):
        target = matrix_job("own", "admin", world.city)
    prepare(name, target, world)
    url, files = url_for(name, target, world), media_files()
    with record_writes() as writes:
        response = getattr(client, method)(url, data="", content_type="application/x-www-form-urlencoded")
    if name in IMPORT_BATCH_URLS:
        drop_stored_file(target)
    assert response.status_code in {200, 302, 405}
    assert_nothing_written(writes, media_files, files)


def assert_nothing_written(writes, media_files, files_before) -> None:
    """No INSERT, UPDATE or DELETE reached a domain table (tests/writes.py) and no file was stored."""
    assert [str(write) for write in writes.domain()] == []
    assert media_files() == files_before


def _errors(response) -> str:
    context = getattr(response, "context", None)
    form = context.get("form") if context else None
    return f"form errors: {form.errors.as_json()}" if form is not None else response.content.decode()[:300]
# ------------------------------------------------------------------------ the write detector itself


@pytest.mark.django_db
def test_the_write_detector_catches_a_view_that_writes(client, world, media_files):
    """A saving POST (archive) is seen: its UPDATE of the project and its history row both count."""
    client.force_login(world.city.users["admin"])
    files = media_files()
    with record_writes() as writes:
        response = client.post(reverse("projects:archive", args=[world.own.pk]),
                               {"version": world.own.version, "reason": "项目取消"})
    assert response.status_code == 302 and Project.objects.get(pk=world.own.pk).is_archived
    tables = {(write.verb, write.table) for write in writes.domain()}
    assert {("UPDATE", Project._meta.db_table), ("INSERT", Project.history.model._meta.db_table)} <= tables
    with pytest.raises(AssertionError):
        assert_nothing_written(writes, media_files, files)


@pytest.mark.django_db
def test_the_write_detector_catches_any_table_and_a_stored_file(world, media_files):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tuijin.org.models import Unit

    files = media_files()
    with record_writes() as writes:
        Unit.objects.filter(pk=world.city.units.land.pk).update(name="改名")
        Unit.objects.filter(pk=-1).update(name="无此单位")  # matches no row: nothing written
    assert [(write.verb, write.table, write.rows) for write in writes.domain()] == [("UPDATE", Unit._meta.db_table, 1)]
    with record_writes() as writes:
        default_storage.save("matrix/leak.txt", ContentFile(b"x"))
    assert writes.domain() == []
    with pytest.raises(AssertionError):
        assert_nothing_written(writes, media_files, files)


@pytest.mark.django_db
def test_the_write_detector_lets_sessions_and_read_marks_through_but_not_new_messages(world):
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from tuijin.core.models import Notification
    from tuijin.core.notify import notify

    reporter = world.city.users["reporter_a"]
    with record_writes() as writes:
        store = SessionStore()
        store["k"] = 1
        store.save()
        notify([reporter], "矩阵消息", "/reports/")
        Notification.objects.filter(user=reporter).update(read_at=timezone.now())
    assert {write.table for write in writes} >= {"django_session", Notification._meta.db_table}
    assert [(write.verb, write.table) for write in writes.domain()] == [("INSERT", Notification._meta.db_table)]


# ------------------------------------------------------------------------------------- scoring

def matrix_scheme_config(world) -> dict:
    regions = world.city.regions
    return {"series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
                        "members": [regions.lanshan.pk, regions.luozhuang.pk]}],
            "indicators": [
                {"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "60",
                 "curve": {"kind": "linear", "target": "100"}},
                {"code": "quality", "name": "工程质量", "source": "manual", "weight": "10",
                 "curve": {"kind": "linear", "target": "10"}},
                {"code": "pitch", "name": "擂台赛", "source": "judges", "weight": "20",
                 "curve": {"kind": "linear", "target": "100"}}]}


def matrix_period() -> str:
    return f"{current_year()}-{date.today().month:02d}"


def prepare_scoring(world, *, published: bool) -> None:
    """A scheme of the two districts with a draft run of this month (published when asked) and an
    exemption, kept on `world.scoring` for the case's URL and payload."""
    from tuijin.scoring import services as scoring_services

    scheme = scoring_services.scheme_save(None, None, config=matrix_scheme_config(world), code="matrix",
                                          name="矩阵方案", period_kind="month")
    run = scoring_services.run_compute(None, scheme, matrix_period())
    if published:
        run = scoring_services.run_publish(None, run, version=run.version)
    exemption = scoring_services.exemption_add(world.city.users["dispatcher"], scheme,
                                               subject=("region", world.city.regions.lanshan.pk), reason="汛期停工",
                                               starts=date(current_year(), 1, 1), ends=date(current_year(), 12, 31))
    world.scoring = SimpleNamespace(scheme=scheme, run=run, exemption=exemption)


SCORING_SCHEME_URLS = {"scoring:scheme", "scoring:edit", "scoring:export", "scoring:compute", "scoring:exemption_add"}


def scoring_url(name: str, world) -> str:
    scene = world.scoring
    if name in SCORING_SCHEME_URLS:
        return reverse(name, args=[scene.scheme.pk])
    if name in {"scoring:exemption_delete", "scoring:exemption_edit"}:
        return reverse(name, args=[scene.exemption.pk])
    if name == "scoring:point":
        return f"{reverse(name, args=[scene.run.pk])}?subject=region:{world.city.regions.lanshan.pk}&indicator=plan"
    if name in {"scoring:list", "scoring:preset_install", "scoring:import", "scoring:new"}:
        return reverse(name)
    return reverse(name, args=[scene.run.pk])


def scoring_editor_post(world, code: str, name: str, version="") -> dict:
    regions = world.city.regions
    return {"code": code, "name": name, "period_kind": "month", "version": version,
            "series_rows": "1", "s-0-name": "县区", "s-0-kind": "region", "s-0-red": "1", "s-0-black": "1",
            "s-0-members": [f"region:{regions.lanshan.pk}", f"region:{regions.luozhuang.pk}"], "indicator_rows": "1",
            "i-0-code": "plan", "i-0-name": "年计划完成率", "i-0-source": "figure", "i-0-figure": "plan_rate",
            "i-0-weight": "60", "i-0-kind": "linear", "i-0-target": "100", "i-0-higher_is_better": "1"}


def scoring_payload(name: str, world) -> dict:
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuijin.scoring import selectors as scoring_selectors

    scene, lanshan = world.scoring, world.city.regions.lanshan.pk
    if name == "scoring:preset_install":
        return {"preset": "mianyang-boards"}
    if name == "scoring:import":
        document = {**scoring_selectors.scheme_document(scene.scheme), "code": "matrix-import"}
        return {"file": SimpleUploadedFile("scheme.json", json.dumps(document, ensure_ascii=False).encode())}
    if name == "scoring:new":
        return scoring_editor_post(world, "matrix-new", "矩阵新方案")
    if name == "scoring:edit":
        return scoring_editor_post(world, "matrix", "矩阵方案（已修改）", scene.scheme.version)
    if name == "scoring:compute":
        return {"period": f"{current_year() - 1}-12"}
    if name == "scoring:exemption_add":
        return {"subject": f"region:{world.city.regions.luozhuang.pk}", "reason": "不可抗力",
                "starts": f"{current_year()}-01-01", "ends": f"{current_year()}-12-31"}
    if name == "scoring:exemption_edit":
        return {"reason": "汛期停工（延长）", "starts": f"{current_year()}-01-01", "ends": f"{current_year()}-12-31",
                "version": scene.exemption.version}
    if name == "scoring:exemption_delete":
        return {"version": scene.exemption.version}
    if name == "scoring:sheet":
        return {f"score-quality-region:{lanshan}": "8", f"score-pitch-region:{lanshan}": "80"}
    if name == "scoring:veto":
        return {"subject": f"region:{lanshan}", "reason": "安全事故"}
    if name in {"scoring:publish", "scoring:delete"}:
        return {"version": scene.run.version}
    return {}


def assert_scoring_saved(name: str, world, user) -> None:
    from tuijin.scoring.models import Exemption, ManualScore, Run, Scheme, Veto

    scene = world.scoring
    if name == "scoring:preset_install":
        assert Scheme.objects.filter(code="mianyang-boards").exists()
    elif name == "scoring:import":
        assert Scheme.objects.get(code="matrix-import").config == scene.scheme.config
    elif name == "scoring:new":
        assert Scheme.objects.filter(code="matrix-new", name="矩阵新方案").exists()
    elif name == "scoring:edit":
        assert Scheme.objects.get(pk=scene.scheme.pk).name == "矩阵方案（已修改）"
    elif name == "scoring:compute":
        assert Run.objects.filter(scheme=scene.scheme, period_end=date(current_year() - 1, 12, 31)).exists()
    elif name == "scoring:exemption_add":
        assert Exemption.objects.filter(scheme=scene.scheme, reason="不可抗力").exists()
    elif name == "scoring:exemption_edit":
        assert Exemption.objects.get(pk=scene.exemption.pk).reason == "汛期停工（延长）"
    elif name == "scoring:exemption_delete":
        assert not Exemption.objects.filter(pk=scene.exemption.pk).exists()
    elif name == "scoring:sheet":
        assert ManualScore.objects.filter(run=scene.run, judge=user).exists()
    elif name == "scoring:veto":
        assert Veto.objects.filter(run=scene.run, reason="安全事故").exists()
    elif name == "scoring:recompute":
        assert Run.objects.get(pk=scene.run.pk).version == scene.run.version + 1
    elif name == "scoring:publish":
        assert Run.objects.get(pk=scene.run.pk).state == "published"
    elif name == "scoring:delete":
        assert not Run.objects.filter(pk=scene.run.pk).exists()
    else:
        raise AssertionError(f"no saved-check for {name}")


# ------------------------------------------------------------------------------------- bulletins


def prepare_bulletins(world, obj: str) -> None:
    """The city's bulletin (a draft, or published), 罗庄区's published edition and the example template,
    kept on `world.bulletins`."""
    from tuijin.bulletins import services as bulletin_services
    from tuijin.bulletins.render_docx import example_template

    regions = world.city.regions
    period = matrix_period()
    draft = bulletin_services.bulletin_create(None, period=period, region=regions.city)
    draft = bulletin_services.bulletin_save(None, draft, version=draft.version, title=draft.title, issuer=draft.issuer,
                                            texts={"next_steps": "一是加快项目建设。"})
    city = draft
    if obj == "published":
        city = bulletin_services.bulletin_publish(None, draft, version=draft.version)
    district = bulletin_services.bulletin_create(None, period=period, region=regions.luozhuang)
    district = bulletin_services.bulletin_save(None, district, version=district.version, title=district.title,
                                               issuer=district.issuer, texts={"next_steps": "抓好落实。"})
    district = bulletin_services.bulletin_publish(None, district, version=district.version)
    template = bulletin_services.template_upload(None, name="矩阵模板", data=example_template())
    world.bulletins = SimpleNamespace(city=city, district=district, template=template, obj=obj)


@pytest.fixture(autouse=True)
def _pdf_stand_in(monkeypatch):
    """The bulletins' PDF conversion (LibreOffice, seconds per call) replaced by a stand-in here."""
    from tuijin.bulletins import pdf

    monkeypatch.setattr(pdf, "docx_to_pdf", lambda data, **kwargs: b"%PDF-1.4 matrix")


def bulletins_url(name: str, world) -> str:
    scene = world.bulletins
    if name in {"bulletins:list", "bulletins:new", "bulletins:templates", "bulletins:template_example"}:
        return reverse(name)
    if name == "bulletins:template_delete":
        return reverse(name, args=[scene.template.pk])
    target = scene.district if scene.obj == "district" else scene.city
    return reverse(name, args=[target.pk])


def bulletins_payload(name: str, world) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tuijin.bulletins.render_docx import example_template

    scene = world.bulletins
    if name == "bulletins:new":
        return {"period": matrix_period(), "region": world.city.regions.city.pk}
    if name == "bulletins:detail":
        return {"version": scene.city.version, "title": "矩阵通报（已修改）", "issuer": scene.city.issuer,
                "text_next_steps": "一是加快项目建设。"}
    if name in {"bulletins:publish", "bulletins:delete"}:
        return {"version": scene.city.version}
    if name == "bulletins:correct":
        return {"correction": "附件1数据有误"}
    if name == "bulletins:templates":
        return {"name": "矩阵新模板", "file": SimpleUploadedFile("t.docx", example_template())}
    if name == "bulletins:template_delete":
        return {"version": scene.template.version}
    return {}


def assert_bulletins_saved(name: str, world) -> None:
    from tuijin.bulletins.models import Bulletin, Template

    scene = world.bulletins
    if name == "bulletins:new":
        assert Bulletin.objects.filter(region=world.city.regions.city, state="draft").count() == 2
    elif name == "bulletins:detail":
        assert Bulletin.objects.get(pk=scene.city.pk).title == "矩阵通报（已修改）"
    elif name == "bulletins:publish":
        assert Bulletin.objects.get(pk=scene.city.pk).number == 1
    elif name == "bulletins:delete":
        assert not Bulletin.objects.filter(pk=scene.city.pk).exists()
    elif name == "bulletins:correct":
        assert Bulletin.objects.filter(corrects=scene.city, correction="附件1数据有误", state="draft").exists()
    elif name == "bulletins:templates":
        assert Template.objects.filter(name="矩阵新模板").exists()
    elif name == "bulletins:template_delete":
        assert not Template.objects.filter(pk=scene.template.pk).exists()
    else:
        raise AssertionError(f"no saved-check for {name}")


def prepare_dashboards(world, obj: str) -> None:
    """A display token of the city issued by the dispatcher: in force ("valid", "city"), revoked, or past its
    last day ("expired"); kept with its secret on `world.screen`."""
    from tuijin.dashboards import services as screen_services
    from tuijin.dashboards.models import DisplayToken

    dispatcher = world.city.users["dispatcher"]
    token, secret = screen_services.display_token_issue(dispatcher, name="矩阵大屏", region=world.city.regions.city,
                                                        expires_on=local_today() + timedelta(days=30))
    if obj == "revoked":
        token = screen_services.display_token_revoke(dispatcher, token, version=token.version, reason="矩阵撤销")
    if obj == "expired":
        DisplayToken.objects.filter(pk=token.pk).update(expires_on=local_today() - timedelta(days=1))
    world.screen = SimpleNamespace(token=token, secret=secret)


def dashboards_url(name: str, world, project=None) -> str:
    if name.startswith("dashboards:cockpit"):
        return reverse(name) + (f"?region={project.region_id}" if project is not None else "")
    if name in {"dashboards:token_screen", "dashboards:token_screen_data"}:
        return reverse(name, args=[world.screen.secret])
    if name == "dashboards:token_revoke":
        return reverse(name, args=[world.screen.token.pk])
    return reverse(name)


def dashboards_payload(name: str, world) -> dict:
    if name == "dashboards:tokens":
        return {"name": "矩阵新令牌", "region": world.city.regions.lanshan.pk,
                "expires_on": (local_today() + timedelta(days=7)).isoformat()}
    if name == "dashboards:token_revoke":
        return {"version": world.screen.token.version, "reason": "矩阵撤销"}
    return {}


def assert_dashboards_saved(name: str, world) -> None:
    from tuijin.dashboards.models import DisplayToken

    if name == "dashboards:tokens":
        assert DisplayToken.objects.filter(name="矩阵新令牌", region=world.city.regions.lanshan).exists()
    elif name == "dashboards:token_revoke":
        assert DisplayToken.objects.get(pk=world.screen.token.pk).revoke_reason == "矩阵撤销"
    else:
        raise AssertionError(f"no saved-check for {name}")
