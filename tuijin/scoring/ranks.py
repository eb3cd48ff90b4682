"""Ranks, ties, movement and judges' scores: the arithmetic of a ranking, pure and on Decimals.

- Ties share the better rank and the next rank is skipped (97, 95, 95, 90 → 1, 2, 2, 4: "并列第2名"),
  as published rankings do.
- Movement against the last period's rank: "↑2", "↓1", "—" unchanged, "新" when it had no rank.
- Judges' sheets (观摩 on-site scoring, 擂台赛 pitches): the mean after dropping one highest and one
  lowest score when there are at least three judges; with fewer, the plain mean.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def competition_ranks(values: Sequence[Decimal | None], *, higher_is_better: bool = True) -> list[int | None]:
    """The rank of each value in the order given; None (no value) is not ranked."""
    present = [v for v in values if v is not None]
    ordered = sorted(present, reverse=higher_is_better)
    first_place: dict[Decimal, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return [None if v is None else first_place[v] for v in values]


def tied(ranks: Sequence[int | None]) -> set[int]:
    """The ranks that more than one subject shares."""
    seen = [r for r in ranks if r is not None]
    return {r for r in seen if seen.count(r) > 1}


def rank_text(rank: int | None, is_tied: bool) -> str:
    if rank is None:
        return _("不参与排名")
    return _("并列第%(rank)s名") % {"rank": rank} if is_tied else _("第%(rank)s名") % {"rank": rank}


def movement(previous: int | None, rank: int | None) -> str:
    if rank is None:
        return ""
    if previous is None:
        return _("新")
    if previous == rank:
        return "—"
    return f"↑{previous - rank}" if rank < previous else f"↓{rank - previous}"


def trimmed_mean(scores: Sequence[Decimal]) -> Decimal | None:
    """Judges' mean: drop one highest and one lowest with three or more judges. None with no scores."""
    if not scores:
        return None
    kept = sorted(scores)[1:-1] if len(scores) >= 3 else list(scores)
    return (sum(kept, Decimal(0)) / len(kept)).quantize(CENT, rounding=ROUND_HALF_UP)
