"""Bulletin renderer tests. Those converting to PDF need LibreOffice and poppler-utils; without them they
are skipped with a loud reason and a loud report header, as the browser tests are without Chromium."""

from .helpers import PDF_SKIP_REASON


def pytest_report_header(config):
    if PDF_SKIP_REASON:
        return ["#" * 100, PDF_SKIP_REASON, "#" * 100]
    return ["bulletins: LibreOffice found, the PDF tests run"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if PDF_SKIP_REASON:
        terminalreporter.write_sep("!", PDF_SKIP_REASON, red=True, bold=True)
