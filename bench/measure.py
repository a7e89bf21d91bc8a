"""The measurements: `dxplan ingest` runs watched from outside, raw PyMuPDF text
extraction, query latencies, the single 30-page plan, and a profile of the parse."""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

DXPLAN = Path(sys.executable).with_name("dxplan")
MB = 1024 * 1024


@dataclass
class IngestRun:
    label: str
    jobs: int
    files: int
    pages: int
    seconds: float  # wall clock, start of the command to its exit
    exit_code: int
    summary: str
    peak_parent_mb: float
    peak_worker_mb: float
    max_rss_mb: float  # largest process of the run, from the kernel's accounting (wait4)
    rss_at: dict[int, tuple[float, float]] = field(default_factory=dict)  # documents done → (parent, worker max) MB
    ocr_at: set[int] = field(default_factory=set)  # milestones reached while a worker was running Tesseract
    entries: list[dict] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after: other work on the machine

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def run_ingest(label: str, db: Path, paths: list[Path], jobs: int, log: Path,
               milestones: tuple[int, ...] = ()) -> IngestRun:
    """Run `dxplan ingest` and sample the memory of its processes every 0.1 s."""
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), log):
        p.unlink(missing_ok=True)
    out = log.with_suffix(".out")
    cmd = [str(DXPLAN), "ingest", *map(str, paths), "--db", str(db), "--jobs", str(jobs), "-q", "--log", str(log)]
    peak_parent = peak_worker = last_worker = 0
    rss_at: dict[int, tuple[float, float]] = {}
    ocr_at: set[int] = set()
    last_ocr = -1e9
    done = 0
    load_before = os.getloadavg()[0]
    with out.open("w") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                seconds = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            parent_rss, worker_rss, ocr = _sample(proc.pid)
            last_ocr = time.perf_counter() if ocr else last_ocr
            peak_parent, peak_worker = max(peak_parent, parent_rss), max(peak_worker, worker_rss)
            last_worker = worker_rss or last_worker  # workers are gone once the last file is done
            if milestones and log.exists():
                done = _count_documents(log)
                for m in milestones:
                    if done >= m and m not in rss_at:
                        rss_at[m] = (parent_rss / MB, last_worker / MB)
                        if time.perf_counter() - last_ocr < 2:
                            ocr_at.add(m)
            time.sleep(0.1)
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    pages = sum(e["pages"] or 0 for e in entries if e["status"] == "ingested")
    files = sum(e["status"] != "skipped" for e in entries)
    return IngestRun(label, jobs, files, pages, seconds, proc.returncode, out.read_text(encoding="utf-8").strip(),
                     peak_parent / MB, peak_worker / MB, usage.ru_maxrss / 1024, rss_at, ocr_at, entries,
                     (load_before, os.getloadavg()[0]))


def _sample(pid: int) -> tuple[int, int, bool]:
    """RSS of the parent and of its largest worker (workers are its direct children), and
    whether a worker is running Tesseract."""
    try:
        parent = psutil.Process(pid)
        parent_rss = parent.memory_info().rss
        workers = parent.children()
    except psutil.Error:
        return 0, 0, False
    worker_rss, ocr = 0, False
    for w in workers:
        try:
            worker_rss = max(worker_rss, w.memory_info().rss)
            ocr = ocr or any(c.name() == "tesseract" for c in w.children())
        except psutil.Error:
            pass
    return parent_rss, worker_rss, ocr


def _count_documents(log: Path) -> int:
    with log.open("rb") as fh:
        return sum(1 for line in fh if b'"status": "skipped"' not in line)


def raw_extraction(pdfs: list[Path]) -> tuple[int, float]:
    """(pages, seconds) of PyMuPDF's plain `page.get_text()` over the files, one process."""
    import pymupdf

    pages = 0
    start = time.perf_counter()
    for path in pdfs:
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text()
                pages += 1
    return pages, time.perf_counter() - start


@dataclass
class QueryTiming:
    name: str
    rows: int
    first_ms: float
    median_ms: float
    max_ms: float


def _questions(db) -> dict:
    """The reviewers' questions through the Python API the commands use."""
    from corpus.cli import missing_matrix
    from corpus.commitments import by_indicator, by_text
    from corpus.queries import missing_rows, plan_documents
    from corpus.search import search

    def missing():
        rows = missing_rows(db)
        missing_matrix(plan_documents(db), rows)
        return rows

    return {
        "dxplan missing": missing,
        "dxplan commitments --indicator 1": lambda: by_indicator(db, 1)[1],
        'dxplan commitments "trợ lý ảo"': lambda: by_text(db, "trợ lý ảo")[1],
        'dxplan search "dinh danh"': lambda: search(db, "dinh danh"),
    }


