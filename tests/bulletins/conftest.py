"""Bulletin tests. The figures' hand-built town (tests/figures/conftest.py) serves them: its every figure is
worked out there, so a bulletin's sentences and tables are checked against known numbers. Those converting
to PDF need LibreOffice and poppler-utils; without them they are skipped with a loud reason and a loud
report header, as the browser tests are without Chromium."""

from ..figures.conftest import today, town  # noqa: F401  (fixtures)
from .helpers import PDF_SKIP_REASON


def pytest_report_header(config):
    if PDF_SKIP_REASON:
        return ["#" * 100, PDF_SKIP_REASON, "#" * 100]
    return ["bulletins: LibreOffice found, the PDF tests run"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if PDF_SKIP_REASON:
        terminalreporter.write_sep("!", PDF_SKIP_REASON, red=True, bold=True)
