"""Ledger exports: the ledger page's current filter and sort as .xlsx or .csv.

Same scope and filter as the page (`ledger_queryset` + `LedgerFilterSet`, same GET parameters), so a
user downloads exactly what the page lists them; GET and HEAD only.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from tuijin.core.listexport import filter_terms, list_title
from tuijin.core.sheets import writer
from tuijin.core.signals import send_export
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.selectors import ledger_queryset

from .exporting import ledger_export


def _export(request, extension: str, content_type: str, render) -> HttpResponse:
    queryset = ledger_queryset(request.user, include_archived=True)  # the filter's `archived` decides
    filterset = LedgerFilterSet(request.GET, queryset=queryset, user=request.user)
    export = ledger_export(
        request.user, filterset, sort=request.GET.get("sort"), include_archived=filterset.include_archived,
        as_of=request.GET.get("as_of"),
    )
    response = HttpResponse(render(export.table), content_type=content_type)
    response["Content-Disposition"] = writer.attachment_header(
        f"{export.filename_stem}.{extension}", fallback=f"{export.ascii_stem}.{extension}"
    )
    terms = list_title(export.table.title, filter_terms(filterset))
    send_export(request, what="重点项目台账", filter=terms, rows=len(export.table.rows), format=extension,
                filename=f"{export.filename_stem}.{extension}")
    return response


@login_required
@require_safe
def ledger_export_xlsx(request):
    return _export(request, "xlsx", writer.XLSX_CONTENT_TYPE, writer.xlsx_bytes)


@login_required
@require_safe
def ledger_export_csv(request):
    return _export(request, "csv", writer.CSV_CONTENT_TYPE, writer.csv_bytes)


urlpatterns = [
    path("export/xlsx/", ledger_export_xlsx, name="export_xlsx"),
    path("export/csv/", ledger_export_csv, name="export_csv"),
]
