"""`make bench` / `python -m bench`: how fast and how lean `dxplan ingest` is at corpus scale.

Builds (once, cached under outputs/bench/) a corpus of generated plans, then measures in
one run: raw PyMuPDF text extraction and `dxplan ingest` with 1 and 2 workers over the
same text PDFs; the whole corpus (DOCX and scans too) with memory sampled along the way;
the reviewers' queries on the resulting corpus; one 30-page plan on its own; and a
profile of where parsing spends its time. Writes outputs/bench/report.md and prints it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from bench.corpus import build_corpus
from bench.measure import profile_parse, profile_query, query_latencies, raw_extraction, run_ingest, single_file
from bench.report import Results, markdown, targets


def _machine() -> str:
    import pymupdf

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPUs · load average {load} at start · "
            f"Python {platform.python_version()} · PyMuPDF {pymupdf.VersionBind}")


def _milestones(n: int) -> tuple[int, ...]:
    """Documents done at which memory is recorded: 50, 100, 200 … and the last one."""
    marks = tuple(m for m in (50, 100, 200, 400, 800) if m < n)
    return marks + (n,)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=220, help="plans in the corpus (default 220: over 5,000 pages)")
    ap.add_argument("--scans", type=int, default=2, help="of which rasterised into scans (default 2)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=Path("outputs/bench"), help="cache and report folder")
    args = ap.parse_args(argv)

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    corpus = build_corpus(out / f"corpus-{args.plans}-{args.scans}-{args.seed}", args.plans, args.seed, args.scans)
    texts = corpus.files["text"]
    print(f"raw PyMuPDF extraction over {len(texts)} text PDFs …", flush=True)
    raw_pages, raw_seconds = raw_extraction(texts)
    text_folder = corpus.folder("text")
    print("dxplan ingest, text PDFs, 2 workers …", flush=True)
    two = run_ingest("text, 2 workers", out / "text-2.db", [text_folder], 2, out / "text-2.log",
                     _milestones(len(texts)))
    print("dxplan ingest, text PDFs, 1 worker …", flush=True)
    one = run_ingest("text, 1 worker", out / "text-1.db", [text_folder], 1, out / "text-1.log")
    everything = sorted(corpus.all_files(), key=lambda p: p.name)  # kinds interleaved, as in a real intake
    n = len(everything)
    print(f"dxplan ingest, whole corpus ({n} files), 2 workers …", flush=True)
    whole = run_ingest("whole, 2 workers", out / "corpus.db", everything, 2, out / "corpus.log", _milestones(n))
    print("queries …", flush=True)
    queries = query_latencies(out / "corpus.db")
    slow = {q.name: profile_query(out / "corpus.db", q.name) for q in queries if q.max_ms >= 200}
    print("one 30-page plan …", flush=True)
    single = single_file(out)
    print("profile …", flush=True)
    profile = profile_parse(texts[:: max(1, len(texts) // 8)][:8])

    scan_pages = sum(e["pages"] or 0 for e in whole.entries if "/scan/" in e["display"] and e["pages"])
    docx_pages = sum(e["pages"] or 0 for e in whole.entries if e["display"].endswith(".docx") and e["pages"])
    built = (f"built in {corpus.build_seconds:.0f} s" if corpus.build_seconds is not None else "cached")
    description = (f"Corpus: {n} generated plans ({built}, `{corpus.root}`): {len(texts)} text PDFs "
                   f"({corpus.pdf_pages('text')} pages, direct PyMuPDF writer), {len(corpus.files['docx'])} DOCX "
                   f"({docx_pages} pages as read), {len(corpus.files['scan'])} scans ({corpus.pdf_pages('scan')} "
                   f"pages, {scan_pages} read by OCR); {corpus.pdf_pages('text') + corpus.pdf_pages('scan') + docx_pages} "
                   "pages in all. No office suite involved.")
    results = Results(machine, description, raw_pages, raw_seconds, one, two, whole, queries, single, profile, slow)
    report = markdown(results)
    (out / "report.md").write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"written to {out / 'report.md'}")
    missed = [name for name, _, passed in targets(results) if not passed]
    if missed:
        print("missed: " + "; ".join(missed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
