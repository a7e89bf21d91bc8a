"""Bad and hostile inputs: each ends as a document row with a message a reviewer can act on.

The files are real: generated plans written as PDF (PyMuPDF) and DOCX (python-docx),
then damaged byte by byte, encrypted with PyMuPDF, renamed, stripped, inflated. The
readers are tested one file at a time, then the whole folder goes through the real
command (`dxplan ingest` in a subprocess), twice.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pymupdf
import pytest

from fixtures.build import build_many
from fixtures.generator import generate_plan
from fixtures.scan import rasterise_pdf
from ingest.errors import IngestError, LimitExceeded
from ingest.limits import Limits
from ingest.reader import read_document

DXPLAN = Path(sys.executable).with_name("dxplan")
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# ------------------------------------------------------------------ building the files

def _docx_package(document_xml: bytes | None = None, drop: str | None = None,
                  extra: dict[str, bytes] | None = None) -> bytes:
    """A Word package from python-docx's own template, with document.xml replaced or dropped."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename == drop:
                continue
            body = src.read(info)
            if info.filename == "word/document.xml" and document_xml is not None:
                body = document_xml
            z.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            z.writestr(name, body, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _body(inner: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>'
            f'<w:p><w:r><w:t>Kế hoạch chuyển đổi số</w:t></w:r></w:p>{inner}</w:body></w:document>').encode()


def _nested_tables(depth: int) -> bytes:
    inner = "<w:p><w:r><w:t>ô trong cùng</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl><w:p/>"
    return _docx_package(_body(inner))


def _zip_bomb(megabytes: int) -> bytes:
    """A DOCX whose document.xml is `megabytes` of one paragraph repeated (ratio ~ 1000:1)."""
    out = io.BytesIO()
    para = b"<w:p><w:r><w:t>" + b"a" * 200 + b"</w:t></w:r></w:p>"
    chunk = para * (1_000_000 // len(para))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(io.BytesIO(_docx_package()))
        for info in src.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info.filename, src.read(info))
        with z.open("word/document.xml", "w") as fh:
            fh.write(f"<?xml version='1.0'?><w:document {W_NS}><w:body>".encode())
            for _ in range(megabytes):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")
    return out.getvalue()


def _billion_laughs() -> bytes:
    entities = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]><w:document {W_NS}><w:body>'
           "<w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>")
    return _docx_package(xml.encode())


def _many_pages(path: Path, n: int) -> Path:
    doc = pymupdf.open()
    for i in range(n):
        doc.new_page().insert_text((72, 72), f"Trang {i + 1}")
    doc.save(path, garbage=1, deflate=True)
    return path


def _huge_image(path: Path, side: int = 40_000) -> Path:
    """One page holding a side×side grey image (1.6 Gpx), run-length coded and deflated to ~30 kB."""
    import zlib

    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 8, 8), 0)
    pix.clear_with(255)
    xref = page.insert_image(page.rect, pixmap=pix)
    runs = b"\x81\xff" * (side * side // 128) + b"\x80"  # 128 bytes of 0xff per run, then end of data
    doc.update_stream(xref, zlib.compress(runs, 9), compress=False)
    for key, value in (("Width", str(side)), ("Height", str(side)), ("BitsPerComponent", "8"),
                       ("ColorSpace", "/DeviceGray"), ("Filter", "[/FlateDecode /RunLengthDecode]"),
                       ("DecodeParms", "null"), ("SMask", "null")):
        doc.xref_set_key(xref, key, value)
    doc.save(path)
    return path


def _blank_scan(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 1240, 1754), 0)
    pix.clear_with(255)
    page.insert_image(page.rect, pixmap=pix)
    doc.save(path, deflate=True)
    return path


