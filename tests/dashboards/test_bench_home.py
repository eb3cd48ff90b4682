"""`tuijin bench dashboards` at a small scale: the leader's first screen is measured (leader_home, p95 ≤
150 ms) as a city leader with contracted projects, in a throw-away database."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tuijin.org.models import Region

from ..test_bench import _leftovers


@pytest.mark.django_db
def test_the_dashboards_bench_measures_the_leaders_first_screen(db_state):
    before = db_state()
    leftovers = _leftovers()
    out, err = StringIO(), StringIO()

    call_command("bench", "dashboards", "--json", "--scale", "0.01", "--requests", "2", "--rounds", "1",
                 stdout=out, stderr=err)

    report = json.loads(out.getvalue())
    assert (report["bench"], report["database"]) == ("dashboards", connection.vendor)
    assert "home" in report["params"]["screens"]
    metrics = report["metrics"]
    assert {"leader_home_p50", "leader_home_p95"} <= set(metrics)
    metric = metrics["leader_home_p95"]
    assert metric["unit"] == "ms" and metric["value"] > 0 and metric["target"] == 150
    assert metric["ok"] is (metric["value"] <= metric["target"])
    assert db_state() == before
    assert not Region.objects.filter(code="370100").exists()
    assert _leftovers() == leftovers
