"""`tuijin bench figures` at a small scale: one JSON object with its figures against their targets, and
the configured database left alone."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tuijin.org.models import Region

from ..test_bench import _leftovers


@pytest.mark.django_db
def test_the_figures_bench_reports_one_json_object_and_leaves_the_configured_database_alone(db_state):
    before = db_state()
    leftovers = _leftovers()
    out, err = StringIO(), StringIO()

    call_command("bench", "figures", "--json", "--scale", "0.01", "--requests", "2", "--rounds", "1",
                 stdout=out, stderr=err)

    report = json.loads(out.getvalue())
    assert (report["bench"], report["database"]) == ("figures", connection.vendor)
    metrics, params = report["metrics"], report["params"]
    assert set(metrics) == {f"{name}_{p}" for name in ("figures_all_regions", "explain", "figures_cities", "figures_page")
                            for p in ("p50", "p95")}
    for key, target in (("figures_all_regions_p95", 300), ("explain_p95", 200)):
        metric = metrics[key]
        assert metric["unit"] == "ms" and metric["value"] > 0 and metric["target"] == target
        assert metric["ok"] is (metric["value"] <= metric["target"])
    assert metrics["figures_page_p95"]["target"] is None
    assert params["projects"] == 200 and params["groups"] > 10
    assert params["label"].startswith("截至") and params["label"].endswith("已审核填报")
    assert db_state() == before
    assert not Region.objects.filter(code="370100").exists()
    assert _leftovers() == leftovers