# What each bad file must say (a regular expression, searched in the message).
EXPECTED = {
    "rong.pdf": r"^empty file \(0 bytes\)$",
    "rong.docx": r"^empty file \(0 bytes\)$",
    "cat-dau.pdf": r"^corrupt or truncated PDF: (cannot be opened|no pages could be read)",
    "rac.pdf": r"^corrupt or truncated PDF: (cannot be opened|no pages could be read)",
    "co-mat-khau.pdf": r"^encrypted PDF: requires a password to open$",
    "pdf-doi-ten.docx": r"^content does not match the extension: named \.docx but the file is a PDF; rename it to \.pdf",
    "docx-doi-ten.pdf": r"^content does not match the extension: named \.pdf but the file is a Word \.docx document",
    "trang-web.doc": r"^content does not match the extension: named \.doc but the file is an HTML page$",
    "so-lieu.docx": r"^content does not match the extension: named \.docx but the file is an Excel workbook$",
    "thieu-noi-dung.docx": r"^broken DOCX: the package has no word/document\.xml$",
    "cat-nua.docx": r"^broken DOCX: the file is not a valid zip package \(truncated or damaged\)$",
    "xml-hong.docx": r"^broken DOCX: word/document\.xml is not well-formed XML",
    "khong-chu.docx": r"^no text: the document contains no readable text$",
    "trang-trang.pdf": r"^no text: the PDF has no text layer and no images \(blank document\)$",
    "anh-trang.pdf": r"^no text: OCR found no readable text on the scanned pages$",
    "bom-zip.docx": r"^DOCX compression ratio \d+:1 looks like a zip bomb; refused$",
    "bang-long-nhau.docx": r"^tables nested more than 5 deep \(raise --max-table-depth to read it\)$",
    "long-sau.docx": r"^DOCX content nested more than 256 levels deep",
    "3000-trang.pdf": r"^PDF has 3000 pages, over the --max-pages limit of 1000$",
    "anh-khong-lo.pdf": r"^no text: no page could be read \(page 1: image of 40000×40000 pixels, over the 400 Mpx limit",
}


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[str, Path]:
    """Two small generated plans, each as a text PDF (direct writer) and a DOCX."""
    out = tmp_path_factory.mktemp("good")
    specs = []
    for seed in (31, 32):
        spec = generate_plan(seed, pages=6)
        specs.append(spec.model_copy(update={"style": spec.style.model_copy(update={"pdf": "direct"})}))
    built = build_many(specs, out, ["pdf", "docx"])
    a, b = (built[s.id] for s in specs)
    return {"pdf": a["pdf"], "docx": b["docx"], "pdf2": b["pdf"], "docx2": a["docx"]}


