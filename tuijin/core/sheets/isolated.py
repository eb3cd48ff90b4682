"""Read an uploaded spreadsheet in a child process with a cap on memory and time.

A file can stay under every size limit and still expand to hundreds of MB of XML and millions of
cells: parsed in the web worker (or the CLI) it would take minutes and gigabytes. ``read_isolated``
runs ``reader.read_workbook`` in a child forked from a small fork server (multiprocessing's
'forkserver' context, preloaded with Django so each child starts in milliseconds), which sets
RLIMIT_AS (address space, ``TUIJIN_PARSE_MAX_MB``) and RLIMIT_CPU on itself; the parent waits at
most ``TUIJIN_PARSE_TIMEOUT`` seconds of wall-clock time and kills it after that. A child that runs
out of memory or time, or dies, becomes a SheetReadError with a Chinese reason. The child never
touches the database: it gets the file's bytes and the limits, and sends back the Workbook.

``TUIJIN_PARSE_ISOLATED = False`` reads in-process (same limits on rows, columns and cells; no memory
or time cap), for platforms without fork.
"""

from __future__ import annotations

import multiprocessing
import resource

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .reader import MB, SheetReadError, Workbook, _read_source, read_workbook

_PRELOAD = "tuijin.core.sheets.isolated_boot"
_context = None


def parse_limits() -> dict:
    """The configured caps: memory (MB), wall-clock seconds, cells per sheet."""
    return {
        "max_mb": float(getattr(settings, "TUIJIN_PARSE_MAX_MB", 300)),
        "timeout": float(getattr(settings, "TUIJIN_PARSE_TIMEOUT", 10)),
        "max_cells": int(getattr(settings, "TUIJIN_PARSE_MAX_CELLS", 2_000_000)),
    }


def _too_big(limits: dict) -> SheetReadError:
    return SheetReadError(
        _("文件过大：解析需要超过 %(mb)s MB 内存或 %(seconds)s 秒，已拒绝；请删除多余的行列或拆分后分批上传")
        % {"mb": f"{limits['max_mb']:g}", "seconds": f"{limits['timeout']:g}"}
    )


def read_isolated(source, filename: str, *, max_bytes: int = 20 * MB, max_rows: int = 20000,
                  max_cols: int = 500, sheet: str | None = None) -> Workbook:
    """``reader.read_workbook`` under the configured memory, time and cell caps. The file's bytes are
    read here (at most ``max_bytes``); everything that expands them happens in the child."""
    limits = parse_limits()
    data = _read_source(source, max_bytes)
    kwargs = {"max_bytes": max_bytes, "max_rows": max_rows, "max_cols": max_cols,
              "max_cells": limits["max_cells"], "sheet": sheet}
    if not getattr(settings, "TUIJIN_PARSE_ISOLATED", True):
        return read_workbook(data, filename, **kwargs)
    return _run_child(data, filename, kwargs, limits)


def _get_context():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload([_PRELOAD])
    return _context


def _run_child(data: bytes, filename: str, kwargs: dict, limits: dict) -> Workbook:
    context = _get_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(sender, data, filename, kwargs, limits, translation.get_language() or settings.LANGUAGE_CODE),
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits["timeout"]):
            raise _too_big(limits)
        try:
            kind, payload = receiver.recv()
        except (EOFError, OSError):  # killed by its memory or CPU limit before it could answer
            raise _too_big(limits) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
        child.close()
    if kind == "ok":
        return payload
    if kind == "memory":
        raise _too_big(limits)
    raise SheetReadError(payload)


def _child_main(sender, data: bytes, filename: str, kwargs: dict, limits: dict, language: str) -> None:
    """In the child: cap ourselves, read, send ("ok", Workbook) or ("error", message) or ("memory", "")."""
    cap = int(limits["max_mb"] * MB)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(limits["timeout"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        _setup_django()
        translation.activate(language)
        try:
            book = read_workbook(data, filename, **kwargs)
        except SheetReadError as exc:
            result = ("error", exc.message)
        except MemoryError:
            result = ("memory", "")
        else:
            result = ("ok", book)
        del data
        sender.send(result)
    except MemoryError:
        try:
            sender.send(("memory", ""))
        except Exception:
            pass
    finally:
        sender.close()


def _setup_django() -> None:
    """The fork server normally did this already (isolated_boot); the messages need translations."""
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
