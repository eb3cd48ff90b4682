"""The figures' hand-built town (tests/figures/conftest.py: nine projects of 兰山区, 罗庄区 and the city, asked
for 2026-10 on 2026-11-20) serves the leader's screens too."""

from tests.figures.conftest import today, town  # noqa: F401 (fixtures)
