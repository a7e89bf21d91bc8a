"""`make eval`: build the labelled evaluation set, read it back, report precision/recall.

    python -m evaluation [--split heldout] [--only ID] [--errors] [--jobs 2]

Documents are built from `fixtures/eval_set/*.yaml` into `outputs/eval/docs/` (rebuilt
only when a spec or the writers change), read with the real pipeline, and compared with
their labels. Figures per field, per split (tuned / heldout) and overall are printed and
saved to `outputs/eval/report.json` and `outputs/eval/report.md`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from evaluation.score import Counts, DocScore, score
from fixtures.spec import DocSpec, load_specs

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "fixtures" / "eval_set"
OUT = ROOT / "outputs" / "eval"

# (field, measure, issue threshold)
ROWS = [
    ("meta.all", "accuracy", 0.9), ("meta.issuer", "accuracy", None), ("meta.doc_number", "accuracy", None),
    ("meta.issued_date", "accuracy", None), ("meta.plan_year", "accuracy", None),
    ("coverage.status", "accuracy", 0.9), ("coverage.missing", "precision", 0.85), ("coverage.missing", "recall", 0.85),
    ("coverage.empty", "precision", None), ("coverage.empty", "recall", None),
    ("tasks", "precision", 0.85), ("tasks", "recall", 0.85), ("tasks.lead_unit", "accuracy", 0.85),
    ("tasks.coordinating_units", "precision", 0.8), ("tasks.coordinating_units", "recall", 0.8),
    ("tasks.deadline_date", "accuracy", 0.9), ("tasks.recurring", "accuracy", None),
    ("targets", "precision", 0.8), ("targets", "recall", 0.85), ("targets.value", "accuracy", 0.95),
    ("targets.comparator", "accuracy", None), ("targets.year", "accuracy", None), ("targets.level", "accuracy", None),
    ("targets.indicator", "accuracy", 0.85), ("targets.indicator_match", "precision", None),
    ("targets.indicator_match", "recall", None),
]


def _writers_hash() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "fixtures").glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def build_docs(specs: list[DocSpec]) -> dict[str, dict[str, Path]]:
    from fixtures.build import build_many

    docs = OUT / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    stamp_file = docs / "stamps.json"
    stamps = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    writers = _writers_hash()
    todo, built = [], {}
    for s in specs:
        key = hashlib.sha256((writers + s.model_dump_json()).encode()).hexdigest()[:16]
        paths = {f: docs / f"{s.id}.{f}" for f in s.formats}
        if stamps.get(s.id) == key and all(p.exists() for p in paths.values()):
            built[s.id] = paths
        else:
            todo.append((s, key))
    if todo:
        print(f"building {len(todo)} evaluation documents…", file=sys.stderr)
        made = build_many([s for s, _ in todo], docs)
        for s, key in todo:
            built[s.id] = made[s.id]
            stamps[s.id] = key
        stamp_file.write_text(json.dumps(stamps, indent=1))
    return built


def _read(args: tuple[str, str, str]):
    spec_path, fmt, path = args
    from extract.pipeline import build_plan
    from fixtures.spec import load_spec
    from ingest.reader import read_document

    spec = load_spec(spec_path)
    start = time.perf_counter()
    try:
        raw = read_document(Path(path))
        plan = build_plan(raw)
    except Exception as exc:  # an unreadable evaluation document is a finding, not a crash
        s = DocScore(doc=spec.id, split=spec.split, fmt=fmt)
        s.errors.append(f"could not read: {type(exc).__name__}: {exc}")
        return s, 0, time.perf_counter() - start
    return score(spec, plan, fmt), raw.pages, time.perf_counter() - start


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def aggregate(scores: list[DocScore], pred=lambda s: True) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for s in scores:
        if not pred(s):
            continue
        for name, c in s.fields.items():
            out.setdefault(name, Counts()).add(c)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["tuned", "heldout"], help="only this split")
    ap.add_argument("--only", help="only documents whose id contains this")
    ap.add_argument("--errors", action="store_true", help="print every disagreement with the labels")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    specs = [s for s in load_specs(EVAL_SET)
             if (not args.split or s.split == args.split) and (not args.only or args.only in s.id)]
    paths = {s.id: p for s, p in zip(load_specs(EVAL_SET), sorted(EVAL_SET.glob("*.yaml")))}
    built = build_docs(specs)
    jobs = [(str(paths[s.id]), fmt, str(path)) for s in specs for fmt, path in built[s.id].items()]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(_read, jobs))
    scores = [r[0] for r in results]
    pages = sum(r[1] for r in results)
    print(f"{len(scores)} files from {len(specs)} labelled documents, {pages} pages, "
          f"read in {time.perf_counter() - t0:.1f} s\n")
    # the last batch of held-out documents was written after the extraction and only ever scored
    groups = [("all", lambda s: True), ("tuned", lambda s: s.split == "tuned"), ("heldout", lambda s: s.split == "heldout"),
              ("blind", lambda s: s.doc.startswith("heldout-c-"))]
    aggs = {name: aggregate(scores, pred) for name, pred in groups}
    header = f"{'field':32} {'measure':10} {'all':>7} {'tuned':>7} {'heldout':>7} {'blind':>7}  {'target':>6}"
    lines = [header, "-" * len(header)]
    md = ["| field | measure | all | tuned | held-out | of which blind | target |", "|---|---|---|---|---|---|---|"]
    report = {"files": len(scores), "documents": len(specs), "pages": pages, "fields": {}}
    failing = []
    for field, measure, threshold in ROWS:
        vals = [getattr(aggs[g].get(field, Counts()), measure) for g, _ in groups]
        mark = ""
        if threshold is not None and vals[2] is not None and vals[2] < threshold:
            mark = "  ✗"
            failing.append(f"{field} {measure}")
        lines.append(f"{field:32} {measure:10} {_fmt(vals[0]):>7} {_fmt(vals[1]):>7} {_fmt(vals[2]):>7} "
                     f"{_fmt(vals[3]):>7}  {'' if threshold is None else f'{threshold:.2f}':>6}{mark}")
        md.append(f"| {field} | {measure} | {_fmt(vals[0])} | {_fmt(vals[1])} | {_fmt(vals[2])} | {_fmt(vals[3])} | "
                  f"{'' if threshold is None else f'≥ {threshold:.2f}'} |")
        report["fields"][f"{field}.{measure}"] = dict(zip([g for g, _ in groups], vals))
    print("\n".join(lines))
    print("\nper document (held-out marked *):")
    for s in sorted(scores, key=lambda s: (s.split, s.doc, s.fmt)):
        t, g = s.fields.get("tasks", Counts()), s.fields.get("targets", Counts())
        cov = s.fields.get("coverage.status", Counts())
        print(f"  {'*' if s.split == 'heldout' else ' '} {s.doc:38} {s.fmt:5} coverage {_fmt(cov.accuracy)}  "
              f"tasks P {_fmt(t.precision)} R {_fmt(t.recall)}  targets P {_fmt(g.precision)} R {_fmt(g.recall)}  "
              f"disagreements {len(s.errors)}")
        if args.errors:
            for e in s.errors:
                print(f"        {e}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (OUT / "report.md").write_text("\n".join(md) + "\n")
    if failing:
        print("\nbelow target on held-out documents: " + ", ".join(failing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
