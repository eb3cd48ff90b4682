"""Reading rendered bulletins back, and whether this machine can make PDFs."""

import io
import shutil

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn

from tuijin.bulletins.pdf import pdf_available


def _skip_reason() -> str | None:
    if not pdf_available():
        return ("!!! PDF TESTS SKIPPED: LibreOffice (soffice) not found. "
                "Install: apt-get install libreoffice-writer-nogui poppler-utils !!!")
    if not shutil.which("pdftoppm") or not shutil.which("pdftotext"):
        return ("!!! PDF TESTS SKIPPED: poppler-utils (pdftoppm, pdftotext) not found. "
                "Install: apt-get install poppler-utils !!!")
    return None


PDF_SKIP_REASON = _skip_reason()
needs_libreoffice = pytest.mark.skipif(PDF_SKIP_REASON is not None, reason=PDF_SKIP_REASON or "")


def read(data: bytes):
    return open_docx(io.BytesIO(data))


def texts(docx) -> list[str]:
    return [p.text for p in docx.paragraphs]


def style_of(paragraph) -> str:
    return paragraph.style.name


def east_asian_font(style) -> str | None:
    fonts = style.element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)
