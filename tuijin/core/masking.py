"""Personal information shown in part (脱敏, 等保 2.0 §8.1.4.11): a contact's phone number as 138****1234 and
their name as 王** to whoever has no need of them. Which roles see them in full is decided by the callers'
selectors (org.selectors.sees_contacts, projects.selectors.owner_contacts_visible); this module only masks,
the same way on pages, in list exports and on the command line."""

import re

MASK = "*"
# A phone number as people type it: digits with spaces or dashes between, an optional leading +.
_PHONE = re.compile(r"\+?\d[\d\- ]{5,}\d")


def _mask_number(number: str) -> str:
    """Keep the first 3 digits of a long number (the carrier or area code) and the last 4."""
    digits = sum(ch.isdigit() for ch in number)
    head = 3 if digits >= 10 else 0
    tail = 4 if digits >= 7 else min(2, digits)
    seen, out = 0, []
    for ch in number:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= head or seen > digits - tail else MASK)
        else:
            out.append(ch)
    return "".join(out)


def mask_phone(value: str | None) -> str:
    """138****1234; every number in a field holding several ("0539-8123456、13812341234"); a short one keeps
    its last 2 digits only. Empty stays empty."""
    if not value:
        return value or ""
    masked, found = _PHONE.subn(lambda m: _mask_number(m.group()), value)
    return masked if found else _mask_number(value)


def mask_name(value: str | None) -> str:
    """王** (the first character, a star for each other one): a person's name, or whatever a contact field
    holds (a name with a number in it loses the number too)."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + MASK * (len(value) - 1)
