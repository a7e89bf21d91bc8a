"""One entry point: any supported file → RawDocument, or IngestError with a clear message."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

# PyMuPDF 2 loads an ONNX page-layout model when imported (0.4 s and ~55 MB in every
# process) for `Page.get_layout`, which dxplan never calls: keep it from being imported
# (and PyMuPDF from suggesting it on stdout).
sys.modules.setdefault("pymupdf.layout", None)
os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

from ingest.detect import check_format, sha256_of
from ingest.doc_converter import doc_to_docx
from ingest.docx_reader import read_docx
from ingest.errors import IngestError, LimitExceeded
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.pdf_reader import read_pdf
from models.raw import RawDocument, TextBlock


def read_document(path: str | Path, limits: Limits = DEFAULT_LIMITS, sha256: str | None = None) -> RawDocument:
    """Read any supported file; IngestError (LimitExceeded, MissingTool) says why it cannot be."""
    path = Path(path)
    if not path.is_file():
        raise IngestError("file not found")
    try:
        size_mb = path.stat().st_size / 1e6
        if size_mb > limits.max_file_mb:
            raise LimitExceeded(f"file is {size_mb:.0f} MB, over the {limits.max_file_mb:g} MB limit (--max-file-mb)")
        fmt = check_format(path)
        sha = sha256 or sha256_of(path)
    except OSError as exc:  # permissions, a vanished network share
        raise IngestError(f"cannot be read from disk ({exc.strerror or exc})") from exc
    if fmt == "pdf":
        raw = read_pdf(path, sha, limits)
    elif fmt == "docx":
        raw = read_docx(path, sha, limits)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="dxplan-doc-"))
        try:
            # copy under a plain name: LibreOffice mishandles some non-ASCII/odd paths
            src = workdir / "input.doc"
            shutil.copyfile(path, src)
            raw = read_docx(doc_to_docx(src, workdir), sha, limits)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        raw = raw.model_copy(update={"path": str(path), "filename": path.name, "format": "doc"})
    if not any((isinstance(b, TextBlock) and b.text) or not isinstance(b, TextBlock) for b in raw.blocks):
        raise IngestError("no text: the document contains no readable text")
    return raw
