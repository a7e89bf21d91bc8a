"""Tell a file's real format from its first bytes, whatever its name says."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from ingest.errors import IngestError

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".doc": "doc"}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str:
    """Return 'pdf', 'docx', 'doc', 'zip', 'rtf', 'html', 'text', 'image' or 'unknown'."""
    with path.open("rb") as fh:
        head = fh.read(2048)
    if not head:
        return "empty"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return "doc"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "broken-zip"
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names and "mimetype" in names:
            return "odt"
        return "zip"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1") or head[:2] == b"\xff\xd8":
        return "image"
    low = head.lower()
    if b"<html" in low or b"<!doctype html" in low:
        return "html"
    try:
        head.decode("utf-8")
        return "text"
    except UnicodeDecodeError:
        return "unknown"


_KIND_NAMES = {
    "pdf": "a PDF", "docx": "a Word .docx document", "doc": "a Word 97-2003 .doc document",
    "zip": "a zip archive", "rtf": "an RTF document", "html": "an HTML page", "text": "plain text",
    "image": "an image", "odt": "an OpenDocument text", "broken-zip": "a damaged zip/DOCX package",
    "unknown": "not a document format dxplan knows", "empty": "empty",
}


def check_format(path: Path) -> str:
    """The format to parse the file as; raise IngestError when name and content disagree."""
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file (0 bytes)")
    claimed = SUPPORTED.get(path.suffix.lower())
    actual = sniff(path)
    if actual == claimed:
        return actual
    if actual == "broken-zip" and claimed == "docx":
        raise IngestError("broken DOCX: the file is not a valid zip package (truncated or damaged)")
    if claimed == "docx" and actual == "zip":
        raise IngestError("broken DOCX: the package has no word/document.xml")
    if actual in ("pdf", "docx", "doc"):
        raise IngestError(
            f"content does not match the extension: named {path.suffix or '(none)'} but the file is "
            f"{_KIND_NAMES[actual]}; rename it to .{actual} to ingest it"
        )
    if claimed == "pdf" and actual in ("text", "unknown", "html"):
        raise IngestError("not a PDF: the file does not start with a PDF header (corrupt or mis-named)")
    raise IngestError(
        f"content does not match the extension: named {path.suffix or '(none)'} but the file is "
        f"{_KIND_NAMES.get(actual, actual)}"
    )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
