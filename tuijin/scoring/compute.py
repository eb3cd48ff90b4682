"""A scheme's run as arithmetic: values in, points, totals, ranks and boards out. No database.

The service (services.run_compute) reads the scheme, the figures of the statistics layer, the manual
and judges' scores, vetoes, exemptions and last period's ranks, and hands them here; what comes back
is stored as the run's results. A subject is its kind and id, (“region”, 12): a scheme's 序列 may rank
subjects of different kinds (县区 and 市直部门), whose ids may coincide; every input is keyed so. The
rules, per 序列:

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
- Withdrawn (`withdrawn`: a project of a 序列 of projects whose exemption removes it from the scheme's
  figures): listed with its reason after the others, not ranked, no points, on no board, and not among
  the values a "rank" curve ranks.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .curves import Curve
from .ranks import competition_ranks, trimmed_mean

ZERO = Decimal("0.00")
Subject = tuple[str, int]  # (kind, id): ("region", 12)


def subject_key(kind: str, subject_id: int) -> str:
    """A subject as text (the snapshot's keys, the pages' form values): region:12."""
    return f"{kind}:{subject_id}"


def parse_key(text) -> Subject | None:
    """region:12 → ("region", 12); None for anything else."""
    kind, sep, number = str(text or "").partition(":")
    if not sep or not number.isdigit() or not kind:
        return None
    return kind, int(number)


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
    kind: str  # what it ranks: SubjectKind (region, lead_unit, responsible_unit, leader, project)
    members: tuple[int, ...]
    red_count: int = 0
    black_count: int = 0

    @property
    def subjects(self) -> tuple[Subject, ...]:
        return tuple((self.kind, member) for member in self.members)


@dataclass
class Line:
    kind: str
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
    withdrawn: bool = False

    @property
    def key(self) -> Subject:
        return self.kind, self.subject_id


def indicator_value(indicator: IndicatorSpec, figures: Mapping[str, Decimal | None],
                    scores: Sequence[Decimal]) -> Decimal | None:
    """The measured value of one indicator for one subject, before any ranking."""
    if indicator.source == "figure":
        return figures.get(indicator.figure)
    if indicator.source == "judges":
        return trimmed_mean(scores)
    return scores[-1] if scores else None  # the office's manual score: one sheet per item


def compute(*, indicators: Sequence[IndicatorSpec], series: Sequence[SeriesSpec], names: Mapping[Subject, str],
            figures: Mapping[Subject, Mapping[str, Decimal | None]],
            scores: Mapping[tuple[str, Subject], Sequence[Decimal]] | None = None,
            target: tuple[str, Decimal] | None = None, vetoes: Mapping[Subject, str] | None = None,
            exemptions: Mapping[Subject, str] | None = None, withdrawn: Mapping[Subject, str] | None = None,
            previous: Mapping[Subject, int] | None = None, red_needs_target: bool = False) -> list[Line]:
    scores, vetoes, exemptions, previous = scores or {}, vetoes or {}, exemptions or {}, previous or {}
    withdrawn = withdrawn or {}
    lines: list[Line] = []
    for one in series:
        every = [Line(kind=one.kind, subject_id=s, name=names.get((one.kind, s), str(s)), series_id=one.id)
                 for s in one.members]
        block = [line for line in every if line.key not in withdrawn]
        for indicator in indicators:
            measured = [indicator_value(indicator, figures.get(line.key, {}), scores.get((indicator.code, line.key), ()))
                        for line in block]
            scored = (competition_ranks(measured, higher_is_better=indicator.higher_is_better)
                      if indicator.curve.kind == "rank" else measured)
            for line, value, input_value in zip(block, measured, scored, strict=True):
                line.values[indicator.code] = value
                line.points[indicator.code] = indicator.curve.points(input_value)
        for line in block:
            line.total = sum(line.points.values(), ZERO)
            line.vetoed = vetoes.get(line.key, "")
            line.exempted = exemptions.get(line.key, "")
            line.previous_rank = previous.get(line.key)
            if target:
                reached = figures.get(line.key, {}).get(target[0])
                line.target_met = reached is not None and reached >= target[1]
            if line.vetoed:
                line.total = ZERO
        _rank(block)
        _boards(block, one.red_count, one.black_count, red_needs_target)
        block.sort(key=lambda line: line.rank)  # stable: a tie keeps the 序列's own order of its members
        out = [line for line in every if line.key in withdrawn]
        for line in out:
            line.withdrawn, line.exempted = True, withdrawn[line.key]
            line.values = {indicator.code: None for indicator in indicators}
            line.previous_rank = previous.get(line.key)
        lines.extend(block + out)
    return lines


def _rank(block: list[Line]) -> None:
    standing = [line for line in block if not line.vetoed]
    ranks = competition_ranks([line.total for line in standing])
    for line, rank in zip(standing, ranks, strict=True):
        line.rank = rank
    vetoed = [line for line in block if line.vetoed]
    for line in vetoed:
        line.rank = len(standing) + 1
    shared: dict = {}
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
