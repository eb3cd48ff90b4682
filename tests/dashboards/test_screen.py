"""The big screen (大屏) and its display tokens: issuing (hashed, scoped, expiring, with history), what a
token's screen shows (the figures layer's numbers for its region only), revocation and expiry, bad input,
and that a token opens nothing but its screen."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from tuijin.alerts.models import Alert, AlertRule
from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.dashboards import services
from tuijin.dashboards.models import DisplayToken
from tuijin.dashboards.selectors import screen as selectors
from tuijin.figures.selectors import figures
from tuijin.figures.views import default_period
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.problems.models import Problem, ProblemType, SupervisionOrder
from tuijin.projects.choices import Light
from tuijin.projects.models import Project

from .. import factories as f
from ..writes import record_writes


@pytest.fixture(autouse=True)
def _chinese():
    """The services' words (history reasons, messages) in Chinese: a request in English leaves its language
    active in the thread after it, as Django does."""
    with translation.override("zh-hans"):
        yield


def today():
    return timezone.localdate()


def in_days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def issue(city, region=None, *, user="dispatcher", name="市政府会议室大屏", days=30):
    return services.display_token_issue(city.users[user], name=name, region=(region or city.regions.city).pk,
                                        expires_on=in_days(days))


def token_url(secret: str, data: bool = False) -> str:
    return reverse("dashboards:token_screen_data" if data else "dashboards:token_screen", args=[secret])


def red(project, reason: str) -> None:
    """A red light on `project` with one active alert saying why (as the warning engine leaves it)."""
    rule = AlertRule.objects.filter(dimension="investment_lag").first()
    now = timezone.now()
    Alert.objects.create(project=project, rule=rule, dimension=rule.dimension, level=Light.RED, value=40,
                         reason=reason, first_seen=now, last_seen=now, level_since=now)
    Project.objects.filter(pk=project.pk).update(light=Light.RED)


def overdue_problem(project, unit, text: str) -> Problem:
    return Problem.objects.create(project=project, type=ProblemType.objects.get(name="用地"), description=text,
                                  handling_unit=unit, raised_on=today() - timedelta(days=30), raised_by=None,
                                  deadline=today() - timedelta(days=5), status="handling")


def overdue_order(project, unit, seq: int, issued_by) -> SupervisionOrder:
    return SupervisionOrder.objects.create(year=today().year, seq=seq, project=project, basis="project", unit=unit,
                                           content=f"督办{seq}", reply_by=today() - timedelta(days=2),
                                           rectify_by=today() + timedelta(days=40), status="issued",
                                           issued_by=issued_by, issued_on=today() - timedelta(days=20))


@pytest.fixture
def scene(city, own_project, other_project):
    """Both districts' projects, each with a red light and an overdue problem; the other an overdue order."""
    red(own_project, "兰山红灯原因")
    red(other_project, "罗庄红灯原因")
    overdue_problem(own_project, city.units.land, "兰山逾期问题")
    overdue_problem(other_project, city.units.luozhuang_government, "罗庄逾期问题")
    overdue_order(other_project, city.units.luozhuang_government, 77, city.users["dispatcher"])
    return city


def lanshan_office(city):
    """A dispatcher of 兰山区 (the district's own 推进办)."""
    return f.member("lanshan_office", "兰山调度", city.units.lanshan_government, Role.DISPATCHER)


# ------------------------------------------------------------------------------------------ issuing


