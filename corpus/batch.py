"""Bulk ingest: expand folders and .zip archives, parse in worker processes, store each
document in its own transaction, and account for every input.

Every input ends as exactly one of: a document row (ok / partial / error), "unchanged"
(its sha256 is already stored), or "skipped" (not a .pdf/.docx/.doc); the summary and
the `--log` file list them all.

Workers only parse and extract; the parent process is the single writer. Each worker
reads one file at a time, so a crash, a blown memory limit or an overrun of the time
limit is charged to exactly that file: the worker is killed (with anything it started,
such as Tesseract or LibreOffice), an error row is written, and a fresh worker takes
over. Workers are forked from a parent that has already loaded the extraction pipeline,
so starting one costs milliseconds, not seconds.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import time
import zipfile
import zlib
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from multiprocessing.connection import wait as wait_any
from pathlib import Path, PurePosixPath

from corpus.store import connect, store_error, store_plan
from ingest.detect import SUPPORTED, sha256_of, zip_member_name
from ingest.errors import IngestError
from ingest.limits import DEFAULT_LIMITS, Limits

DEFAULT_TIMEOUT_S = 600.0
DEFAULT_MEMORY_MB = 4096  # what one worker may add, beyond its start-up size, to read one file
RECYCLE_AFTER = 200  # files per worker before it is replaced (bounds slow growth of caches)
MAX_ZIP_DEPTH = 3


@dataclass
class InputFile:
    path: Path  # where to read it
    display: str  # what to record (archive members: "plans.zip/folder/file.pdf")
    sha256: str | None = None
    error: str | None = None  # known before parsing (e.g. an archive member too large)
    size: int | None = None


@dataclass
class Outcome:
    display: str
    status: str  # ingested | unchanged | failed | skipped
    message: str | None = None
    pages: int | None = None
    seconds: float = 0.0  # parse time in the worker
    document_id: int | None = None
    doc_status: str | None = None  # ok | partial | error, as stored
    read_s: float | None = None
    extract_s: float | None = None
    store_s: float | None = None


@dataclass
class Summary:
    ingested: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    failed_before: int = 0  # unchanged inputs whose stored row is an error
    pages: int = 0
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.ingested} ingested, {self.unchanged} unchanged, {self.failed} failed"
        if self.failed_before:
            text += f" ({self.failed_before} unchanged had failed before; --retry-failed reads them again)"
        if self.skipped:
            text += f", {self.skipped} skipped (not .pdf/.docx/.doc)"
        return text

    @property
    def any_failed(self) -> bool:
        return bool(self.failed or self.failed_before)


# ================================================================ inputs

def _member_name(info: zipfile.ZipInfo) -> str:
    return zip_member_name(info)


def _is_junk(name: str) -> bool:
    """Office lock files, macOS resource forks and hidden files carry no plan."""
    parts = PurePosixPath(name).parts
    return any(p.startswith(("~$", ".")) or p == "__MACOSX" for p in parts)


class _Archive:
    """Expands one .zip input (and .zip files inside it) into a scratch folder."""

    def __init__(self, workdir: Path, limits: Limits, out: list[InputFile], skipped: list[str]):
        self.workdir, self.limits, self.out, self.skipped = workdir, limits, out, skipped
        self.budget = int(limits.max_archive_mb * 1e6)

    def expand(self, archive: Path, display: str, depth: int = 0) -> None:
        try:
            zf = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, UnicodeDecodeError, NotImplementedError, OSError, EOFError) as exc:
            self.out.append(InputFile(archive, display, error=f"corrupt .zip archive: cannot be opened ({exc})"))
            return
        with zf:
            target = Path(tempfile.mkdtemp(prefix="zip-", dir=self.workdir))
            for i, info in enumerate(zf.infolist()):
                if info.is_dir():
                    continue
                name = _member_name(info)
                inner = f"{display}/{name}"
                suffix = PurePosixPath(name).suffix.lower()
                if _is_junk(name) or (suffix not in SUPPORTED and suffix != ".zip"):
                    self.skipped.append(inner)
                    continue
                if suffix == ".zip" and depth >= MAX_ZIP_DEPTH:
                    self._fail(display, info, inner, f"archive nested more than {MAX_ZIP_DEPTH} deep; not opened")
                    continue
                dest = target / f"{i:05d}{suffix}"
                try:
                    sha, size = self._extract(zf, info, dest)
                except _TooLarge as exc:
                    self._fail(display, info, inner, str(exc))
                    continue
                except RuntimeError as exc:
                    why = ("is password-protected inside the archive; extract it with the password and ingest "
                           "the file" if "encrypted" in str(exc) or "password" in str(exc) else str(exc))
                    self._fail(display, info, inner, f"cannot be extracted from the archive: {why}")
                    continue
                except NotImplementedError as exc:
                    self._fail(display, info, inner, f"cannot be extracted from the archive: unsupported ({exc})")
                    continue
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                    self._fail(display, info, inner, f"cannot be extracted from the archive: damaged ({exc})")
                    continue
                if suffix == ".zip":
                    self.expand(dest, inner, depth + 1)
                else:
                    self.out.append(InputFile(dest, inner, sha256=sha, size=size))

    def _extract(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> tuple[str, int]:
        """Copy one member out, hashing it, never writing more than the limits allow
        (the sizes in the archive's directory may lie)."""
        cap = int(self.limits.max_file_mb * 1e6)
        if info.file_size > cap:
            raise _TooLarge(f"file is {info.file_size / 1e6:.0f} MB inside the archive, over the "
                            f"{self.limits.max_file_mb:g} MB limit (--max-file-mb)")
        h, size = hashlib.sha256(), 0
        with zf.open(info) as src, dest.open("wb") as dst:
            while chunk := src.read(1 << 20):
                size += len(chunk)
                if size > cap:
                    raise _TooLarge(f"file unpacks to more than {self.limits.max_file_mb:g} MB, over the "
                                    "--max-file-mb limit")
                if size > self.budget:
                    raise _TooLarge(f"the archive unpacks to more than {self.limits.max_archive_mb:g} MB in all; "
                                    "this member was not extracted (possible zip bomb)")
                h.update(chunk)
                dst.write(chunk)
        self.budget -= size
        return h.hexdigest(), size

    def _fail(self, display: str, info: zipfile.ZipInfo, inner: str, message: str) -> None:
        # no content to hash: name the row after the archive member, stable across runs
        sha = hashlib.sha256(f"{display}:{info.orig_filename}:{info.CRC}:{info.file_size}".encode()).hexdigest()
        self.out.append(InputFile(Path(inner), inner, sha256=sha, error=message))


class _TooLarge(Exception):
    pass


def collect_inputs(paths: list[str | Path], workdir: Path, limits: Limits = DEFAULT_LIMITS
                   ) -> tuple[list[InputFile], list[str]]:
    """Files to ingest (folders searched recursively, .zip archives expanded) and the
    inputs skipped because they are no plan format."""
    files: list[InputFile] = []
    skipped: list[str] = []
    archive = _Archive(workdir, limits, files, skipped)

    def add(p: Path) -> None:
        suffix = p.suffix.lower()
        if p.name.startswith(("~$", ".")):
            skipped.append(str(p))
        elif suffix == ".zip":
            archive.expand(p, str(p))
        elif suffix in SUPPORTED:
            files.append(InputFile(p, str(p)))
        else:
            skipped.append(str(p))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, names in os.walk(p):  # symlinked folders are not followed (no loops)
                dirs[:] = sorted(d for d in dirs if not _is_junk(d))  # .git, __MACOSX: not inputs at all
                for name in sorted(names):
                    add(Path(root) / name)
        elif p.is_file():
            add(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return files, skipped


# ================================================================ worker side

_OUT_OF_MEMORY = "ran out of memory reading this file (over the per-file memory limit, --max-memory-mb)"


def _out_of_memory(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or "malloc" in text or "out of memory" in text or "cannot allocate" in text


def parse_file(path: str, sha256: str, limits: Limits) -> tuple:
    """file → ("ok", (slim RawDocument, Plan), seconds, timings) or ("error", message, seconds, timings)."""
    from extract.pipeline import build_plan
    from ingest.reader import read_document

    start = time.perf_counter()
    timings: dict[str, float] = {}

    def fail(message: str) -> tuple:
        return ("error", message, time.perf_counter() - start, timings)

    try:
        raw = read_document(Path(path), limits, sha256=sha256)
        timings["read_s"] = time.perf_counter() - start
        plan = build_plan(raw)
        timings["extract_s"] = time.perf_counter() - start - timings["read_s"]
    except IngestError as exc:
        return fail(str(exc))
    except RecursionError:
        return fail("document structure too deeply nested to read")
    except Exception as exc:  # a reader bug must not stop the batch; the message says where
        if _out_of_memory(exc):
            return fail(_OUT_OF_MEMORY)
        return fail(f"unexpected error while reading: {type(exc).__name__}: {str(exc)[:200]}")
    slim = raw.model_copy(update={"blocks": []})
    return ("ok", (slim, plan), time.perf_counter() - start, timings)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(extra_mb: float) -> None:
    """Cap the address space at what the worker uses now plus `extra_mb`: an allocation
    beyond it fails with MemoryError instead of swapping the machine to a halt."""
    try:
        import resource

        cap = _vm_bytes() + int(extra_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
    except (ImportError, ValueError, OSError):
        pass


def _die_with_parent() -> None:
    """Linux: be killed when the parent dies (SIGKILL of `dxplan ingest` leaves no workers)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker_main(conn, parent_end, max_memory_mb: float, parent_pid: int) -> None:
    parent_end.close()
    _die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)
    os.setpgrp()  # its own process group: a timeout kills the worker and what it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit_memory(max_memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result = parse_file(*task)
        except MemoryError:
            result = ("error", _OUT_OF_MEMORY, 0.0, {})
        try:
            conn.send(result)
        except Exception as exc:  # e.g. the result could not be pickled: nothing was sent
            conn.send(("error", f"unexpected error while returning the result: {type(exc).__name__}", 0.0, {}))


_SIGNALS = {getattr(signal, n): n for n in ("SIGKILL", "SIGSEGV", "SIGABRT", "SIGBUS", "SIGFPE", "SIGILL", "SIGTERM")}


class _Worker:
    def __init__(self, ctx, max_memory_mb: float):
        sys.stdout.flush()  # a forked child would otherwise write the parent's pending output again
        sys.stderr.flush()
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, self.conn, max_memory_mb, os.getpid()),
                                daemon=True, name="dxplan-worker")
        self.proc.start()
        child.close()
        self.file: InputFile | None = None
        self.started = 0.0
        self.done = 0

    def submit(self, f: InputFile, limits: Limits) -> None:
        self.file, self.started = f, time.monotonic()
        self.conn.send((str(f.path), f.sha256, limits))

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            self.proc.kill()
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()

    def death(self) -> str:
        self.proc.join(1)
        code = self.proc.exitcode
        if code is not None and code < 0:
            name = _SIGNALS.get(-code, f"signal {-code}")
            if -code == signal.SIGKILL:
                return f"the reader process was killed ({name}) while reading this file, probably out of memory"
            return f"the reader crashed ({name}) on this file (damaged or hostile content)"
        return f"the reader process exited unexpectedly (code {code}) while reading this file"


# ================================================================ parent side

class _Progress:
    """One status line on a terminal: files done, pages, pages per second, current file."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.pages = total, 0, 0
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()
        self.last = ""

    def step(self, o: Outcome) -> None:
        self.done += 1
        if o.status == "ingested":
            self.pages += o.pages or 0
        self.last = o.display
        self.draw()

    def draw(self) -> None:
        if not self.enabled:
            return
        width = 24
        filled = int(width * self.done / max(1, self.total))
        rate = self.pages / max(1e-6, time.perf_counter() - self.start)
        name = self.last[-36:]
        sys.stderr.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files "
                         f"{self.pages} pages {rate:.0f} pages/s  {name}")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\n")


_WARM_TEXT = [
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "Số: 12/KH-UBND", "KẾ HOẠCH", "Chuyển đổi số tỉnh Quảng Trị năm 2025",
    "I. MỤC TIÊU", "Tỷ lệ hồ sơ trực tuyến toàn trình đạt tối thiểu 80%; 100% xã có điểm phục vụ.",
    "II. NHIỆM VỤ", "1. Triển khai trợ lý ảo, định danh điện tử. Sở Thông tin và Truyền thông chủ trì, phối hợp "
    "Sở Nội vụ; thời gian hoàn thành: Quý II/2025.",
]


def _warm_up() -> None:
    """Load the readers and the extraction pipeline's lazy parts (PyMuPDF, the word
    segmenter's model, the rule components, data tables) in the parent, once, so that
    forked workers start with them loaded and their memory limit is measured from there."""
    try:
        import ingest.reader  # noqa: F401 - PyMuPDF and lxml
        from extract.nlp import analyse
        from extract.pipeline import build_plan
        from models.raw import PageInfo, RawDocument, TextBlock

        analyse(_WARM_TEXT[-1], 2025)
        blocks = [TextBlock(text=t, original=t, page=1, bold=t.isupper(), font_size=13.0) for t in _WARM_TEXT]
        build_plan(RawDocument(path="warm-up.pdf", filename="warm-up.pdf", format="pdf", sha256="0" * 64,
                               pages=1, page_info=[PageInfo(number=1)], blocks=blocks))
    except Exception:  # noqa: BLE001 - workers then load what they need themselves
        pass


def _context():
    try:
        return mp.get_context("fork")
    except ValueError:
        return mp.get_context("spawn")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class _Run:
    """One `ingest` run: the corpus connection, the summary and the log."""

    def __init__(self, db, force: bool, retry_failed: bool, progress: _Progress, log, on_outcome):
        self.db, self.force, self.retry_failed = db, force, retry_failed
        self.bar, self.log, self.on_outcome = progress, log, on_outcome
        self.summary = Summary()

    def stored(self, sha256: str) -> tuple[int, str] | None:
        """(id, status) of the stored row to keep as it is, or None when the file is to be read."""
        row = self.db.conn.execute("SELECT id, status FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None or self.force or (self.retry_failed and row[1] == "error"):
            return None
        return row[0], row[1]

    def record(self, o: Outcome) -> None:
        s = self.summary
        s.outcomes.append(o)
        if o.status == "ingested":
            s.ingested += 1
            s.pages += o.pages or 0
        elif o.status == "unchanged":
            s.unchanged += 1
            s.failed_before += o.doc_status == "error"
        elif o.status == "failed":
            s.failed += 1
        else:
            s.skipped += 1
        if o.status != "skipped":
            self.bar.step(o)
        if self.log:
            entry = {"time": _now(), **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(o).items()}}
            self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.log.flush()
        if self.on_outcome:
            self.bar.clear()
            self.on_outcome(o)
            if self.bar.done:
                self.bar.draw()

    def store(self, f: InputFile, result: tuple) -> Outcome:
        kind, payload, seconds, timings = result
        size = f.size if f.size is not None else (f.path.stat().st_size if f.path.exists() else None)
        fmt = SUPPORTED.get(PurePosixPath(f.display).suffix.lower())
        t0 = time.perf_counter()
        if kind == "ok":
            raw, plan = payload
            raw = raw.model_copy(update={"path": f.display, "filename": PurePosixPath(f.display).name})
            doc_id, written = store_plan(self.db, raw, plan, size_bytes=size, seconds=seconds,
                                         replace=self.force or self.retry_failed)
            status = "partial" if raw.unreadable_pages else "ok"
            return Outcome(f.display, "ingested" if written else "unchanged", pages=raw.pages, seconds=seconds,
                           document_id=doc_id, doc_status=status, store_s=time.perf_counter() - t0, **timings)
        doc_id, written = store_error(self.db, Path(f.display), f.sha256, fmt, payload, size_bytes=size,
                                      replace=self.force or self.retry_failed)
        return Outcome(f.display, "failed" if written else "unchanged", payload, seconds=seconds, document_id=doc_id,
                       doc_status="error", store_s=time.perf_counter() - t0, **timings)


def ingest_paths(db_path: str | Path, paths: list[str | Path], *, jobs: int = 1, force: bool = False,
                 retry_failed: bool = False, limits: Limits = DEFAULT_LIMITS, progress: bool = True,
                 log_path: str | Path | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_memory_mb: float = DEFAULT_MEMORY_MB, on_outcome=None) -> Summary:
    """Ingest files, folders and .zip archives into the corpus at `db_path`.

    `force` re-reads every file; `retry_failed` re-reads files stored as errors.
    `on_outcome(Outcome)` is called once per input as it is accounted for.
    """
    db = connect(db_path)
    workdir = Path(tempfile.mkdtemp(prefix="dxplan-ingest-"))
    log = open(log_path, "a", encoding="utf-8") if log_path else None
    t0 = time.perf_counter()
    run = _Run(db, force, retry_failed, _Progress(0, progress), log, on_outcome)
    try:
        files, skipped = collect_inputs(paths, workdir, limits)
        run.bar.total = len(files)
        run.summary.skipped_files = skipped
        for s in skipped:
            run.record(Outcome(s, "skipped", "not a .pdf, .docx or .doc file"))
        todo = _plan_work(run, files)
        _run_workers(run, todo, jobs, limits, timeout_s, max_memory_mb)
        run.bar.close()
    finally:
        if log:
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        db.conn.close()
    run.summary.seconds = time.perf_counter() - t0
    return run.summary


def _plan_work(run: _Run, files: list[InputFile]) -> list[InputFile]:
    """Hash every input; account at once for the unchanged, the duplicates and the
    failures known before parsing. Returns the files to parse."""
    todo: list[InputFile] = []
    first: dict[str, str] = {}
    for f in files:
        if f.sha256 is None:
            try:
                f.size = f.path.stat().st_size
                f.sha256 = sha256_of(f.path)
            except OSError as exc:
                f.sha256 = hashlib.sha256(f"unreadable:{f.display}".encode()).hexdigest()
                f.error = f"cannot be read from disk ({exc.strerror or exc})"
        if f.sha256 in first:
            run.record(Outcome(f.display, "unchanged", f"same content as {first[f.sha256]}"))
            continue
        first[f.sha256] = f.display
        seen = run.stored(f.sha256)
        if seen:
            run.record(Outcome(f.display, "unchanged", document_id=seen[0], doc_status=seen[1]))
            continue
        if f.error:
            run.record(run.store(f, ("error", f.error, 0.0, {})))
            continue
        todo.append(f)
    return todo


def _heavy(result: tuple) -> bool:
    """After OCR (page images) or running out of memory, a worker keeps a large heap:
    replacing it (a fork, milliseconds) keeps memory flat over a long run."""
    kind, payload = result[0], result[1]
    return bool(payload[0].ocr_pages) if kind == "ok" else payload == _OUT_OF_MEMORY


def _run_workers(run: _Run, todo: list[InputFile], jobs: int, limits: Limits, timeout_s: float,
                 max_memory_mb: float) -> None:
    """Parse `todo` in `jobs` worker processes; store results as they arrive."""
    if not todo:
        return
    ctx = _context()
    if ctx.get_start_method() == "fork":
        _warm_up()
    queue = deque(todo)
    retried: set[str] = set()
    workers = [_Worker(ctx, max_memory_mb) for _ in range(min(max(1, jobs), len(todo)))]
    try:
        while queue or any(w.file for w in workers):
            for i, w in enumerate(workers):
                while w.file is None and queue:
                    f = queue.popleft()
                    seen = run.stored(f.sha256)
                    if seen:  # stored meanwhile by another `ingest` run on the same corpus
                        run.record(Outcome(f.display, "unchanged", document_id=seen[0], doc_status=seen[1]))
                        continue
                    try:
                        w.submit(f, limits)
                    except (OSError, ValueError):  # the idle worker died: replace it, keep the file
                        queue.appendleft(f)
                        w.kill()
                        w = workers[i] = _Worker(ctx, max_memory_mb)
            busy = [w for w in workers if w.file]
            if not busy:
                continue
            deadline = min(w.started for w in busy) + timeout_s
            wait_any([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                     timeout=max(0.05, min(1.0, deadline - time.monotonic())))
            for i, w in enumerate(workers):
                if not w.file:
                    continue
                f = w.file
                result = None
                try:
                    if w.conn.poll():
                        result = w.conn.recv()
                except (EOFError, OSError):
                    result = None
                if result is not None:
                    w.file, w.done = None, w.done + 1
                    run.record(run.store(f, result))
                    if w.done >= RECYCLE_AFTER or _heavy(result):
                        w.stop()
                        workers[i] = _Worker(ctx, max_memory_mb)
                elif not w.proc.is_alive():
                    message = w.death()
                    w.kill()
                    workers[i] = _Worker(ctx, max_memory_mb)
                    if f.sha256 not in retried:  # once more in a fresh worker, in case it was not the file
                        retried.add(f.sha256)
                        queue.appendleft(f)
                    else:
                        run.record(run.store(f, ("error", message, time.monotonic() - w.started, {})))
                elif time.monotonic() - w.started > timeout_s:
                    w.kill()
                    workers[i] = _Worker(ctx, max_memory_mb)
                    run.record(run.store(f, ("error", f"took longer than {timeout_s:g} s to read; stopped "
                                                      "(raise --timeout to allow more)", timeout_s, {})))
    finally:
        for w in workers:
            if w.file:
                w.kill()
            else:
                w.stop()
