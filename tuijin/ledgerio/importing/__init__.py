"""Ledger import: read a sheet, classify its rows, map and validate them in bulk, then write them at once.

`analyze()` does everything but write: the preview, `--dry-run` and the final check before a commit
all see the same result. `commit()` re-checks versions and writes the whole file (or only its valid
rows) in one transaction, with history. Nothing here issues one query per row.

One module per step, in the order `analyze()` (sheet.py) runs them: rows.py classifies the rows under
the header, cells.py turns cells into values, matching.py finds the projects, units and leaders the
rows name, validation.py applies the ledger's rules, reconcile.py checks the 合计 row and lists what the
user must confirm; writing.py commits. analysis.py holds what they share: the Analysis, its rows and
issues; dictionaries.py what rows are matched against.
"""

from .analysis import DEFAULTABLE, MAX_SHOWN_ERRORS, REQUIRED, Analysis, ImportError_, Issue, Row
from .reconcile import CREATE_NEW, TOTAL_MISMATCH, NeedsConfirmation, reconciliation_json
from .rows import classify, group_text
from .sheet import analyze
from .validation import build_plan, build_project, cumulative_plan
from .writing import ImportResult, StaleImport, commit

__all__ = [
    "CREATE_NEW", "DEFAULTABLE", "MAX_SHOWN_ERRORS", "REQUIRED", "TOTAL_MISMATCH", "Analysis", "ImportError_",
    "ImportResult", "Issue", "NeedsConfirmation", "Row", "StaleImport", "analyze", "build_plan", "build_project",
    "classify", "commit", "cumulative_plan", "group_text", "reconciliation_json",
]
