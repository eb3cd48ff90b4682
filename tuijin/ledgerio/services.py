"""Ledger import entry points for the web flow, the CLI and the bench.

The web flow parses the uploaded file once, at upload, in a child process with a memory and time cap
(core.sheets.isolated), and keeps its parsed sheets (core.sheets.store JSON) in the data directory
between the preview and the confirmation (an ImportBatch), which read those instead of parsing again;
they are deleted when the import is confirmed, fails or is discarded, and those of abandoned batches
are removed after TUIJIN_IMPORT_KEEP_HOURS.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.audit import services as audit
from tuijin.audit.choices import Action, Result
from tuijin.core.bulk import paused_gc
from tuijin.core.sheets import store
from tuijin.core.sheets.isolated import read_isolated
from tuijin.core.sheets.reader import SheetReadError
from tuijin.org.choices import Role
from tuijin.org.selectors import user_access

from .choices import BatchStatus
from .importing import (
    Analysis,
    ImportError_,
    ImportResult,
    NeedsConfirmation,
    StaleImport,
    analyze,
    commit,
    reconciliation_json,
)
from .mapping import SynonymIndex, remember

__all__ = ["ImportError_", "NeedsConfirmation", "SheetReadError", "StaleImport"]

IMPORT_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.REPORTER)


def max_bytes() -> int:
    return int(getattr(settings, "TUIJIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "TUIJIN_IMPORT_MAX_ROWS", 20000))


def can_import(user) -> bool:
    return user_access(user).has_role(*IMPORT_ROLES)


def read(source, filename: str, *, sheet: str | None = None):
    """The workbook, within the configured limits (size, rows, cells, and the parse's memory and time);
    SheetReadError (Chinese message) otherwise."""
    return read_isolated(source, filename, max_bytes=max_bytes(), max_rows=max_rows(), sheet=sheet)


@paused_gc()
def import_ledger(source, filename: str, *, user=None, sheet=None, year=None, dry_run=False, overrides=None,
                  defaults=None, valid_only=False, accept_total_mismatch=False,
                  create_new=False) -> tuple[Analysis, ImportResult | None]:
    """Read, analyse and (unless dry_run, invalid or unconfirmed) write a ledger file. Raises
    SheetReadError for an unreadable file and ImportError_ for one without a usable sheet.
    `accept_total_mismatch` and `create_new` confirm what Analysis.needs lists.

    The garbage collector stays paused from the read to the write (bulk.paused_gc): resumed between
    them, it would walk every object the analysis made (0.1-0.15 s at 10,000 rows) to free none."""
    digest = sha256_of(source)
    try:
        workbook = read(source, filename, sheet=sheet)
        analysis = analyze(workbook, filename=filename, user=user, sheet=sheet, year=year, overrides=overrides,
                           defaults=defaults, accept_total_mismatch=accept_total_mismatch, create_new=create_new)
        if dry_run:
            return analysis, None
        if analysis.errors or analysis.unconfirmed or (not analysis.valid and not valid_only):
            audit_import(user, filename, digest, rejected=_("文件有错误或待确认事项，未导入"),
                         errors=len(analysis.all_errors) + len(analysis.unconfirmed), source="cli")
            return analysis, None
        result = commit(analysis, valid_only=valid_only)
    except (SheetReadError, ImportError_, ValidationError, PermissionDenied) as exc:
        audit_import(user, filename, digest, rejected=_refusal(exc), source="cli")
        raise
    audit_import(user, filename, digest, created=result.created, updated=result.updated, source="cli")
    return analysis, result


def sha256_of(source) -> str:
    """The checksum of an import's file (bytes, a path or an upload), as the audit trail keeps it."""
    digest = hashlib.sha256()
    if isinstance(source, bytes | bytearray | memoryview):
        digest.update(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    elif hasattr(source, "chunks"):
        for block in source.chunks():
            digest.update(block)
        source.seek(0)
    else:
        position = source.tell()
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
        source.seek(position)
    return digest.hexdigest()


def _refusal(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return _("无权导入")
    return str(exc)


def audit_import(user, filename: str, digest: str, *, rejected: str = "", **counts) -> None:
    """One 导入 entry: accepted (with what was written) or rejected (with why), the file's name and sha256.
    Called after the import's transaction has ended, so a refusal is kept."""
    detail = {"filename": filename, "sha256": digest, **counts}
    if rejected:
        detail["rejected"] = rejected
    audit.record(Action.IMPORT, actor=user if getattr(user, "pk", None) else None, target=filename,
                 detail=detail, result=Result.FAILURE if rejected else Result.SUCCESS)


def summary(analysis: Analysis, result: ImportResult | None, *, dry_run: bool = False) -> dict:
    """The CLI's JSON object (issue #3): what was read, written, skipped and found wrong."""
    counts = analysis.counts()
    totals = analysis.totals()
    if result is not None:
        created, updated = result.created, result.updated
    elif dry_run and not analysis.all_errors and not analysis.unconfirmed:
        created, updated = counts["create"], counts["update"]
    else:
        created = updated = 0
    return {
        "file": analysis.filename,
        "sheet": analysis.sheet,
        "sheet_reason": analysis.sheet_reason,
        "year": analysis.year,
        "rows_read": analysis.rows_read,
        "projects": counts["projects"],
        "created": created,
        "updated": updated,
        "dry_run": dry_run,
        "written": result is not None,
        "skipped_rows": analysis.skipped_rows(),
        # What the user has not confirmed blocks the import like an error (Analysis.needs).
        "errors": [issue.as_dict() for issue in analysis.all_errors]
        + [{"sheet": analysis.sheet, "row": None, "column": "", "message": analysis.needs[kind], "confirm": kind}
           for kind in analysis.unconfirmed],
        "needs_confirmation": [{"kind": kind, "message": message, "confirmed": kind in analysis.confirmed}
                               for kind, message in analysis.needs.items()],
        "new_units": analysis.new_units[:200],
        "new_leaders": analysis.new_leaders[:200],
        "warnings": [issue.as_dict() for issue in analysis.all_warnings],
        "totals": {"total_investment": str(totals["total_investment"]), "annual_plan": str(totals["annual_plan"])},
        "reconciliation": reconciliation_json(analysis),
        "columns": [{"column": c.letter, "header": c.label, "field": c.field, "unit": analysis.units.get(c.index)}
                    for c in analysis.columns],
    }


# ----------------------------------------------------------------------------------------- web flow


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def batch_path(batch) -> Path:
    return _folder() / batch.stored_name


PARSED_SUFFIX = ".sheets.json"


def batch_workbook(batch):
    """The batch's sheets as parsed at upload (the one sheet chosen, if any), without parsing again.
    A batch kept from before the parsed sheets were stored (the raw file) is parsed here."""
    if batch.stored_name.endswith(PARSED_SUFFIX):
        try:
            workbook = store.loads(batch_path(batch).read_bytes())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SheetReadError(_("上传的文件已失效，请重新上传")) from exc
    else:
        workbook = read(batch_path(batch), batch.filename)
    return store.only_sheet(workbook, batch.sheet or None)


def batch_start(user, upload, *, year: int | None = None):
    """Keep an uploaded file's parsed sheets for its preview. The file is read once, here, so an
    unreadable one is refused at once (SheetReadError) and nothing is kept."""
    from .models import ImportBatch

    if not can_import(user):
        raise PermissionDenied
    purge_abandoned()
    name = Path(upload.name).name[:255]
    if upload.size > max_bytes():
        audit_import(user, name, "", rejected=_("文件过大"), size=upload.size)
        raise SheetReadError(_("文件大小超过上限（%(mb)s MB）") % {"mb": max_bytes() // (1024 * 1024)})
    digest = sha256_of(upload)
    try:
        workbook = read(upload, upload.name)
    except SheetReadError as exc:
        audit_import(user, name, digest, rejected=str(exc), size=upload.size)
        raise
    stored = f"{uuid.uuid4().hex}{PARSED_SUFFIX}"
    path = _folder() / stored
    try:
        path.write_bytes(store.dumps(workbook))
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return ImportBatch.objects.create(user=user, filename=name, stored_name=stored,
                                      size=upload.size, year=year, options={"sha256": digest})


def batch_analyze(batch, *, overrides=None, defaults=None, accept_total_mismatch=False, create_new=False) -> Analysis:
    workbook = batch_workbook(batch)
    options = batch.options or {}
    return analyze(workbook, filename=batch.filename, user=batch.user, sheet=batch.sheet or None,
                   year=batch.year, overrides=overrides if overrides is not None else options.get("overrides"),
                   defaults=defaults if defaults is not None else options.get("defaults"),
                   accept_total_mismatch=accept_total_mismatch, create_new=create_new)


def batch_update(batch, *, sheet: str, year: int | None, overrides: dict | None, defaults: dict, remember_mapping: bool):
    """The user's choices in the preview: sheet, year, column mapping and defaults."""
    options = dict(batch.options or {})
    if batch.sheet and sheet != batch.sheet:
        overrides = None  # another sheet has other columns (batch.sheet is blank until the user picks one)
    options["overrides"] = {str(k): v for k, v in (overrides or {}).items()} or None
    options["defaults"] = {k: v for k, v in defaults.items() if v}
    batch.sheet, batch.year, batch.options = sheet, year, options
    batch.save(update_fields=["sheet", "year", "options"])
    analysis = batch_analyze(batch)
    if remember_mapping and overrides:
        from tuijin.core.sheets.headers import find_header

        workbook = batch_workbook(batch)
        sheet_obj = next(s for s in workbook.sheets if s.name == analysis.sheet)
        header = find_header(sheet_obj, SynonymIndex().known)
        if header is not None:
            remember(header.columns, analysis.columns, batch.user)
    return analysis


@paused_gc()  # the analysis and the write, as import_ledger
def batch_confirm(batch, *, valid_only: bool, accept_total_mismatch: bool = False, create_new: bool = False) -> ImportResult:
    """Import the batch's file as previewed, with the user's confirmations (Analysis.needs). Its file is
    removed once the import is done or has failed; a StaleImport (projects changed since the preview)
    or a NeedsConfirmation (a box left unticked) keeps it, for the preview."""
    if batch.status != BatchStatus.PREVIEW:
        raise ValidationError(_("该批次已处理，请重新上传文件"))
    try:
        analysis = batch_analyze(batch, accept_total_mismatch=accept_total_mismatch, create_new=create_new)
        seen = (batch.options or {}).get("seen")
        if seen is not None:
            changed = [r.project.name for r in analysis.project_rows
                       if r.project is not None and seen.get(str(r.project.pk)) not in (None, r.project.version)]
            if changed:
                raise StaleImport(changed)
        with transaction.atomic():
            result = commit(analysis, valid_only=valid_only)
            batch.status = BatchStatus.DONE
            batch.finished_at = timezone.now()
            batch.result = {**summary(analysis, result), "project_ids": result.project_ids[:5000],
                            "units_created": result.units_created[:200],
                            "leaders_created": result.leaders_created[:200], "skipped": result.skipped}
            batch.save(update_fields=["status", "finished_at", "result"])
    except (StaleImport, NeedsConfirmation):
        raise
    except (ValidationError, SheetReadError, ImportError_) as exc:
        batch.status = BatchStatus.FAILED
        batch.finished_at = timezone.now()
        batch.result = {"error": exc.messages[0] if isinstance(exc, ValidationError) else str(exc)}
        batch.save(update_fields=["status", "finished_at", "result"])
        batch_path(batch).unlink(missing_ok=True)
        audit_import(batch.user, batch.filename, (batch.options or {}).get("sha256", ""), rejected=_refusal(exc),
                     source="web")
        raise
    batch_path(batch).unlink(missing_ok=True)
    audit_import(batch.user, batch.filename, (batch.options or {}).get("sha256", ""), created=result.created,
                 updated=result.updated, skipped=result.skipped, source="web")
    return result


def remember_seen(batch, analysis: Analysis) -> None:
    """The versions of the projects the preview showed for update: a confirmation after any of them
    changed is refused (StaleImport) instead of overwriting someone's edit unseen."""
    seen = {str(r.project.pk): r.project.version for r in analysis.project_rows if r.project is not None}
    if (batch.options or {}).get("seen") != seen:
        batch.options = {**(batch.options or {}), "seen": seen}
        batch.save(update_fields=["options"])


def batch_discard(batch) -> None:
    batch_path(batch).unlink(missing_ok=True)
    if batch.status == BatchStatus.PREVIEW:
        batch.status = BatchStatus.EXPIRED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])


def purge_abandoned() -> int:
    """Remove the files of previews nobody confirmed within TUIJIN_IMPORT_KEEP_HOURS, and stray files."""
    from .models import ImportBatch

    hours = float(getattr(settings, "TUIJIN_IMPORT_KEEP_HOURS", 2))
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    removed = 0
    for batch in ImportBatch.objects.filter(status=BatchStatus.PREVIEW, created_at__lt=cutoff):
        batch_discard(batch)
        removed += 1
    folder = _folder()
    keep = set(ImportBatch.objects.filter(status=BatchStatus.PREVIEW).values_list("stored_name", flat=True))
    for name in os.listdir(folder):
        path = folder / name
        if name not in keep and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
