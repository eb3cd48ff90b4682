"""Hypothesis profiles for the spreadsheet tests.

The normal suite runs 200 examples per property ("sheets"); HYPOTHESIS_PROFILE=nightly raises that
to 1,000 (the amount and date parsers). Other test folders keep their own defaults.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "sheets", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nightly", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

PROPERTY = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE") or "sheets")
