"""A .docx as PDF through LibreOffice headless (`soffice --convert-to pdf`), when the server has it.

One conversion at a time per process (LibreOffice serialises on its profile anyway), in a private profile
kept in a temporary folder for the process's life, so it never touches a user's LibreOffice. The profile
names the stand-in for each 公文 font this machine lacks (tuijin.core.fonts.substitutions: 仿宋_GB2312 →
Noto Serif CJK SC …), so the PDF is printed in a serif face where the office's document asks for 仿宋. A
conversion that takes longer than `timeout` seconds is stopped with its whole process group.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from tuijin.core.fonts import substitutions

_lock = threading.Lock()
_profile: Path | None = None


class PdfUnavailable(Exception):
    """This server cannot make PDFs (no LibreOffice)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _(
            "服务器未安装 LibreOffice，无法生成 PDF，请下载 Word 版。管理员可安装：apt-get install libreoffice-writer-nogui"))


class PdfFailed(Exception):
    """LibreOffice ran but gave no PDF (or took too long)."""


def soffice_path() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def pdf_available() -> bool:
    return soffice_path() is not None


def _font_pairs_xcu() -> str:
    pairs = "".join(
        f'<node oor:name="tuijin{i}" oor:op="replace">'
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(wanted)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(stand_in)}</value></prop></node>'
        for i, (wanted, stand_in) in enumerate(sorted(substitutions().items())))
    # "Always" because LibreOffice applies a pair only so; the pairs are written only for fonts missing here.
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        f'<prop oor:name="Replacement" oor:op="fuse"><value>{"true" if pairs else "false"}</value></prop></item>'
        f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{pairs}</item>'
        '</oor:items>\n')


def _profile_dir() -> Path:
    """This process's LibreOffice profile, made on first use with the font substitutions."""
    global _profile
    if _profile is None or not _profile.exists():
        _profile = Path(tempfile.mkdtemp(prefix="tuijin-soffice-"))
        atexit.register(shutil.rmtree, _profile, True)
        (_profile / "user").mkdir()
        (_profile / "user" / "registrymodifications.xcu").write_text(_font_pairs_xcu(), encoding="utf-8")
    return _profile


def _forget_profile() -> None:
    global _profile
    if _profile is not None:
        shutil.rmtree(_profile, ignore_errors=True)
        _profile = None


def docx_to_pdf(docx: bytes, timeout: int = 120) -> bytes:
    """The PDF of a .docx. PdfUnavailable without LibreOffice, PdfFailed when the conversion fails."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable()
    with _lock, tempfile.TemporaryDirectory(prefix="tuijin-pdf-") as work:
        source = Path(work) / "bulletin.docx"
        source.write_bytes(docx)
        profile = _profile_dir()
        command = [soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf:writer_pdf_Export",
                   "--outdir", work, str(source)]
        env = {**os.environ, "HOME": work}
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            _forget_profile()  # a killed LibreOffice may leave its profile locked or half written
            raise PdfFailed(_("生成 PDF 超时（超过 %(seconds)s 秒），请下载 Word 版。") % {"seconds": timeout}) from None
        finally:
            _kill_group(process)  # whatever LibreOffice left running in its group
        target = Path(work) / "bulletin.pdf"
        if process.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            _forget_profile()
            detail = err.decode("utf-8", "replace").strip()[-300:]
            raise PdfFailed(_("LibreOffice 未能生成 PDF：%(detail)s") % {"detail": detail or process.returncode})
        return target.read_bytes()


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