def test_a_dispatcher_issues_a_token_that_is_stored_only_as_its_hash(city):
    token, secret = issue(city)
    assert len(secret) == 43
    stored = DisplayToken.objects.get()
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.hint == secret[-4:]
    assert (stored.name, stored.region, stored.expires_on.isoformat()) == ("市政府会议室大屏", city.regions.city, in_days(30))
    assert stored.issued_by == city.users["dispatcher"] and stored.revoked_at is None
    everything = json.dumps([list(DisplayToken.objects.values()), list(DisplayToken.history.values())], default=str)
    assert secret not in everything
    assert selectors.token_by_secret(secret) == token
    assert selectors.token_by_secret(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_issuing_keeps_history_of_who_issued_what(city):
    token, _secret = issue(city)
    record = token.history.get()
    assert record.history_type == "+" and record.history_user == city.users["dispatcher"]
    assert record.history_change_reason == f"签发展示令牌：市政府会议室大屏（临沂市，有效期至{in_days(30)}）"


def test_two_tokens_never_share_a_secret(city):
    (_a, first), (_b, second) = issue(city), issue(city)
    assert first != second
    assert DisplayToken.objects.count() == 2


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": ""}, "name", "请填写名称，如“市政府三楼会议室大屏”"),
    ({"name": "会" * 51}, "name", "名称不能超过50个字"),
    ({"region": ""}, "region", "请选择展示范围"),
    ({"region": "abc"}, "region", "请选择展示范围"),
    ({"region": "99999999999999999999"}, "region", "请选择展示范围"),
    ({"region": "province"}, "region", "只能为本单位负责的区域或其下级区域签发"),
    ({"expires_on": ""}, "expires_on", "请填写有效期"),
    ({"expires_on": "明年"}, "expires_on", "有效期格式不正确，应为 2026-12-31"),
    ({"expires_on": "yesterday"}, "expires_on", "有效期不能早于今天"),
    ({"expires_on": "too late"}, "expires_on", "有效期最长一年"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(city, fields, field, message):
    values = {"name": "会议室大屏", "region": str(city.regions.city.pk), "expires_on": in_days(30), **fields}
    if values["region"] == "province":
        values["region"] = str(city.regions.province.pk)  # above the dispatcher's city
    values["expires_on"] = {"yesterday": in_days(-1), "too late": in_days(367)}.get(values["expires_on"], values["expires_on"])
    with record_writes() as writes, pytest.raises(ValidationError) as error:
        services.display_token_issue(city.users["dispatcher"], **values)
    assert any(text.startswith(message) for text in error.value.message_dict[field])
    assert [str(w) for w in writes.domain()] == []
    assert not DisplayToken.objects.exists() and not DisplayToken.history.exists()


def test_the_page_shows_bad_input_in_chinese_and_writes_nothing(client, city):
    client.force_login(city.users["dispatcher"])
    with record_writes() as writes:
        response = client.post(reverse("dashboards:tokens"), {"name": "", "region": city.regions.city.pk,
                                                              "expires_on": in_days(-3)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写名称" in page and "有效期不能早于今天" in page
    assert [str(w) for w in writes.domain()] == []
    assert not DisplayToken.objects.exists()


def test_a_district_office_issues_only_for_its_district(city):
    office = lanshan_office(city)
    token, _secret = services.display_token_issue(office, name="兰山会议室", region=city.regions.lanshan.pk,
                                                  expires_on=in_days(7))
    assert token.region == city.regions.lanshan
    for region in (city.regions.city, city.regions.luozhuang):
        with pytest.raises(ValidationError) as error:
            services.display_token_issue(office, name="越权", region=region.pk, expires_on=in_days(7))
        assert error.value.message_dict["region"] == ["只能为本单位负责的区域或其下级区域签发"]
    assert DisplayToken.objects.count() == 1


@pytest.mark.parametrize("principal", ["leader", "reporter_a", "handler", "inspector", "dept_reporter", "outsider"])
def test_only_the_office_issues_tokens(city, principal):
    with pytest.raises(PermissionDenied):
        services.display_token_issue(city.users[principal], name="大屏", region=city.regions.lanshan.pk,
                                     expires_on=in_days(7))
    assert not DisplayToken.objects.exists()


def test_the_address_is_shown_once_after_issuing(client, city):
    client.force_login(city.users["dispatcher"])
    response = client.post(reverse("dashboards:tokens"), {"name": "三楼会议室", "region": city.regions.city.pk,
                                                          "expires_on": in_days(30)})
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:tokens")
    page = client.get(reverse("dashboards:tokens")).content.decode()
    token = DisplayToken.objects.get()
    shown = page.split('id="new-token-url" readonly value="', 1)[1].split('"', 1)[0]
    secret = shown.rstrip("/").rsplit("/", 1)[1]
    assert shown == f"http://testserver/dashboards/screen/{secret}/"
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    again = client.get(reverse("dashboards:tokens")).content.decode()
    assert secret not in again and 'id="new-token-url"' not in again
    assert "三楼会议室" in again and f"…{token.hint}" in again


def test_the_token_page_costs_the_same_queries_whatever_the_number_of_tokens(client, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(city.users["dispatcher"])
    issue(city), issue(city, city.regions.lanshan)
    client.get(reverse("dashboards:tokens"))  # the session's first request reads and renews it
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("dashboards:tokens")).status_code == 200
    for region in (city.regions.luozhuang, city.regions.city, city.regions.lanshan, city.regions.luozhuang):
        issue(city, region)
    services.display_token_revoke(city.users["dispatcher"], DisplayToken.objects.first(), version=1)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("dashboards:tokens"))
    assert page.content.decode().count('data-token="') == 6
    assert len(many) == len(few)


# ------------------------------------------------------------------------------------ what it shows


def test_a_token_opens_its_screen_without_a_sign_in(client, scene):
    _token, secret = issue(scene)
    page = client.get(token_url(secret))
    assert page.status_code == 200
    assert "临沂市重点项目建设推进情况" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "sessionid" not in page.cookies
    response = client.get(token_url(secret, data=True))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    total = figures(scene.users["dispatcher"], period=default_period(), keys=selectors.KEYS).total
    tiles = {tile["key"]: tile for tile in data["headline"]}
    assert tiles["projects"]["value"] == "2" == str(total["projects"])
    assert tiles["annual_plan"]["raw"] == str(total["annual_plan"]) == "7000.00"
    assert (tiles["annual_plan"]["value"], tiles["annual_plan"]["unit"]) == ("7,000.00", "万元")  # below 1亿元
    assert tiles["plan_rate"]["raw"] == (None if total["plan_rate"] is None else str(total["plan_rate"]))
    assert data["breakdown"]["title"] == "各县区年计划完成率"
    assert {d["name"] for d in data["breakdown"]["rows"]} == {"兰山区", "罗庄区"}
    assert data["lights"]["red"] == 2 and data["red"]["count"] == 2
    assert {row["text"] for row in data["red"]["rows"]} == {"兰山红灯原因", "罗庄红灯原因"}
    assert (data["overdue"]["problems"], data["overdue"]["orders"]) == (2, 1)
    assert [row["days_text"] for row in data["overdue"]["rows"]] == ["逾期5天", "逾期5天", "逾期2天"]


def test_a_district_token_shows_only_its_district(client, scene, own_project):
    _token, secret = issue(scene, scene.regions.lanshan)
    data = client.get(token_url(secret, data=True)).json()
    assert data["title"] == "兰山区重点项目建设推进情况"
    tiles = {tile["key"]: tile for tile in data["headline"]}
    assert tiles["projects"]["value"] == "1"
    assert tiles["annual_plan"]["raw"] == "2000.00"
    assert data["breakdown"]["title"] == "各类别项目年计划完成率"  # one district: by category instead
    assert [d["name"] for d in data["breakdown"]["rows"]] == [own_project.category.parent.name]
    assert [row["name"] for row in data["red"]["rows"]] == [own_project.name]
    assert [row["text"] for row in data["overdue"]["rows"]] == ["用地：兰山逾期问题"]
    assert "罗庄" not in json.dumps(data, ensure_ascii=False)


def test_a_token_reads_what_a_leader_of_its_region_sees(scene, own_project):
    viewer = selectors.token_viewer(issue(scene, scene.regions.lanshan)[0])
    assert list(Project.objects.visible_to(viewer)) == [own_project]
    assert [p.description for p in Problem.objects.visible_to(viewer)] == ["兰山逾期问题"]
    assert not SupervisionOrder.objects.visible_to(viewer).exists()
    assert not Project.objects.editable_by(viewer).exists()
    city_viewer = selectors.token_viewer(issue(scene)[0])
    assert Project.objects.visible_to(city_viewer).count() == 2


def test_the_data_takes_no_parameter_that_widens_it(client, scene):
    _token, secret = issue(scene, scene.regions.lanshan)
    plain = client.get(token_url(secret, data=True)).json()
    widened = client.get(token_url(secret, data=True), {"region": scene.regions.city.pk, "by": "unit",
                                                        "period": "2020-01"}).json()
    for data in (plain, widened):
        data.pop("generated_at"), data.pop("generated_text")
    assert widened == plain


def test_the_screen_shows_the_latest_published_board(client, scene):
    from tuijin.scoring import services as scoring

    config = {"series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
                          "members": [scene.regions.lanshan.pk, scene.regions.luozhuang.pk]}],
              "indicators": [{"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate",
                              "weight": "100", "curve": {"kind": "linear", "target": "100"}}]}
    scheme = scoring.scheme_save(None, None, config=config, code="screen", name="县区月度考核",
                                 period_kind="month")
    _token, secret = issue(scene)
    assert client.get(token_url(secret, data=True)).json()["board"] is None  # no published run yet
    draft = scoring.run_compute(None, scheme, default_period())
    assert client.get(token_url(secret, data=True)).json()["board"] is None  # a draft is never shown
    run = scoring.run_publish(None, draft, version=draft.version)
    board = client.get(token_url(secret, data=True)).json()["board"]
    assert board["scheme"] == "县区月度考核" and board["number"] == f"{run.year}年第{run.number}期"
    results = list(run.results.order_by("rank", "id"))
    assert [s["name"] for s in board["series"]] == ["县区"]
    assert [x["name"] for x in board["series"][0]["red"]] == [r.subject_name for r in results if r.board == "red"]
    assert [x["name"] for x in board["series"][0]["black"]] == [r.subject_name for r in results if r.board == "black"]
    assert board["series"][0]["red"] and {r.subject_name for r in results} == {"兰山区", "罗庄区"}


def test_a_signed_in_user_opens_the_screen_of_their_own_scope(client, scene):
    client.force_login(scene.users["reporter_a"])
    assert client.get(reverse("dashboards:screen")).status_code == 200
    data = client.get(reverse("dashboards:screen_data")).json()
    assert data["title"] == "兰山区重点项目建设推进情况"
    assert data["breakdown"]["by"] == "category"
    client.logout()
    response = client.get(reverse("dashboards:screen_data"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_screen_is_english_for_an_english_reader(client, scene):
    from django.conf import settings

    _token, secret = issue(scene)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = client.get(token_url(secret, data=True)).json()
    assert data["red"]["title"] == "Red-light projects"
    page = client.get(token_url(secret)).content.decode()
    assert "Board of the period" in page


# ------------------------------------------------------------------------------------ revoke, expire


def test_a_revoked_token_shows_a_chinese_message_and_keeps_the_history(client, scene):
    token, secret = issue(scene)
    services.display_token_revoke(scene.users["dispatcher"], token, version=token.version, reason="会议室换屏")
    token.refresh_from_db()
    assert token.revoked_by == scene.users["dispatcher"] and token.revoke_reason == "会议室换屏"
    page = client.get(token_url(secret))
    assert page.status_code == 410
    assert "该大屏链接已于" in page.content.decode() and "撤销" in page.content.decode()
    assert "临沂市重点项目建设推进情况" not in page.content.decode()
    data = client.get(token_url(secret, data=True))
    assert data.status_code == 410 and data.json()["message"].startswith("该大屏链接已于")
    assert "headline" not in data.json()
    reasons = list(token.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == [f"签发展示令牌：市政府会议室大屏（临沂市，有效期至{in_days(30)}）",
                       "撤销展示令牌：市政府会议室大屏（会议室换屏）"]


def test_a_token_is_revoked_once_and_a_stale_form_changes_nothing(scene):
    token, _secret = issue(scene)
    with record_writes() as writes, pytest.raises(ConflictError):
        services.display_token_revoke(scene.users["dispatcher"], token, version=token.version + 1)
    assert [str(w) for w in writes.domain()] == []
    with pytest.raises(ValidationError) as error:
        services.display_token_revoke(scene.users["dispatcher"], token, version="")
    assert error.value.messages == ["表单缺少版本号，请刷新页面后重试"]
    assert DisplayToken.objects.get().revoked_at is None
    services.display_token_revoke(scene.users["dispatcher"], token, version=token.version)
    with pytest.raises(ValidationError) as error:
        services.display_token_revoke(scene.users["dispatcher"], token, version=token.version)
    assert error.value.messages[0].startswith("该令牌已于")
    assert token.history.count() == 2


def test_a_revoke_reason_too_long_is_refused_and_nothing_is_written(scene):
    token, _secret = issue(scene)
    with record_writes() as writes, pytest.raises(ValidationError) as error:
        services.display_token_revoke(scene.users["dispatcher"], token, version=token.version, reason="长" * 201)
    assert error.value.message_dict["reason"] == ["撤销原因不能超过200个字"]
    assert [str(w) for w in writes.domain()] == []
    assert DisplayToken.objects.get().revoked_at is None


def test_the_office_of_the_region_revokes_but_not_another_district(scene):
    token, _secret = issue(scene, scene.regions.luozhuang)
    with pytest.raises(NotFound):
        services.display_token_revoke(lanshan_office(scene), token, version=token.version)
    with pytest.raises(PermissionDenied):
        services.display_token_revoke(scene.users["leader"], token, version=token.version)
    assert DisplayToken.objects.get().revoked_at is None
    other_dispatcher = f.member("dispatcher2", "李调度", scene.units.development, Role.DISPATCHER)
    services.display_token_revoke(other_dispatcher, token, version=token.version)  # not only its issuer
    assert DisplayToken.objects.get().revoked_at is not None


def test_a_token_opens_through_its_last_day_and_not_after(client, scene):
    token, secret = issue(scene, days=0)
    assert client.get(token_url(secret)).status_code == 200
    DisplayToken.objects.filter(pk=token.pk).update(expires_on=today() - timedelta(days=1))
    page = client.get(token_url(secret))
    assert page.status_code == 410
    assert f"该大屏链接已于{today() - timedelta(days=1)}到期" in page.content.decode()
    assert client.get(token_url(secret, data=True)).status_code == 410


@pytest.mark.parametrize("change", ["disabled", "role_removed", "moved"])
def test_a_token_ends_when_its_issuer_may_no_longer_issue_it(client, scene, change):
    office = lanshan_office(scene)
    _token, secret = services.display_token_issue(office, name="兰山会议室", region=scene.regions.lanshan.pk,
                                                  expires_on=in_days(7))
    assert client.get(token_url(secret, data=True)).status_code == 200
    if change == "disabled":
        type(office).objects.filter(pk=office.pk).update(is_active=False)
    elif change == "role_removed":
        Membership.objects.filter(user=office).update(is_active=False)
    else:
        Membership.objects.filter(user=office).update(unit=scene.units.luozhuang_government)
    response = client.get(token_url(secret, data=True))
    assert response.status_code == 410
    assert response.json()["message"].startswith("签发该链接的账号已停用或不再负责兰山区")


def test_an_unknown_token_is_not_found(client, city):
    issue(city)
    response = client.get(token_url("x" * 43))
    assert response.status_code == 404 and "大屏链接无效" in response.content.decode()
    assert client.get(token_url("x" * 43, data=True)).status_code == 404


# ------------------------------------------------------------------------------------ nothing else


SAMPLE = {"IntConverter": 1, "UUIDConverter": "00000000-0000-4000-8000-000000000001"}


def _sample_urls(resolver=None, prefix: str = "") -> list[tuple[str, str]]:
    """(name, a URL) for every route of the project's own apps: 1 for a number, a UUID, "x" for words."""
    from tests.test_permission_matrix import EXCLUDED_NAMESPACES, EXCLUDED_PREFIXES

    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES or str(pattern.pattern).startswith(EXCLUDED_PREFIXES):
                continue
            found += _sample_urls(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern) and not str(pattern.pattern).startswith(EXCLUDED_PREFIXES):
            converters = getattr(pattern.pattern, "converters", {})
            if not converters and pattern.pattern.regex.groupindex:  # the token's own two routes
                continue
            args = {name: SAMPLE.get(type(c).__name__, "x") for name, c in converters.items()}
            found.append((prefix + pattern.name, reverse(prefix + pattern.name, kwargs=args)))
    return found


def test_a_token_opens_no_other_page(client, scene):
    _token, secret = issue(scene)
    assert client.get(token_url(secret)).status_code == 200
    urls = _sample_urls()
    assert len(urls) > 100 and ("dashboards:screen_data", "/dashboards/screen/data/") in urls
    for name, url in urls:
        # The client keeps whatever the token's screen set (no session: nothing to keep); the token is offered
        # in every other way a request could carry it too.
        response = client.get(url, {"token": secret}, HTTP_AUTHORIZATION=f"Bearer {secret}", follow=True)
        final = response.request["PATH_INFO"]
        if name == "healthz":  # the monitoring's: answers everyone alike, with no data of anyone's
            assert response.status_code == 200 and set(response.json()) == {"status", "checks"}
            continue
        assert final == reverse("login") or response.status_code in (400, 404, 405), (name, url, final,
                                                                                       response.status_code)
