"""A run as an .xlsx workbook through the shared sheet writer: one row per subject with its rank,
total, each indicator's value and points, board and notes, grouped by 序列."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.sheets import writer

from .models import kinds_text
from .ranks import movement
from .schemes import board_labels
from .selectors import notes_of, run_kinds, run_label


def _decimal(text):
    return None if text in (None, "") else Decimal(text)


def run_table(run, results) -> writer.Table:
    indicators = run.snapshot.get("scheme", {}).get("indicators", [])
    boards = board_labels(run.snapshot.get("config"))
    columns = [writer.Column("series", _("序列"), width=16), writer.Column("rank", _("名次"), kind=writer.INTEGER, width=6),
               writer.Column("name", _("考核对象"), width=24), writer.Column("total", _("总分"), kind=writer.DECIMAL, width=9)]
    for item in indicators:
        columns.append(writer.Column(f"v-{item['code']}", _("指标值"), group=f"{item['name']}（{item['weight']}分）",
                                     kind=writer.DECIMAL, width=10))
        columns.append(writer.Column(f"p-{item['code']}", _("得分"), group=f"{item['name']}（{item['weight']}分）",
                                     kind=writer.DECIMAL, width=8))
    columns += [writer.Column("board", _("上榜"), width=6), writer.Column("move", _("较上期"), width=7),
                writer.Column("notes", _("说明"), width=30, wrap=True)]

    def rows():
        for line in results:
            notes = [_("并列")] if line.tied else []
            notes += notes_of(line)
            if line.target_met:
                notes.append(_("完成目标任务"))
            row = [line.series, line.rank, line.subject_name, None if line.rank is None else line.total]
            for item in indicators:
                row += [_decimal(line.values.get(item["code"])), _decimal(line.points.get(item["code"]))]
            row += [boards.get(line.board, ""), movement(line.previous_rank, line.rank), "；".join(notes)]
            yield row

    return writer.Table(columns=columns, rows=rows(), title=run_title(run), subtitle=run_subtitle(run),
                        sheet_name=_("考核结果"), freeze_columns=3, paper=writer.A4, landscape=True)


def run_title(run) -> str:
    """What was ranked, by which scheme, for which period: 县区月度考核 2026年10月（考核对象：县区/园区）
    — with 序列 of different kinds, each kind: （考核对象：县区/园区、牵头（第一责任）单位）."""
    scheme = run.snapshot.get("scheme", {})
    ranked = kinds_text(run_kinds(run))
    return _("%(scheme)s %(period)s（考核对象：%(kind)s）") % {
        "scheme": scheme.get("name", run.scheme.name), "period": run.snapshot.get("period_label", ""), "kind": ranked}


def run_subtitle(run) -> str:
    """Published or draft, and what the figures are as of (as the run's page says)."""
    computed = timezone.localtime(run.computed_at) if run.computed_at else None
    parts = [run_label(run), _("截至%(p)s末，已审核填报") % {"p": run.snapshot.get("period_label", "")}]
    if computed:
        parts.append(_("%(when)s计算") % {"when": f"{computed:%Y-%m-%d %H:%M}"})
    return "　".join(parts)


def run_filename(run) -> tuple[str, str]:
    """(the download's name, an ASCII one for old clients)."""
    scheme = run.snapshot.get("scheme", {}).get("name", run.scheme.name)
    period = run.snapshot.get("period_label", "")
    return f"{scheme}_{period}_{run_label(run)}.xlsx", f"ranking_{run.pk}.xlsx"


def run_workbook(run, results) -> bytes:
    return writer.xlsx_bytes(run_table(run, results))
