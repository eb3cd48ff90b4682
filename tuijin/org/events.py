"""Events of org (core.events): a role or grant changed, for the audit trail to record with its values."""

from dataclasses import dataclass


@dataclass(frozen=True)
class GrantChanged:
    """A Membership granted ("granted"), changed ("changed") or withdrawn ("withdrawn") by `user` (None: the
    system). `before` / `after`: its values ({"user", "unit", "role", "scope", "is_active"}, ids and codes),
    None on the side where it did not exist."""

    user: object
    membership_id: int
    account_id: int
    action: str
    before: dict | None
    after: dict | None
