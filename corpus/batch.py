"""Bulk ingest: expand folders and .zip archives, parse in worker processes, store each
document in its own transaction, and account for every input.

Workers only parse and extract; the parent process is the single writer. A worker that
crashes or overruns the time limit costs only its own file (the pool is rebuilt and the
other in-flight files are retried).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from corpus.store import connect, known, store_error, store_plan
from ingest.detect import SUPPORTED, sha256_of
from ingest.errors import IngestError
from ingest.limits import DEFAULT_LIMITS, Limits


@dataclass
class InputFile:
    path: Path  # where to read it
    display: str  # what to record (archive members: "plans.zip/folder/file.pdf")
    sha256: str | None = None
    error: str | None = None  # known before parsing (e.g. an archive member too large)


@dataclass
class Outcome:
    display: str
    status: str  # ingested | unchanged | failed
    message: str | None = None
    pages: int | None = None
    seconds: float = 0.0
    document_id: int | None = None


@dataclass
class Summary:
    ingested: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.ingested} ingested, {self.unchanged} unchanged, {self.failed} failed"
        if self.skipped:
            text += f", {self.skipped} skipped (not .pdf/.docx/.doc)"
        return text


# ---------------------------------------------------------------- inputs
def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names without the UTF-8 flag were decoded as cp437; recover Vietnamese."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for enc in ("utf-8", "cp1258", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _expand_zip(archive: Path, display: str, workdir: Path, limits: Limits, out: list[InputFile],
                skipped: list[str], depth: int = 0) -> None:
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        out.append(InputFile(archive, display, error="corrupt .zip archive: cannot be opened"))
        return
    with zf:
        target = Path(tempfile.mkdtemp(prefix="zip-", dir=workdir))
        for i, info in enumerate(zf.infolist()):
            if info.is_dir():
                continue
            name = _member_name(info)
            inner_display = f"{display}/{name}"
            suffix = Path(name).suffix.lower()
            if suffix == ".zip" and depth < 3:
                pass
            elif suffix not in SUPPORTED or Path(name).name.startswith("~$"):
                skipped.append(inner_display)
                continue
            if info.file_size > limits.max_file_mb * 1e6:
                out.append(InputFile(archive, inner_display,
                                     sha256=hashlib.sha256(f"{display}:{name}:{info.CRC}".encode()).hexdigest(),
                                     error=f"file is {info.file_size / 1e6:.0f} MB inside the archive, over the "
                                           f"{limits.max_file_mb:.0f} MB limit"))
                continue
            dest = target / f"{i:05d}{suffix}"
            try:
                with zf.open(info) as src, dest.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                out.append(InputFile(archive, inner_display,
                                     sha256=hashlib.sha256(f"{display}:{name}:{info.CRC}".encode()).hexdigest(),
                                     error=f"cannot be extracted from the archive ({exc})"))
                continue
            if suffix == ".zip":
                _expand_zip(dest, inner_display, workdir, limits, out, skipped, depth + 1)
            else:
                out.append(InputFile(dest, inner_display))


def collect_inputs(paths: list[str | Path], workdir: Path, limits: Limits) -> tuple[list[InputFile], list[str]]:
    files: list[InputFile] = []
    skipped: list[str] = []

    def add(p: Path) -> None:
        suffix = p.suffix.lower()
        if p.name.startswith("~$") or p.name.startswith("."):
            skipped.append(str(p))
        elif suffix == ".zip":
            _expand_zip(p, str(p), workdir, limits, files, skipped)
        elif suffix in SUPPORTED:
            files.append(InputFile(p, str(p)))
        else:
            skipped.append(str(p))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file():
                    add(child)
        elif p.is_file():
            add(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return files, skipped


# ---------------------------------------------------------------- worker side
def _limit_memory(max_gb: float) -> None:
    try:
        import resource

        soft = int(max_gb * 1024 ** 3)
        resource.setrlimit(resource.RLIMIT_AS, (soft, resource.RLIM_INFINITY))
    except (ImportError, ValueError, OSError):
        pass


def _worker_init(max_gb: float) -> None:
    _limit_memory(max_gb)


def parse_file(path: str, sha256: str, limits: Limits):
    """Runs in a worker: file → (slim RawDocument, Plan) or an error message."""
    from extract.pipeline import build_plan
    from ingest.reader import read_document

    start = time.perf_counter()
    try:
        raw = read_document(Path(path), limits, sha256=sha256)
        plan = build_plan(raw)
    except IngestError as exc:
        return ("error", str(exc), time.perf_counter() - start)
    except MemoryError:
        return ("error", "ran out of memory reading this file (over the per-file memory limit)", time.perf_counter() - start)
    except RecursionError:
        return ("error", "document structure too deeply nested to read", time.perf_counter() - start)
    except Exception as exc:  # a reader bug must not stop the batch; the message says where
        return ("error", f"unexpected error while reading: {type(exc).__name__}: {str(exc)[:200]}",
                time.perf_counter() - start)
    slim = raw.model_copy(update={"blocks": []})
    return ("ok", (slim, plan), time.perf_counter() - start)


# ---------------------------------------------------------------- parent side
class _Progress:
    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled and sys.stderr.isatty()
        self.start = time.perf_counter()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / max(1, self.total))
        rate = self.done / max(1e-6, time.perf_counter() - self.start)
        name = label[-40:]
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                         f"{rate:.1f} files/s  {name:<40}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def ingest_paths(db_path: str | Path, paths: list[str | Path], *, jobs: int = 1, force: bool = False,
                 limits: Limits = DEFAULT_LIMITS, progress: bool = True, log_path: str | Path | None = None,
                 timeout_s: float = 300.0, max_memory_gb: float = 6.0, on_outcome=None) -> Summary:
    db = connect(db_path)
    summary = Summary()
    workdir = Path(tempfile.mkdtemp(prefix="dxplan-ingest-"))
    log = open(log_path, "a", encoding="utf-8") if log_path else None
    t0 = time.perf_counter()
    try:
        files, skipped = collect_inputs(paths, workdir, limits)
        summary.skipped, summary.skipped_files = len(skipped), skipped
        bar = _Progress(len(files), progress)

        def record(o: Outcome) -> None:
            summary.outcomes.append(o)
            if o.status == "ingested":
                summary.ingested += 1
                summary.pages += o.pages or 0
            elif o.status == "unchanged":
                summary.unchanged += 1
            else:
                summary.failed += 1
            bar.step(o.display)
            if log:
                log.write(json.dumps(o.__dict__, ensure_ascii=False) + "\n")
                log.flush()
            if on_outcome:
                on_outcome(o)

        todo: list[InputFile] = []
        for f in files:
            size = f.path.stat().st_size if f.path.exists() else None
            if f.sha256 is None:
                try:
                    f.sha256 = sha256_of(f.path)
                except OSError as exc:
                    f.sha256 = hashlib.sha256(f"unreadable:{f.display}".encode()).hexdigest()
                    f.error = f"cannot be read from disk ({exc.strerror or exc})"
            seen = known(db, f.sha256)
            if seen and not force:
                record(Outcome(f.display, "unchanged", document_id=seen["id"]))
                continue
            if f.error:
                doc_id, _ = store_error(db, Path(f.display), f.sha256, SUPPORTED.get(Path(f.display).suffix.lower()),
                                        f.error, size_bytes=size, replace=force)
                record(Outcome(f.display, "failed", f.error, document_id=doc_id))
                continue
            todo.append(f)
        _run_pool(db, todo, jobs, force, limits, timeout_s, max_memory_gb, record)
        bar.close()
    finally:
        if log:
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        db.conn.close()
    summary.seconds = time.perf_counter() - t0
    return summary


def _store_result(db, f: InputFile, result, force: bool) -> Outcome:
    kind, payload, seconds = result
    size = f.path.stat().st_size if f.path.exists() else None
    fmt = SUPPORTED.get(Path(f.display).suffix.lower())
    if kind == "ok":
        raw, plan = payload
        raw = raw.model_copy(update={"path": f.display, "filename": Path(f.display).name})
        doc_id, written = store_plan(db, raw, plan, size_bytes=size, seconds=seconds, replace=force)
        return Outcome(f.display, "ingested" if written else "unchanged", pages=raw.pages, seconds=seconds,
                       document_id=doc_id)
    doc_id, written = store_error(db, Path(f.display), f.sha256, fmt, payload, size_bytes=size, replace=force)
    return Outcome(f.display, "failed" if written else "unchanged", payload, seconds=seconds, document_id=doc_id)


def _run_pool(db, todo: list[InputFile], jobs: int, force: bool, limits: Limits, timeout_s: float,
              max_memory_gb: float, record) -> None:
    """Parse `todo` in parallel; files in flight when a worker crashed are re-run one by one."""
    suspects: list[InputFile] = []
    queue = list(todo)
    while queue:
        queue, crashed = _pool_pass(db, queue, jobs, force, limits, timeout_s, max_memory_gb, record)
        suspects.extend(crashed)
    for f in suspects:
        _, crashed = _pool_pass(db, [f], 1, force, limits, timeout_s, max_memory_gb, record)
        for c in crashed:
            record(_store_result(db, c, ("error", "the reader crashed on this file (damaged or hostile content)",
                                         0.0), force))


def _pool_pass(db, queue: list[InputFile], jobs: int, force: bool, limits: Limits, timeout_s: float,
               max_memory_gb: float, record) -> tuple[list[InputFile], list[InputFile]]:
    """Run until the queue is empty or the pool breaks. Returns (not yet started, in flight at a crash)."""
    queue = list(queue)
    crashed: list[InputFile] = []
    requeue: list[InputFile] = []
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_worker_init, initargs=(max_memory_gb,))
    running: dict[Future, tuple[InputFile, float]] = {}
    broken = False
    try:
        while (queue or running) and not broken:
            while queue and len(running) < max(1, jobs) * 2:
                f = queue.pop(0)
                running[pool.submit(parse_file, str(f.path), f.sha256, limits)] = (f, time.monotonic())
            done, _ = wait(list(running), timeout=2.0, return_when=FIRST_COMPLETED)
            for fut in done:
                f, _start = running.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    crashed.append(f)
                    continue
                record(_store_result(db, f, result, force))
            now = time.monotonic()
            for fut in [fut for fut, (f, start) in running.items() if now - start > timeout_s]:
                f, _ = running.pop(fut)
                record(_store_result(db, f, ("error", f"took longer than {timeout_s:.0f} s to read; stopped "
                                             "(raise --timeout to allow more)", timeout_s), force))
                broken = True
        # files still in flight when the pool was stopped are not to blame: run them again
        requeue = [f for f, _ in running.values()]
        if crashed and requeue:
            crashed.extend(requeue)
            requeue = []
    finally:
        if broken:
            for proc in list(getattr(pool, "_processes", {}).values()):
                try:
                    proc.kill()
                except Exception:
                    pass
        pool.shutdown(wait=not broken, cancel_futures=True)
    return requeue + queue, crashed


def default_jobs() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))