@pytest.fixture(scope="module")
def bad(tmp_path_factory, plans) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    pdf = plans["pdf"].read_bytes()
    files: dict[str, bytes] = {
        "rong.pdf": b"",
        "rong.docx": b"",
        "cat-dau.pdf": pdf[:1500],
        "rac.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 20,
        "pdf-doi-ten.docx": pdf,
        "docx-doi-ten.pdf": plans["docx"].read_bytes(),
        "trang-web.doc": b"<html><head><title>Ke hoach</title></head><body><p>Ke hoach</p></body></html>",
        "thieu-noi-dung.docx": _docx_package(drop="word/document.xml"),
        "cat-nua.docx": plans["docx"].read_bytes()[:4000],
        "xml-hong.docx": _docx_package(f"<w:document {W_NS}><w:body><w:p><w:r><w:t>Kế</w:body>".encode()),
        "khong-chu.docx": _docx_package(),
        "bom-zip.docx": _zip_bomb(60),
        "bang-long-nhau.docx": _nested_tables(30),
        "long-sau.docx": _nested_tables(400),
    }
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    files["so-lieu.docx"] = xlsx.getvalue()
    out = {name: d / name for name in files}
    for name, data in files.items():
        out[name].write_bytes(data)
    with pymupdf.open(plans["pdf"]) as doc:
        doc.save(d / "co-mat-khau.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="bi-mat", owner_pw="chu")
    out["co-mat-khau.pdf"] = d / "co-mat-khau.pdf"
    blank = pymupdf.open()
    blank.new_page()
    blank.new_page()
    blank.save(d / "trang-trang.pdf")
    out["trang-trang.pdf"] = d / "trang-trang.pdf"
    out["anh-trang.pdf"] = _blank_scan(d / "anh-trang.pdf")
    out["3000-trang.pdf"] = _many_pages(d / "3000-trang.pdf", 3000)
    out["anh-khong-lo.pdf"] = _huge_image(d / "anh-khong-lo.pdf")
    out["cat-nua.pdf"] = d / "cat-nua.pdf"
    out["cat-nua.pdf"].write_bytes(pdf[: len(pdf) * 8 // 10])  # the last page's content is cut off
    return out


@pytest.fixture(scope="module")
def scan(tmp_path_factory, plans) -> Path:
    """The first page of a plan as a scanner makes it: one image, no text layer."""
    d = tmp_path_factory.mktemp("scan")
    with pymupdf.open(plans["pdf2"]) as doc:
        doc.select([0])
        doc.save(d / "page1.pdf")
    return rasterise_pdf(d / "page1.pdf", d / "ban-quet.pdf", dpi=200, skew_degrees=0.4, noise=0.2, seed=3)


# ------------------------------------------------------------------ the readers, file by file

@pytest.mark.parametrize("name", [n for n in EXPECTED if n != "anh-trang.pdf"])
def test_bad_file_has_precise_message(bad, name):
    with pytest.raises(IngestError) as err:
        read_document(bad[name])
    assert re.search(EXPECTED[name], str(err.value)), str(err.value)


def test_limits_are_limit_errors(bad):
    for name in ("bom-zip.docx", "bang-long-nhau.docx", "long-sau.docx", "3000-trang.pdf"):
        with pytest.raises(LimitExceeded):
            read_document(bad[name])


def test_limits_can_be_raised(bad):
    """The same files read once the limit allows them: the refusal was the limit, not a failure."""
    doc = read_document(bad["bang-long-nhau.docx"], Limits(max_table_depth=40))
    assert "ô trong cùng" in " ".join(c for t in doc.tables for r in t.rows for c in r) + " ".join(
        b.text for b in doc.text_blocks)
    many = read_document(bad["3000-trang.pdf"], Limits(max_pages=3000))
    assert many.pages == 3000


def test_billion_laughs_is_not_expanded(tmp_path):
    path = tmp_path / "cuoi.docx"
    path.write_bytes(_billion_laughs())
    try:
        doc = read_document(path)
    except IngestError as exc:  # refusing it is as good as reading it unexpanded
        assert "haha" not in str(exc)
        return
    assert sum(len(b.text) for b in doc.text_blocks) < 10_000


def test_truncated_pdf_keeps_what_survives(bad, plans):
    """Cut short: the first pages are read, the lost ones are named, nothing is invented."""
    doc = read_document(bad["cat-nua.pdf"])
    whole = read_document(plans["pdf"])
    lost = doc.unreadable_pages
    assert lost and lost[-1] == whole.pages and len(lost) < whole.pages
    assert all("content lost" in p.note for p in doc.page_info if not p.readable)
    assert any("damaged" in w for w in doc.warnings)
    kept = [b.text for b in doc.text_blocks]
    known = {b.text for b in whole.text_blocks}
    assert kept and sum(t in known for t in kept) >= 0.9 * len(kept)


def test_scan_is_read_by_ocr(scan):
    doc = read_document(scan)
    assert doc.ocr_pages == [1]
    text = " ".join(b.text for b in doc.text_blocks)
    assert "KẾ HOẠCH" in text.upper()


def test_missing_tesseract_is_a_clear_error_row(tmp_path, scan, plans):
    """A PATH without Tesseract: the scan is an error row saying what to install; text plans still pass."""
    db = tmp_path / "c.db"
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    proc = subprocess.run([str(DXPLAN), "ingest", str(scan), str(plans["pdf"]), "--db", str(db), "-q"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr
    rows = dict(sqlite3.connect(db).execute("SELECT filename, status || ': ' || COALESCE(error, '') FROM documents"))
    assert rows[plans["pdf"].name] == "ok: "
    assert rows[scan.name].startswith("error: scanned pages need Tesseract OCR, which is not installed")
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in rows[scan.name]


# ------------------------------------------------------------------ the done-when, end to end

def _snapshot(db: Path) -> dict:
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'search_%' AND name NOT LIKE 'sqlite_%'")]
    snap = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    snap["documents"] = con.execute("SELECT * FROM documents ORDER BY id").fetchall()
    return snap


def test_folder_of_good_and_bad_files(tmp_path, plans, bad, scan):
    folder = tmp_path / "nhan-ve"
    (folder / "Tỉnh A" / "lỗi").mkdir(parents=True)
    for name in EXPECTED:
        if name != "rong.docx":  # the same (no) content as rong.pdf: one document, counted below
            (folder / "Tỉnh A" / "lỗi" / name).write_bytes(bad[name].read_bytes())
    (folder / "Tỉnh A" / "lỗi" / "pdf-doi-ten.docx").write_bytes(plans["pdf2"].read_bytes())
    (folder / "Tỉnh A" / "Kế hoạch CĐS.pdf").write_bytes(plans["pdf"].read_bytes())
    (folder / "Tỉnh A" / "bản quét.pdf").write_bytes(scan.read_bytes())
    (folder / "Tỉnh A" / "cắt-nửa.pdf").write_bytes(bad["cat-nua.pdf"].read_bytes())
    with zipfile.ZipFile(folder / "gửi kèm.zip", "w") as z:
        z.write(plans["docx2"], "Bộ/Kế hoạch năm 2025.docx")
        with pymupdf.open(plans["pdf2"]) as doc:
            z.writestr("Bộ/mật.pdf", doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_128, user_pw="x", owner_pw="y"))
        z.writestr("Bộ/ghi chú.txt", "xem tệp đính kèm")
    (folder / "ghi chú.txt").write_text("danh sách", encoding="utf-8")
    (folder / "Tỉnh A" / "lỗi" / "rỗng.docx").write_bytes(b"")  # read after rong.pdf: same (no) content
    (folder / "ảnh.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    db, log = tmp_path / "kho.db", tmp_path / "ingest.log"

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([str(DXPLAN), "ingest", str(folder), "--db", str(db), "--jobs", "2",
                               "--log", str(log)], capture_output=True, text=True, timeout=600)

    first = run()
    assert first.returncode == 3, first.stderr
    n_bad = len(EXPECTED)  # rong.docx is not there, the encrypted PDF in the archive is
    assert f"4 ingested, 1 unchanged, {n_bad} failed, 3 skipped" in first.stdout, first.stdout
    rows = {Path(r[0]).name: r[1:] for r in sqlite3.connect(db).execute(
        "SELECT path, status, error, issuer, pages, ocr_pages FROM documents")}
    for name, pattern in EXPECTED.items():
        status, error = rows["rong.pdf" if name == "rong.docx" else name][:2]
        assert status == "error" and re.search(pattern, error), (name, error)
    assert rows["mật.pdf"][:2] == ("error", "encrypted PDF: requires a password to open")
    for good in ("Kế hoạch CĐS.pdf", "Kế hoạch năm 2025.docx", "bản quét.pdf"):
        assert rows[good][0] == "ok" and rows[good][2], (good, rows[good])
    assert json.loads(rows["bản quét.pdf"][4]) == [1]
    status, error = rows["cắt-nửa.pdf"][:2]
    assert status == "partial" and re.fullmatch(r"unreadable pages: \d+(-\d+)? \(content lost: .*\)", error)
    assert len(rows) == n_bad + 4
    # every input, skipped ones included, has one line in the log
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(entries) == len(rows) + 1 + 3
    assert [e["message"] for e in entries if e["display"].endswith("rỗng.docx")] == [
        f"same content as {folder / 'Tỉnh A' / 'lỗi' / 'rong.pdf'}"]
    assert sorted(Path(e["display"]).name for e in entries if e["status"] == "skipped") == \
        ["ghi chú.txt", "ghi chú.txt", "ảnh.png"]
    assert "failed" in first.stderr and "rong.pdf: empty file (0 bytes)" in first.stderr

    before = _snapshot(db)
    second = run()
    assert second.returncode == 3  # the failures stand until the files change or --retry-failed
    assert f"0 ingested, {len(rows) + 1} unchanged, 0 failed ({n_bad} unchanged had failed before" in second.stdout
    assert _snapshot(db) == before
