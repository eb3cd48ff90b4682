"""PDF through LibreOffice: the bulletin's text comes through, a missing LibreOffice is said in Chinese, a
conversion that hangs is stopped with its whole process group. The real conversions need soffice."""

import shutil
import subprocess

import pytest

from tuijin.bulletins import pdf
from tuijin.bulletins.preview import docx_pages_png
from tuijin.bulletins.render_docx import render_docx

from .helpers import needs_libreoffice
from .sample import sample_document


@pytest.fixture(scope="module")
def bulletin_docx():
    return render_docx(sample_document(annex_rows=10))


def _text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())  # pdftotext puts spaces between Chinese and digits


@needs_libreoffice
def test_the_pdf_carries_the_bulletins_text(bulletin_docx):
    data = pdf.docx_to_pdf(bulletin_docx)
    assert data.startswith(b"%PDF")
    text = _text(data)
    doc = sample_document(annex_rows=10)
    assert doc.title in text
    assert "一、总体情况" in text and "六、下一步工作" in text
    assert "抄送：" in text
    # every font printed is embedded: nothing is left for the reader's machine to guess
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)


@needs_libreoffice
def test_pages_can_be_previewed_as_pngs(bulletin_docx):
    pages = docx_pages_png(bulletin_docx, dpi=30)
    assert len(pages) >= 5
    assert all(page.startswith(b"\x89PNG") for page in pages)


def test_without_libreoffice_pdf_is_refused_with_how_to_get_it(monkeypatch):
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    assert not pdf.pdf_available()
    with pytest.raises(pdf.PdfUnavailable) as caught:
        pdf.docx_to_pdf(b"docx")
    assert "LibreOffice" in str(caught.value)
    assert "apt-get install libreoffice-writer-nogui" in str(caught.value)


def _fake_soffice(tmp_path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


def test_a_hanging_conversion_is_stopped_with_its_process_group(monkeypatch, tmp_path):
    pids = tmp_path / "pids"
    fake = _fake_soffice(tmp_path, f"/bin/sleep 300 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n")
    monkeypatch.setattr(pdf, "soffice_path", lambda: fake)
    with pytest.raises(pdf.PdfFailed, match="超时"):
        pdf.docx_to_pdf(b"docx", timeout=1)
    for pid in map(int, pids.read_text().split()):
        assert not _running(pid)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for whoever adopted it to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_a_failed_conversion_says_so(monkeypatch, tmp_path):
    fake = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 1\n")
    monkeypatch.setattr(pdf, "soffice_path", lambda: fake)
    with pytest.raises(pdf.PdfFailed, match="could not be loaded"):
        pdf.docx_to_pdf(b"docx")


def test_the_private_profile_names_stand_ins_for_missing_fonts(monkeypatch):
    monkeypatch.setattr(pdf, "substitutions", lambda: {"仿宋_GB2312": "Noto Serif CJK SC"})
    xcu = pdf._font_pairs_xcu()
    assert "<value>仿宋_GB2312</value>" in xcu and "<value>Noto Serif CJK SC</value>" in xcu
    monkeypatch.setattr(pdf, "substitutions", lambda: {})
    assert "ReplaceFont" not in pdf._font_pairs_xcu()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_become_pngs_without_libreoffice():
    from tuijin.bulletins.preview import pdf_pages_png

    # a one-page PDF written by hand
    minimal = (b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
               b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>endobj\ntrailer<</Root 1 0 R>>\n")
    pages = pdf_pages_png(minimal, dpi=20)
    assert len(pages) == 1 and pages[0].startswith(b"\x89PNG")
