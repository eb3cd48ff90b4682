"""Whole numbers and ids read from a request (query string, form field, hidden input).

One reading for every app: a value the database cannot hold (SQLite's INTEGER and PostgreSQL's
BIGINT stop at 2**63 - 1) is never passed on to a query, where it would fail with OverflowError
or a datatype mismatch (a 500) instead of an answer. `parse_int` and `parse_id` read junk as
None (the caller decides what an absent value means); `query_int` and `query_id` answer a clear
400 with a Chinese message when a parameter is given but is not a usable number.
"""

import re

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

DB_INT_MAX = 2**63 - 1  # SQLite INTEGER, PostgreSQL BIGINT
YEAR_MIN, YEAR_MAX = 2000, 2100  # the years the platform plans and reports in (PeriodOpenForm's range)

_WHOLE = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(value, *, minimum: int = -DB_INT_MAX, maximum: int = DB_INT_MAX) -> int | None:
    """An int from a request value (ASCII digits, optional sign) within [minimum, maximum]; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _WHOLE.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A primary key from a request value (1 … 2**63 - 1); anything else None."""
    return parse_int(value, minimum=1)


def query_int(params, name: str, *, minimum: int = -DB_INT_MAX, maximum: int = DB_INT_MAX) -> int | None:
    """params[name] as an int; None when absent or empty; 400 (BadRequest) when given but unusable."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    number = parse_int(raw, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadRequest(_("参数“%(name)s”的值不正确（应为%(min)s至%(max)s之间的整数），请返回重新选择")
                         % {"name": name, "min": minimum, "max": maximum})
    return number


def query_id(params, name: str) -> int | None:
    """params[name] as an id; None when absent or empty; 400 when given but not an id."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    number = parse_id(raw)
    if number is None:
        raise BadRequest(_("参数“%(name)s”不是有效的编号，请返回重新选择") % {"name": name})
    return number


def query_year(params, name: str = "year") -> int | None:
    """params[name] as a year the platform works in (2000–2100); None when absent; 400 otherwise."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    number = parse_int(raw, minimum=YEAR_MIN, maximum=YEAR_MAX)
    if number is None:
        raise BadRequest(_("年度不正确（应为%(min)s至%(max)s年），请返回重新选择") % {"min": YEAR_MIN, "max": YEAR_MAX})
    return number
