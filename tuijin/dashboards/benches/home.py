"""The leader's first screen (首页) at province scale: `GET /` as a 分包市领导 — the city leader with the most
projects — through the Django test client. Target p95 ≤ 150 ms (issue #17 §6).

The principal is made as the permission matrix makes its leader: a user holding the leader role in the
city government (scope: the city), linked to the 联系领导 record the projects name. The screen is checked
on every call: it shows his projects' figures, and their count is that of the figures layer for the
ledger's 联系领导 filter.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuijin.core.bench import BenchError, BenchOptions, Metric, latency_metrics
from tuijin.dashboards.bench import timed_rounds
from tuijin.dashboards.selectors import home
from tuijin.figures import selectors as figures
from tuijin.org.choices import RegionLevel, Role, Scope
from tuijin.org.models import Leader, Membership
from tuijin.projects.choices import LeaderRole

TARGET_P95 = 150.0


def leader_principal() -> tuple[Leader, object]:
    """The city leader with the most contracted (分包) projects, and a user acting as him (made once)."""
    leader = (Leader.objects.filter(unit__region__level=RegionLevel.CITY, is_active=True)
              .annotate(n=Count("project_links", filter=Q(project_links__role=LeaderRole.CONTRACTED)))
              .filter(n__gt=0).order_by("-n", "id").select_related("unit").first())
    if leader is None:
        raise BenchError("the province has no city leader with contracted projects")
    if leader.user_id is None:
        user = get_user_model().objects.create_user(username="bench_home_leader", first_name=leader.name)
        Membership.objects.create(user=user, unit=leader.unit, role=Role.LEADER, scope=Scope.REGION)
        leader.user = user
        leader.save(update_fields=["user"])
    return leader, leader.user


def measure(ctx, options: BenchOptions) -> dict[str, Metric]:
    leader, user = leader_principal()
    period = home.figures_period(timezone.localdate())
    expected = figures.figures(user, period=period, filters={"leader": leader.pk}, keys=["projects"]).total["projects"]
    if not expected:
        raise BenchError(f"{leader} has no project with this year's plan")
    tile = 'id="n-mine_projects"'
    client = Client()
    client.force_login(user)
    url = reverse("home")

    def page(_n):
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        start = body.find(tile)
        if start < 0 or f">{expected}<" not in body[start:body.find("</a>", start)]:
            raise BenchError(f"the leader's first screen ({response.status_code}) does not show his {expected} projects")
        return response

    rounds = timed_rounds("leader_home", page, options)
    ctx.extra["leader_home"] = {"leader": str(leader), "projects": expected}
    return latency_metrics("leader_home", rounds, target_p95=TARGET_P95)
