"""A scheme's run as arithmetic: values in, points, totals, ranks and boards out. No database.

The service (services.run_compute) reads the scheme, the figures of the statistics layer, the manual
and judges' scores, vetoes, exemptions and last period's ranks, and hands them here; what comes back
is stored as the run's results. The rules, per 序列:

- Each indicator's value is a figure (年计划完成率, 开工率…), the office's manual score, or the judges'
  trimmed mean. A "rank" curve scores the subject's rank within its 序列 by that value instead of the
  value itself (名次分档). Points come from the indicator's curve; a subject with nothing to measure
  scores the curve's `missing` points.
- Total = the sum of the points. 一票否决: the total is 0 and the subject ranks after every subject
  that was not vetoed (the points stay visible with the reason).
- Ranks: by total, ties share the better rank and the next is skipped (tuijin.scoring.ranks); tied
  subjects are listed in the 序列's own order.
- 红榜: the first `red_count` ranks (a tie at the edge takes all who share it), never a vetoed subject,
  and with `red_needs_target` only subjects that met their target (绵阳: "超额完成" and top 5).
- 黑榜: the last `black_count` ranks among those who may enter it — not a subject that met its target
  (完成目标任务) nor one exempted for a stated reason (不可抗力…), nor one already on the red board;
  a vetoed subject always may. A tie at the edge takes all who share it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .curves import Curve
from .ranks import competition_ranks, trimmed_mean

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    source: str  # figure / manual / judges
    figure: str
    weight: Decimal
    curve: Curve
    higher_is_better: bool = True


@dataclass(frozen=True)
class SeriesSpec:
    id: int
    name: str
    members: tuple[int, ...]
    red_count: int = 0
    black_count: int = 0


@dataclass
class Line:
    subject_id: int
    name: str
    series_id: int
    values: dict[str, Decimal | None] = field(default_factory=dict)
    points: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    rank: int | None = None
    tied: bool = False
    previous_rank: int | None = None
    board: str = ""
    target_met: bool = False
    vetoed: str = ""
    exempted: str = ""


def indicator_value(indicator: IndicatorSpec, figures: Mapping[str, Decimal | None],
                    scores: Sequence[Decimal]) -> Decimal | None:
    """The measured value of one indicator for one subject, before any ranking."""
    if indicator.source == "figure":
        return figures.get(indicator.figure)
    if indicator.source == "judges":
        return trimmed_mean(scores)
    return scores[-1] if scores else None  # the office's manual score: one sheet per item


def compute(*, indicators: Sequence[IndicatorSpec], series: Sequence[SeriesSpec], names: Mapping[int, str],
            figures: Mapping[int, Mapping[str, Decimal | None]],
            scores: Mapping[tuple[str, int], Sequence[Decimal]] | None = None,
            target: tuple[str, Decimal] | None = None, vetoes: Mapping[int, str] | None = None,
            exemptions: Mapping[int, str] | None = None,
            previous: Mapping[int, int] | None = None, red_needs_target: bool = False) -> list[Line]:
    scores, vetoes, exemptions, previous = scores or {}, vetoes or {}, exemptions or {}, previous or {}
    lines: list[Line] = []
    for one in series:
        block = [Line(subject_id=s, name=names.get(s, str(s)), series_id=one.id) for s in one.members]
        for indicator in indicators:
            measured = [indicator_value(indicator, figures.get(line.subject_id, {}), scores.get((indicator.code, line.subject_id), ()))
                        for line in block]
            scored = (competition_ranks(measured, higher_is_better=indicator.higher_is_better)
                      if indicator.curve.kind == "rank" else measured)
            for line, value, input_value in zip(block, measured, scored, strict=True):
                line.values[indicator.code] = value
                line.points[indicator.code] = indicator.curve.points(input_value)
        for line in block:
            line.total = sum(line.points.values(), ZERO)
            line.vetoed = vetoes.get(line.subject_id, "")
            line.exempted = exemptions.get(line.subject_id, "")
            line.previous_rank = previous.get(line.subject_id)
            if target:
                reached = figures.get(line.subject_id, {}).get(target[0])
                line.target_met = reached is not None and reached >= target[1]
            if line.vetoed:
                line.total = ZERO
        _rank(block)
        _boards(block, one.red_count, one.black_count, red_needs_target)
        block.sort(key=lambda line: line.rank)  # stable: a tie keeps the 序列's own order of its members
        lines.extend(block)
    return lines


def _rank(block: list[Line]) -> None:
    standing = [line for line in block if not line.vetoed]
    ranks = competition_ranks([line.total for line in standing])
    for line, rank in zip(standing, ranks, strict=True):
        line.rank = rank
    vetoed = [line for line in block if line.vetoed]
    for line in vetoed:
        line.rank = len(standing) + 1
    shared = {}
    for line in block:
        shared[line.rank] = shared.get(line.rank, 0) + 1
    for line in block:
        line.tied = shared[line.rank] > 1


def _boards(block: list[Line], red_count: int, black_count: int, red_needs_target: bool) -> None:
    def take(candidates: list[Line], count: int, board: str, beyond) -> None:
        if not candidates or not count:
            return
        edge = candidates[min(count, len(candidates)) - 1].rank
        for line in candidates:
            if not beyond(line.rank, edge):
                line.board = board

    red = [line for line in block if not line.vetoed and (line.target_met or not red_needs_target)]
    take(sorted(red, key=lambda line: line.rank), red_count, "red", lambda rank, edge: rank > edge)
    black = [line for line in block if not line.board and (line.vetoed or not (line.target_met or line.exempted))]
    take(sorted(black, key=lambda line: line.rank, reverse=True), black_count, "black", lambda rank, edge: rank < edge)
