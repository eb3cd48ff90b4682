"""The screens' tests start from the figures' hand-built town (tests/figures/conftest.py) and its clock."""

from ..figures.conftest import today, town  # noqa: F401
