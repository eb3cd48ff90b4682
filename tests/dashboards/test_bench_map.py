"""`tuijin bench dashboards` at a small scale runs the map's measure: map_data against its 300 ms target, the
configured database left alone."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tuijin.org.models import Region

from ..test_bench import _leftovers


@pytest.mark.django_db
def test_the_dashboards_bench_measures_the_maps_data(db_state):
    before = db_state()
    leftovers = _leftovers()
    out = StringIO()

    call_command("bench", "dashboards", "--json", "--scale", "0.01", "--requests", "2", "--rounds", "1",
                 stdout=out, stderr=StringIO())

    report = json.loads(out.getvalue())
    assert (report["bench"], report["database"]) == ("dashboards", connection.vendor)
    metrics = report["metrics"]
    assert {"map_data_p50", "map_data_p95", "map_page_p50", "map_page_p95"} <= set(metrics)
    data = metrics["map_data_p95"]
    assert data["unit"] == "ms" and data["value"] > 0 and data["target"] == 300
    assert data["ok"] is (data["value"] <= data["target"])
    assert metrics["map_page_p95"]["target"] is None
    assert "map" in report["params"]["screens"]
    assert db_state() == before
    assert not Region.objects.filter(code="370100").exists()
    assert _leftovers() == leftovers
