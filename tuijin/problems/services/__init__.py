"""Every write of problems, supervision orders, meetings and inspections, one module per record type.

Each write checks that the user may see the record (else NotFound, the site's 404) and may take the step (else 403),
validates with Chinese messages and writes nothing on error, compares versions so a stale page never
overwrites a newer step, keeps history (simple-history, who and why) plus the record's timeline
(Event), tells the people concerned (tuijin.core.notify) and tells the warning engine (ProblemChanged).

Modules: `problems` (raise, 交办, the steps), `from_reports` (problems raised from monthly reports),
`attachments`, `orders` (督办单), `gatherings` (meetings and inspections, their decisions and photos);
`common` holds what they share. Who may take which step, from which state and to which, is the table in
problems/workflow.py, which the services check under the row lock. Callers import this package
(`from tuijin.problems import services`) and use the names below.
"""

from .attachments import (
    ATTACHMENT_KINDS,
    ATTACHMENT_MAX_MB,
    ATTACHMENTS_PER_OWNER,
    attachment_add,
    attachment_delete,
    check_attachment,
)
from .common import TEXT_LIMIT
from .from_reports import guess_type, problems_from_reports, says_nothing
from .gatherings import GATHERING_FIELDS, decision_add, gathering_save, inspection_photo_add
from .orders import order_issue, order_step
from .problems import contracted_leader, problem_assign, problem_raise, problem_step

__all__ = [
    "ATTACHMENTS_PER_OWNER", "ATTACHMENT_KINDS", "ATTACHMENT_MAX_MB", "GATHERING_FIELDS",
    "TEXT_LIMIT", "attachment_add", "attachment_delete", "check_attachment", "contracted_leader",
    "decision_add", "gathering_save", "guess_type", "inspection_photo_add", "order_issue",
    "order_step", "problem_assign", "problem_raise", "problem_step", "problems_from_reports", "says_nothing",
]