def query_latencies(db_path: Path, repeat: int = 7) -> list[QueryTiming]:
    """Each question `repeat` times on a fresh read-only connection."""
    from corpus.store import connect

    db = connect(db_path, readonly=True)
    out = []
    for name, ask in _questions(db).items():
        times, rows = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(ask())
            times.append((time.perf_counter() - start) * 1000)
        out.append(QueryTiming(name, rows, times[0], statistics.median(times), max(times)))
    db.conn.close()
    return out


def profile_query(db_path: Path, name: str, top: int = 10) -> str:
    """Top functions by cumulative time of one question."""
    from corpus.store import connect

    db = connect(db_path, readonly=True)
    ask = _questions(db)[name]
    ask()
    prof = cProfile.Profile()
    prof.enable()
    ask()
    prof.disable()
    db.conn.close()
    return _table(prof, "cumulative", top)


def _table(prof: cProfile.Profile, order: str, top: int) -> str:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats(order).print_stats(top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    root = str(Path(__file__).resolve().parents[1]) + "/"
    return "\n".join(ln.replace(root, "").replace(sys.prefix + "/lib/", "") for ln in lines[start:])


@dataclass
class SingleFile:
    pages: int
    command_seconds: float  # `dxplan ingest one.pdf --jobs 1` from a cold start into a new corpus, best of 3
    command_median: float
    reported_seconds: float  # what the command itself reports (its start-up and imports excluded), best of 3
    load: float  # 1-minute load average before the runs
    read_seconds: float  # in a warm process
    extract_seconds: float
    store_seconds: float


def single_file(workdir: Path, pages: int = 30, seed: int = 30) -> SingleFile:
    """A generated text PDF of at least `pages` pages: the whole command, then its stages in a warm process."""
    import shutil

    import pymupdf

    from fixtures.build import build_many
    from fixtures.generator import generate_plan

    shutil.rmtree(workdir / "single", ignore_errors=True)
    asked = pages
    while True:
        spec = generate_plan(seed, pages=asked)
        spec = spec.model_copy(update={"style": spec.style.model_copy(update={"pdf": "direct"}), "formats": ["pdf"]})
        pdf = build_many([spec], workdir / "single")[spec.id]["pdf"]
        with pymupdf.open(pdf) as doc:
            got = doc.page_count
        if got >= pages or asked > 3 * pages:
            break
        pdf.unlink()
        asked += max(1, pages - got)
    db = workdir / "single.db"
    load = os.getloadavg()[0]
    runs: list[tuple[float, float]] = []
    for _ in range(3):
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            p.unlink(missing_ok=True)
        start = time.perf_counter()
        proc = subprocess.run([str(DXPLAN), "ingest", str(pdf), "--db", str(db), "--jobs", "1", "-q"], check=True,
                              capture_output=True, text=True)
        runs.append((time.perf_counter() - start, float(re.search(r"pages in ([\d.]+) s", proc.stdout)[1])))
    runs.sort()

    from corpus.batch import _warm_up
    from corpus.store import connect, store_plan
    from extract.pipeline import build_plan
    from ingest.reader import read_document

    _warm_up()
    t0 = time.perf_counter()
    raw = read_document(pdf)
    t1 = time.perf_counter()
    plan = build_plan(raw)
    t2 = time.perf_counter()
    db2 = workdir / "single-warm.db"
    for p in (db2, Path(f"{db2}-wal"), Path(f"{db2}-shm")):
        p.unlink(missing_ok=True)
    conn = connect(db2)
    t3 = time.perf_counter()
    store_plan(conn, raw, plan)
    t4 = time.perf_counter()
    conn.conn.close()
    return SingleFile(raw.pages, runs[0][0], runs[1][0], runs[0][1], load, t1 - t0, t2 - t1, t4 - t3)


def profile_parse(pdfs: list[Path], top: int = 14) -> tuple[float, float, int, str]:
    """(read seconds, extract seconds, pages, top functions by own time) over a sample, in process."""
    from corpus.batch import _warm_up
    from extract.pipeline import build_plan
    from ingest.reader import read_document

    _warm_up()
    read = extract = 0.0
    pages = 0
    prof = cProfile.Profile()
    for path in pdfs:
        prof.enable()
        t0 = time.perf_counter()
        raw = read_document(path)
        t1 = time.perf_counter()
        build_plan(raw)
        t2 = time.perf_counter()
        prof.disable()
        read, extract, pages = read + t1 - t0, extract + t2 - t1, pages + raw.pages
    return read, extract, pages, _table(prof, "tottime", top)
