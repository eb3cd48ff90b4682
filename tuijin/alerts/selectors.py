"""Reads of the warning engine, through the user's scope: the warnings list with its filters (a
leader's own projects first), a project's alerts, the rules and the last full refresh."""

from django.db.models import Exists, OuterRef, Q

from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project, ProjectLeader
from tuijin.projects.selectors import ledger_queryset

from .filtersets import AlertFilterSet
from .models import Alert, AlertRule, AlertRun


def mine_q(user) -> Q:
    """Projects the user is the contact leader of (org.Leader linked to the user)."""
    return Q(Exists(ProjectLeader.objects.filter(project_id=OuterRef("project_id"), leader__user=user)))


def is_leader_of_any(user) -> bool:
    return ProjectLeader.objects.filter(leader__user=user).exists()


def alert_list(user, projects):
    """Active alerts of `projects` (already scoped and filtered), each marked `mine` when the user is
    its project's contact leader: theirs first, then red before yellow and the longest-standing first.
    The list's own filters are filtersets.AlertFilterSet."""
    alerts = Alert.objects.active().filter(project__in=projects.values("pk")).annotate(mine=mine_q(user))
    return (alerts.select_related("project", "project__region", "rule")
            .order_by("-mine", "-level", "first_seen", "project_id", "rule__sort"))


def alert_filter(user, params):
    """The warnings list of these parameters as its page reads them: (the projects' LedgerFilterSet, the
    alerts' AlertFilterSet, the judged projects). The page, its exports and a first screen that counts
    `alert_filter.qs` and links to the list with the same parameters all read it here."""
    data = params.copy()
    data.setdefault("year", "")
    data.pop("light", None)  # here the light is the alert's (AlertFilterSet), not a project filter
    filterset = LedgerFilterSet(data, queryset=ledger_queryset(user), user=user, archived=False)
    projects = filterset.qs.admitted()  # 申报中 and 已退回 projects are not judged
    return filterset, AlertFilterSet(params, queryset=alert_list(user, projects)), projects


def light_counts(projects) -> dict[int, int]:
    """Projects by light ({light: count}, lights without a project left out), over `projects`."""
    from django.db.models import Count

    return dict(projects.values("light").order_by().annotate(n=Count("id")).values_list("light", "n"))


def summary(projects) -> dict:
    """Projects by light and active alerts by dimension, over `projects`."""
    from django.db.models import Count

    lights = light_counts(projects)
    dims = dict(Alert.objects.active().filter(project__in=projects.values("pk")).values("dimension").order_by()
                .annotate(n=Count("id")).values_list("dimension", "n"))
    return {"lights": lights, "dimensions": dims}


def project_alerts(project: Project):
    return list(Alert.objects.filter(project=project).select_related("rule").order_by("resolved_at", "-level", "-first_seen")[:200])


def rules():
    return AlertRule.objects.prefetch_related("levels", "categories").order_by("-is_active", "dimension", "sort", "id")


def last_run() -> AlertRun | None:
    return AlertRun.objects.select_related("triggered_by").filter(finished_at__isnull=False).first()
