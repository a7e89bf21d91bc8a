"""Bulk ingest through the real command: interrupted and concurrent runs, archives with
names in every encoding, crash and time and memory isolation of the workers.

A corpus is "the same" when every document (by sha256) has the same row and the same
sections, coverage, tasks, targets, results and search rows, ids aside.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import psutil
import pymupdf
import pytest

from corpus.batch import ingest_paths
from fixtures.build import build_many
from fixtures.generator import generate_plan
from fixtures.scan import rasterise_pdf
from ingest.legacy_fonts import from_unicode
from ingest.limits import Limits

DXPLAN = Path(sys.executable).with_name("dxplan")
N_PLANS = 12


# ------------------------------------------------------------------ helpers

def corpus_content(db: Path) -> dict:
    """Everything stored, keyed by document sha256 and section ordinal instead of ids."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    sha = {r["id"]: r["sha256"] for r in con.execute("SELECT id, sha256 FROM documents")}
    ordinal = {r["id"]: (sha[r["document_id"]], r["ordinal"])
               for r in con.execute("SELECT id, document_id, ordinal FROM sections")}
    out: dict = {"documents": sorted(
        (tuple(sorted((k, r[k]) for k in r.keys() if k not in ("id", "ingested_at", "seconds")))
         for r in con.execute("SELECT * FROM documents")), key=repr)}
    for table in ("sections", "section_coverage", "tasks", "targets", "results", "search_items"):
        rows = []
        for r in con.execute(f"SELECT * FROM {table}"):
            row = {k: r[k] for k in r.keys() if k not in ("id", "ref_id")}
            row["document_id"] = sha[row["document_id"]]
            for key in ("section_id", "parent_id"):
                if key in row and row[key] is not None:
                    row[key] = ordinal[row[key]]
            rows.append(tuple(sorted(row.items())))
        out[table] = sorted(rows, key=repr)
    return out


def integrity(db: Path) -> str:
    return sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]


def stored(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        return con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def dxplan(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(DXPLAN), *args], capture_output=True, text=True, timeout=timeout, env=env)


def summary_counts(stdout: str) -> tuple[int, int, int]:
    m = re.search(r"(\d+) ingested, (\d+) unchanged, (\d+) failed", stdout)
    assert m, stdout
    return int(m[1]), int(m[2]), int(m[3])


