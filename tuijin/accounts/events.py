"""Domain events of the accounts app (tuijin.core.events): emitted after their transaction commits, for the
audit trail. `by_id` is the user who acted (the user themselves for their own changes)."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PasswordChanged:
    user_id: int
    by_id: int
    reason: Literal["self", "reset", "expired", "first"]


@dataclass(frozen=True)
class PasswordReset:
    user_id: int
    by_id: int


@dataclass(frozen=True)
class FactorEnrolled:
    user_id: int


@dataclass(frozen=True)
class FactorRemoved:
    user_id: int
    by_id: int


@dataclass(frozen=True)
class FactorReset:
    user_id: int
    by_id: int


@dataclass(frozen=True)
class RecoveryCodeUsed:
    user_id: int


@dataclass(frozen=True)
class SecondFactorFailed:
    user_id: int
