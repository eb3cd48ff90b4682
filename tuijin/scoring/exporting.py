"""A run as an .xlsx workbook through the shared sheet writer: one row per subject with its rank,
total, each indicator's value and points, board and notes, grouped by 序列."""

from decimal import Decimal

from django.utils.translation import gettext as _

from tuijin.core.sheets import writer

from .ranks import movement
from .schemes import board_labels
from .selectors import run_label


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
            notes = []
            if line.tied:
                notes.append(_("并列"))
            if line.vetoed:
                notes.append(_("一票否决：%(r)s") % {"r": line.vetoed})
            if line.exempted:
                notes.append(_("豁免：%(r)s") % {"r": line.exempted})
            if line.target_met:
                notes.append(_("完成目标任务"))
            row = [line.series, line.rank, line.subject_name, line.total]
            for item in indicators:
                row += [_decimal(line.values.get(item["code"])), _decimal(line.points.get(item["code"]))]
            row += [boards.get(line.board, ""), movement(line.previous_rank, line.rank), "；".join(notes)]
            yield row

    title = f"{run.snapshot.get('scheme', {}).get('name', run.scheme.name)} {run.snapshot.get('period_label', '')}"
    return writer.Table(columns=columns, rows=rows(), title=title, subtitle=run_label(run),
                        sheet_name=_("考核结果"), freeze_columns=3)


def run_workbook(run, results) -> bytes:
    return writer.xlsx_bytes(run_table(run, results))
