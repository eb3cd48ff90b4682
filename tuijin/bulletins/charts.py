"""The bulletin's charts as PNG bytes, drawn with matplotlib in Chinese: the monthly cumulative completion
against the plan, and each group's (district's) plan completion rate against 序时进度.

Figures are built with `matplotlib.figure.Figure` and the Agg canvas directly, never pyplot, so no global
state is touched and charts may be drawn from several threads at once. Values are given (Decimal, None
where unknown): the charts draw figures, they never compute one. Sized for a 15 cm wide figure on A4.
"""

from __future__ import annotations

import io
import math
import threading
from decimal import Decimal

from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from tuijin.core.fonts import cjk_font_path

WIDTH_IN = 15 / 2.54   # printed width: 15 cm
HEIGHT_IN = 8 / 2.54
DPI = 180
BAR = "#2f5597"        # completion bars: dark blue
BAR_LOW = "#c55a11"    # a group behind 序时进度
PLAN = "#c00000"       # plan line, 序时 line: red
GRID = "#d9d9d9"
FONT_SIZE = 8.5

_font_lock = threading.Lock()
_font_family: list[str] | None = None


def _family() -> list[str]:
    """The font family names to draw with: the Simplified Chinese face of the CJK font when there is one
    (a .ttc holds JP/KR/SC/TC faces; the SC one draws 关, 直, 骨 as printed in China), DejaVu Sans else."""
    global _font_family
    with _font_lock:
        if _font_family is None:
            _font_family = _find_family()
        return _font_family


def _find_family() -> list[str]:
    path = cjk_font_path()
    if not path:
        return ["DejaVu Sans"]
    manager = font_manager.fontManager
    names = [f.name for f in manager.ttflist if f.fname == path]
    if not names:
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            return ["DejaVu Sans"]
        names = [f.name for f in manager.ttflist if f.fname == path]
    preferred = [n for n in names if n.endswith((" SC", " CN", " GB")) and "Mono" not in n]
    chosen = (preferred or names or ["DejaVu Sans"])[0]
    return [chosen, "DejaVu Sans"]


def _font(size: float = FONT_SIZE, weight: str = "normal") -> FontProperties:
    return FontProperties(family=_family(), size=size, weight=weight)


def _number(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def _label(value: Decimal | None, suffix: str = "") -> str:
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal('0.1'))}{suffix}"


def _new_figure() -> tuple[Figure, object]:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _no_data(axes) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    axes.text(0.5, 0.5, _("暂无数据"), transform=axes.transAxes, ha="center", va="center",
              fontproperties=_font(11), color="#7f7f7f")


def _ticks(axes, labels: list[str]) -> None:
    axes.set_xticks(range(len(labels)))
    # Turned 45° only when the labels side by side would not fit the axis (about 400 pt wide).
    needed = sum(len(label) * FONT_SIZE + 8 for label in labels)
    rotate = needed > 380
    axes.set_xticklabels(labels, fontproperties=_font(), rotation=45 if rotate else 0,
                         ha="right" if rotate else "center", rotation_mode="anchor")
    for label in axes.get_yticklabels():
        label.set_fontproperties(_font())


def _bar_labels(axes, bars, labels: list[str]) -> None:
    texts = axes.bar_label(bars, labels=labels, padding=2, fontproperties=_font(FONT_SIZE - 1), color="#404040")
    for text in texts:  # a value stays readable where a line crosses it
        text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.85})
        text.set_zorder(4)


def _legend(axes) -> None:
    axes.legend(prop=_font(), frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)


def monthly_chart(months: list[str], completed: list[Decimal | None], planned: list[Decimal | None],
                  unit: str = "亿元") -> bytes:
    """Bars: cumulative completion at each month's end; line: the cumulative (序时) plan. None leaves a
    month's bar or point out; empty lists draw an empty chart saying so."""
    figure, axes = _new_figure()
    count = len(months)
    if not count or all(v is None for v in [*completed, *planned]):
        _no_data(axes)
        return _png(figure)
    done = [_number(v) for v in completed[:count]] + [math.nan] * (count - len(completed))
    plan = [_number(v) for v in planned[:count]] + [math.nan] * (count - len(planned))
    xs = list(range(count))
    bars = axes.bar(xs, done, width=0.6, color=BAR, label=_("累计完成投资"), zorder=2)
    _bar_labels(axes, bars, [_label(v) for v in completed[:count]] + [""] * (count - len(completed)))
    if any(not math.isnan(v) for v in plan):
        axes.plot(xs, plan, color=PLAN, linewidth=1.6, marker="o", markersize=3.5, label=_("序时计划投资"),
                  zorder=3)
    axes.set_ylabel(_("投资（%(unit)s）") % {"unit": unit}, fontproperties=_font())
    axes.set_ylim(bottom=0)
    axes.margins(y=0.12)
    _ticks(axes, months)
    _legend(axes)
    return _png(figure)


def groups_chart(names: list[str], rates: list[Decimal | None], time_progress: Decimal | None) -> bytes:
    """Bars: each group's 年计划完成率 (%), behind 序时进度 in orange; a red line at 序时进度. None leaves a
    group's bar out; empty lists draw an empty chart saying so."""
    figure, axes = _new_figure()
    count = len(names)
    if not count or all(v is None for v in rates):
        _no_data(axes)
        return _png(figure)
    values = [_number(v) for v in rates[:count]] + [math.nan] * (count - len(rates))
    progress = None if time_progress is None else float(time_progress)
    colours = [BAR_LOW if progress is not None and not math.isnan(v) and v < progress else BAR for v in values]
    bars = axes.bar(range(count), values, width=0.6, color=colours, zorder=2)
    _bar_labels(axes, bars, [_label(v) for v in rates[:count]] + [""] * (count - len(rates)))
    if progress is not None:
        axes.axhline(progress, color=PLAN, linewidth=1.4, linestyle="--", zorder=1.5,
                     label=_("序时进度（%(rate)s%%）") % {"rate": _label(time_progress)})
        axes.bar(0, 0, color=BAR, label=_("达到序时进度"))
        axes.bar(0, 0, color=BAR_LOW, label=_("低于序时进度"))
        _legend(axes)
    axes.set_ylabel(_("年计划完成率（%）"), fontproperties=_font())
    top = max([v for v in values if not math.isnan(v)] + [progress or 0, 0])
    bottom = min([v for v in values if not math.isnan(v)] + [0])
    axes.set_ylim(bottom * 1.15, max(top * 1.15, 10))
    _ticks(axes, names)
    return _png(figure)
