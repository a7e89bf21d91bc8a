"""The benchmark corpus: generated plans written once and cached under outputs/bench/.

Text PDFs come from the direct PyMuPDF writer (fast to build), some plans are written as
DOCX, a few are rasterised into scans. No office suite is needed. The manifest records
what was asked for; a matching manifest with all its files present means the cache is
used as it is.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pymupdf

KINDS = ("text", "docx", "scan")


@dataclass
class Corpus:
    root: Path
    files: dict[str, list[Path]]  # kind → files
    pages: dict[str, int]  # file name → pages (PDF pages; DOCX as the reader estimates them later)
    build_seconds: float | None  # None when taken from the cache

    def folder(self, kind: str) -> Path:
        return self.root / kind

    def all_files(self) -> list[Path]:
        return [p for k in KINDS for p in self.files[k]]

    def pdf_pages(self, kind: str = "text") -> int:
        return sum(self.pages[p.name] for p in self.files[kind])


def _wanted(n: int, seed: int, scans: int, docx_every: int) -> dict:
    return {"plans": n, "seed": seed, "scans": scans, "docx_every": docx_every, "version": 1}


def build_corpus(root: Path, n: int = 200, seed: int = 2025, scans: int = 2, docx_every: int = 10,
                 echo=print) -> Corpus:
    """`n` generated plans under `root`/{text,docx,scan}; every `docx_every`-th non-scan plan as DOCX."""
    root = Path(root)
    manifest_path = root / "manifest.json"
    wanted = _wanted(n, seed, scans, docx_every)
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = {k: [root / k / name for name in manifest["files"][k]] for k in KINDS}
        if manifest["wanted"] == wanted and all(p.exists() for k in KINDS for p in files[k]):
            echo(f"corpus: cached in {root} ({sum(len(v) for v in files.values())} files)")
            return Corpus(root, files, manifest["pages"], None)

    from fixtures.build import build_many
    from fixtures.generator import generate_corpus

    start = time.perf_counter()
    echo(f"corpus: generating {n} plans ({scans} scans) into {root} …")
    specs = generate_corpus(n, seed, scans=scans)
    groups: dict[str, list] = {k: [] for k in KINDS}
    plain = 0
    for spec in specs:
        style = spec.style.model_copy(update={"pdf": "direct"})
        spec = spec.model_copy(update={"style": style})
        if style.scan:
            groups["scan"].append(spec.model_copy(update={"formats": ["pdf"]}))
            continue
        plain += 1
        if plain % docx_every == 0:
            groups["docx"].append(spec.model_copy(update={"formats": ["docx"]}))
        else:
            groups["text"].append(spec.model_copy(update={"formats": ["pdf"]}))
    files: dict[str, list[Path]] = {}
    pages: dict[str, int] = {}
    for kind in KINDS:
        folder = root / kind
        for old in folder.glob("*") if folder.exists() else []:
            old.unlink()
        built = build_many(groups[kind], folder) if groups[kind] else {}
        files[kind] = sorted(p for spec_files in built.values() for p in spec_files.values())
        for p in files[kind]:
            if p.suffix == ".pdf":
                with pymupdf.open(p) as doc:
                    pages[p.name] = doc.page_count
            else:
                pages[p.name] = 0  # counted from the ingest log
        echo(f"corpus: {len(files[kind])} {kind} files written")
    manifest = {"wanted": wanted, "files": {k: [p.name for p in v] for k, v in files.items()}, "pages": pages}
    root.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Corpus(root, files, pages, time.perf_counter() - start)
