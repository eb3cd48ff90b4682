"""A .docx's pages as PNG images (docx → PDF through LibreOffice → pdftoppm), to look at a rendering."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from .pdf import PdfUnavailable, docx_to_pdf


def pdf_pages_png(pdf: bytes, dpi: int = 80, timeout: int = 120) -> list[bytes]:
    """Each page of a PDF as PNG bytes, in order (poppler's pdftoppm)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise PdfUnavailable(_("服务器未安装 poppler-utils，无法生成预览图。管理员可安装：apt-get install poppler-utils"))
    with tempfile.TemporaryDirectory(prefix="tuijin-preview-") as work:
        source = Path(work) / "bulletin.pdf"
        source.write_bytes(pdf)
        subprocess.run([pdftoppm, "-r", str(dpi), "-png", str(source), str(Path(work) / "page")],
                       check=True, capture_output=True, timeout=timeout)
        pages = sorted(Path(work).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [page.read_bytes() for page in pages]


def docx_pages_png(docx: bytes, dpi: int = 80) -> list[bytes]:
    """Each page of a .docx as PNG bytes, as LibreOffice lays it out."""
    return pdf_pages_png(docx_to_pdf(docx), dpi=dpi)