def workers_of(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children()
    except psutil.NoSuchProcess:
        return []


# ------------------------------------------------------------------ documents, built once

@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> Path:
    """A folder of 12 generated plans: 10 text PDFs (direct writer) and 2 DOCX."""
    out = tmp_path_factory.mktemp("plans")
    specs = []
    for seed in range(500, 500 + N_PLANS):
        spec = generate_plan(seed, pages=10)
        specs.append(spec.model_copy(update={"style": spec.style.model_copy(update={"pdf": "direct"})}))
    for i, spec in enumerate(specs):
        build_many([spec], out, ["docx"] if i % 6 == 5 else ["pdf"])
    assert len(list(out.iterdir())) == N_PLANS
    return out


@pytest.fixture(scope="module")
def reference(plans, tmp_path_factory) -> Path:
    """The corpus of one uninterrupted run."""
    db = tmp_path_factory.mktemp("ref") / "ref.db"
    proc = dxplan("ingest", str(plans), "--db", str(db), "--jobs", "2", "-q")
    assert proc.returncode == 0, proc.stderr
    assert summary_counts(proc.stdout) == (N_PLANS, 0, 0)
    return db


@pytest.fixture(scope="module")
def scan3(plans, tmp_path_factory) -> Path:
    """Three pages of a plan as a scan (several seconds of OCR)."""
    d = tmp_path_factory.mktemp("scan")
    src = sorted(plans.glob("*.pdf"))[0]
    with pymupdf.open(src) as doc:
        doc.select([0, 1, 2])
        doc.save(d / "three.pdf")
    return rasterise_pdf(d / "three.pdf", d / "a-ban-quet.pdf", dpi=200, seed=5)


# ------------------------------------------------------------------ never a half-stored plan

def test_killed_run_resumes_to_the_same_corpus(plans, reference, tmp_path):
    db = tmp_path / "killed.db"
    proc = subprocess.Popen([str(DXPLAN), "ingest", str(plans), "--db", str(db), "--jobs", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while stored(db) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers |= {p.pid for p in workers_of(proc.pid)}
        time.sleep(0.01)
    workers |= {p.pid for p in workers_of(proc.pid)}
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    done = stored(db)
    assert 2 <= done < N_PLANS, "the run was not interrupted mid-batch"
    assert workers, "no worker process was seen"
    _, alive = psutil.wait_procs([psutil.Process(p) for p in workers if psutil.pid_exists(p)], timeout=10)
    assert not alive, "workers outlived the killed run"
    assert integrity(db) == "ok"

    again = dxplan("ingest", str(plans), "--db", str(db), "--jobs", "2", "-q")
    assert again.returncode == 0, again.stderr
    assert summary_counts(again.stdout) == (N_PLANS - done, done, 0)
    assert corpus_content(db) == corpus_content(reference)


def test_concurrent_runs_make_one_corpus(plans, reference, tmp_path):
    db = tmp_path / "shared.db"
    cmd = [str(DXPLAN), "ingest", str(plans), "--db", str(db), "--jobs", "1", "-q"]
    runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [r.communicate(timeout=600) for r in runs]
    for r, (out, err) in zip(runs, outs):
        assert r.returncode == 0, err
    counts = [summary_counts(out) for out, _ in outs]
    assert sum(c[0] for c in counts) == N_PLANS  # each document stored by exactly one run
    assert all(c[0] + c[1] == N_PLANS and c[2] == 0 for c in counts)
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents").fetchone() == (N_PLANS, N_PLANS)
    assert integrity(db) == "ok"
    assert corpus_content(db) == corpus_content(reference)


def test_rerun_and_force(plans, reference, tmp_path):
    db = tmp_path / "copy.db"
    db.write_bytes(reference.read_bytes())
    same = dxplan("ingest", str(plans), "--db", str(db), "-q")
    assert same.returncode == 0 and summary_counts(same.stdout) == (0, N_PLANS, 0)
    one = sorted(plans.iterdir())[3]
    forced = dxplan("ingest", str(one), "--db", str(db), "--force", "-q")
    assert forced.returncode == 0 and summary_counts(forced.stdout) == (1, 0, 0)
    assert corpus_content(db) == corpus_content(reference)


# ------------------------------------------------------------------ archives

class _RawName(zipfile.ZipInfo):
    """A zip member whose name is written as the given bytes, with or without the UTF-8 flag
    (as archivers on Vietnamese Windows, or old Linux tools, write them)."""

    def __init__(self, raw: bytes, utf8: bool = False, extra: bytes = b""):
        super().__init__(raw.decode("utf-8") if utf8 else raw.decode("cp437"))
        self.raw, self.utf8 = raw, utf8
        self.extra = extra

    def _encodeFilenameFlags(self):  # zipfile's own hook for the name bytes
        return self.raw, (self.flag_bits | 0x800) if self.utf8 else (self.flag_bits & ~0x800)


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters plus combining tone marks."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                del marks[i]
                break
        out += (base + "".join(marks)).encode("cp1258")
    return out


def test_zip_member_names_in_every_encoding(plans, tmp_path):
    import struct
    import zlib

    pdfs = sorted(plans.glob("*.pdf"))
    names = {
        "utf8-flag": "Hồ sơ/Kế hoạch chuyển đổi số tỉnh Đồng Tháp.pdf",
        "utf8-no-flag": "Hồ sơ/Kế hoạch của Sở Nội vụ.pdf",
        "cp1258": "Hồ sơ/Tỉnh Thừa Thiên Huế/Kế hoạch năm 2025.pdf",
        "cp1252": "Báo cáo tình hình.pdf",
        "tcvn3": "Kế hoạch ứng dụng công nghệ.pdf",
        "mangled": "Hồ sơ/Chuyển đổi số Hà Tĩnh.pdf",
        "unicode-field": "Quyết định phê duyệt.pdf",
    }
    raw = {
        "utf8-flag": _RawName(names["utf8-flag"].encode(), utf8=True),
        "utf8-no-flag": _RawName(names["utf8-no-flag"].encode()),
        "cp1258": _RawName(cp1258(names["cp1258"])),
        "cp1252": _RawName(names["cp1252"].encode("cp1252")),
        "tcvn3": _RawName(from_unicode(names["tcvn3"], "tcvn3").encode("cp1252")),
        # UTF-8 once extracted as cp437 and zipped again, flagged UTF-8
        "mangled": _RawName(names["mangled"].encode().decode("cp437").encode(), utf8=True),
        "unicode-field": _RawName(b"Quyet dinh.pdf", extra=struct.pack(
            "<HHBI", 0x7075, 5 + len(names["unicode-field"].encode()), 1, zlib.crc32(b"Quyet dinh.pdf"))
            + names["unicode-field"].encode()),
    }
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.write(pdfs[7], "Phụ lục/Kế hoạch kèm theo.pdf")
    archive = tmp_path / "hồ sơ gửi.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i, key in enumerate(names):
            z.writestr(raw[key], pdfs[i].read_bytes())
        z.writestr("Hồ sơ/lồng.zip", inner.getvalue())
        z.writestr("__MACOSX/Hồ sơ/._Kế hoạch.pdf", b"\x00\x05\x16\x07")
        z.writestr("Hồ sơ/~$ hoạch.docx", b"lock")
        z.writestr("Hồ sơ/Công văn.txt", "kèm theo")
    broken = tmp_path / "hỏng.zip"
    broken.write_bytes(archive.read_bytes()[:300])

    db = tmp_path / "zip.db"
    summary = ingest_paths(db, [archive, broken], progress=False)
    expected = {f"{archive}/{n}" for n in names.values()} | {f"{archive}/Hồ sơ/lồng.zip/Phụ lục/Kế hoạch kèm theo.pdf"}
    rows = dict(sqlite3.connect(db).execute("SELECT path, status FROM documents"))
    assert {p for p, s in rows.items() if s == "ok"} == expected
    assert rows[str(broken)] == "error"
    assert (summary.ingested, summary.failed, summary.skipped) == (len(expected), 1, 3)
    filenames = {r[0] for r in sqlite3.connect(db).execute("SELECT filename FROM documents WHERE status = 'ok'")}
    assert "Kế hoạch năm 2025.pdf" in filenames and "Báo cáo tình hình.pdf" in filenames


def test_oversized_archive_member_is_an_error_row(plans, tmp_path):
    archive = tmp_path / "lớn.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("to.pdf", b"%PDF-1.7\n" + b"0" * 3_000_000)
        z.write(sorted(plans.glob("*.pdf"))[0], "nho.pdf")
    db = tmp_path / "big.db"
    summary = ingest_paths(db, [archive], limits=Limits(max_file_mb=2), progress=False)
    rows = dict(sqlite3.connect(db).execute("SELECT filename, status || ': ' || COALESCE(error, '') FROM documents"))
    assert rows["to.pdf"] == "error: file is 3 MB inside the archive, over the 2 MB limit (--max-file-mb)"
    assert rows["nho.pdf"] == "ok: "
    again = ingest_paths(db, [archive], limits=Limits(max_file_mb=2), progress=False)
    assert (summary.failed, again.unchanged, again.failed_before) == (1, 2, 1)


# ------------------------------------------------------------------ isolation of the workers

def test_timeout_stops_only_that_file(plans, scan3, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / scan3.name).write_bytes(scan3.read_bytes())
    plan = sorted(plans.glob("*.pdf"))[1]
    (folder / plan.name).write_bytes(plan.read_bytes())
    db = tmp_path / "t.db"
    proc = dxplan("ingest", str(folder), "--db", str(db), "--timeout", "1", "-q")
    assert proc.returncode == 3
    rows = dict(sqlite3.connect(db).execute("SELECT filename, status || ': ' || COALESCE(error, '') FROM documents"))
    assert rows[scan3.name] == "error: took longer than 1 s to read; stopped (raise --timeout to allow more)"
    assert rows[plan.name] == "ok: "


def _big_docx(path: Path, megabytes: int) -> Path:
    """A DOCX within the package limits (250 MB unpacked, ratio under 200:1 thanks to an
    incompressible part) whose reading needs far more memory than a small limit allows."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info.filename, src.read(info))
        z.writestr("word/media/image1.bin", os.urandom(2_000_000), compress_type=zipfile.ZIP_STORED)
        with z.open("word/document.xml", "w") as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>'.encode())
            para = "<w:p><w:r><w:t>Triển khai nền tảng số dùng chung.</w:t></w:r></w:p>".encode()
            chunk = para * (1_000_000 // len(para))
            for _ in range(megabytes):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")
    return path


def test_memory_limit_turns_a_runaway_file_into_an_error_row(plans, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _big_docx(folder / "khong-lo.docx", 250)
    plan = sorted(plans.glob("*.pdf"))[2]
    (folder / plan.name).write_bytes(plan.read_bytes())
    db = tmp_path / "m.db"
    proc = dxplan("ingest", str(folder), "--db", str(db), "--max-memory-mb", "150", "-q")
    assert proc.returncode == 3, proc.stderr
    rows = dict(sqlite3.connect(db).execute("SELECT filename, status || ': ' || COALESCE(error, '') FROM documents"))
    assert rows["khong-lo.docx"] == ("error: ran out of memory reading this file (over the per-file memory limit, "
                                     "--max-memory-mb)")
    assert rows[plan.name] == "ok: "  # a normal plan fits in the same limit


def test_crashed_worker_costs_only_its_file(plans, scan3, tmp_path):
    """The worker reading the scan is killed twice (as the kernel kills a process out of
    memory): the scan gets an error row, the plans around it are stored."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / scan3.name).write_bytes(scan3.read_bytes())
    for p in sorted(plans.glob("*.pdf"))[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    db = tmp_path / "c.db"
    proc = subprocess.Popen([str(DXPLAN), "ingest", str(folder), "--db", str(db), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = 0
    deadline = time.monotonic() + 180
    while killed < 2 and time.monotonic() < deadline and proc.poll() is None:
        for w in workers_of(proc.pid):
            try:
                if any(c.name() == "tesseract" for c in w.children()):
                    w.kill()
                    w.wait(10)
                    killed += 1
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.02)
    _, err = proc.communicate(timeout=300)
    assert killed == 2
    assert proc.returncode == 3, err
    rows = dict(sqlite3.connect(db).execute("SELECT filename, status || ': ' || COALESCE(error, '') FROM documents"))
    assert rows.pop(scan3.name) == ("error: the reader process was killed (SIGKILL) while reading this file, "
                                    "probably out of memory")
    assert list(rows.values()) == ["ok: ", "ok: "]


def test_retry_failed_after_installing_tesseract(scan3, tmp_path):
    db = tmp_path / "r.db"
    no_ocr = {**os.environ, "PATH": str(tmp_path / "no-bin")}
    first = dxplan("ingest", str(scan3), "--db", str(db), "-q", env=no_ocr)
    assert first.returncode == 3
    second = dxplan("ingest", str(scan3), "--db", str(db), "-q")
    assert second.returncode == 3 and summary_counts(second.stdout) == (0, 1, 0)
    third = dxplan("ingest", str(scan3), "--db", str(db), "-q", "--retry-failed")
    assert third.returncode == 0 and summary_counts(third.stdout) == (1, 0, 0), third.stderr
    row = sqlite3.connect(db).execute("SELECT status, ocr_pages, COUNT(*) OVER () FROM documents").fetchone()
    assert row == ("ok", "[1, 2, 3]", 1)


def test_log_has_one_line_per_input(plans, tmp_path):
    import json

    log = tmp_path / "ingest.log"
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = sorted(plans.glob("*.pdf"))[4]
    (folder / "a.pdf").write_bytes(pdf.read_bytes())
    (folder / "b-copy.pdf").write_bytes(pdf.read_bytes())
    (folder / "notes.odt").write_bytes(b"PK")
    summary = ingest_paths(tmp_path / "l.db", [folder], log_path=log, progress=False,
                           limits=Limits(max_pages=3))
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    by_name = {Path(e["display"]).name: e for e in entries}
    assert set(by_name) == {"a.pdf", "b-copy.pdf", "notes.odt"}
    assert by_name["a.pdf"]["status"] == "failed"
    assert re.fullmatch(r"PDF has \d+ pages, over the --max-pages limit of 3", by_name["a.pdf"]["message"])
    assert by_name["b-copy.pdf"]["message"] == f"same content as {folder / 'a.pdf'}"
    assert by_name["notes.odt"]["status"] == "skipped"
    assert summary.line() == "0 ingested, 1 unchanged, 1 failed, 1 skipped (not .pdf/.docx/.doc)"
