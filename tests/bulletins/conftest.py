"""The figures' hand-built town (tests/figures/conftest.py) serves the bulletins too: its every figure is
worked out there, so a bulletin's sentences and tables are checked against known numbers."""

from ..figures.conftest import today, town  # noqa: F401  (fixtures)
