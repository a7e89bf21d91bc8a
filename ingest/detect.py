"""What an input really is: a file's format from its first bytes, whatever its name says,
and an archive member's real name from the bytes the archiver wrote."""

from __future__ import annotations

import hashlib
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

from ingest.errors import IngestError
from ingest.legacy_fonts import VIETNAMESE_LETTERS, looks_legacy, to_unicode

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".doc": "doc"}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str:
    """Return 'pdf', 'docx', 'doc', 'zip', 'xlsx', 'pptx', 'odt', 'broken-zip', 'rtf',
    'html', 'text', 'image', 'empty' or 'unknown'."""
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
        except (zipfile.BadZipFile, UnicodeDecodeError, NotImplementedError, OSError, EOFError):
            return "broken-zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        if "content.xml" in names and "mimetype" in names:
            return "odt"
        return "zip"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head[:4] in (b"\x89PNG", b"GIF8", b"II*\x00", b"MM\x00*") or head[:2] == b"\xff\xd8":
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
    "zip": "a zip archive", "xlsx": "an Excel workbook", "pptx": "a PowerPoint presentation",
    "rtf": "an RTF document", "html": "an HTML page", "text": "plain text",
    "image": "an image", "odt": "an OpenDocument file", "broken-zip": "a damaged zip package",
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
    if claimed == "pdf" and actual in ("text", "unknown"):
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


# ------------------------------------------------------------------ archive member names
#
# A zip member name is bytes plus one flag (bit 11: "UTF-8"). Archivers on Vietnamese
# Windows write the code page (cp1258) without the flag; others write UTF-8 without it;
# old offices typed names in TCVN3, which travel as cp1252 bytes; names extracted with
# the wrong code page and zipped again arrive "mangled" (UTF-8 read as cp437 or cp1252).
# Python decodes unflagged names as cp437, which is lossless, so the raw bytes can be
# recovered and every plausible reading compared.

_UNICODE_PATH_FIELD = 0x7075  # Info-ZIP: the UTF-8 name, with the CRC of the plain one
_VIETNAMESE = frozenset(VIETNAMESE_LETTERS)


def _unicode_path_field(info: zipfile.ZipInfo, raw: bytes) -> str | None:
    extra, i = info.extra or b"", 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i:i + 4])
        body = extra[i + 4:i + 4 + size]
        i += 4 + size
        if tag == _UNICODE_PATH_FIELD and len(body) > 5 and body[0] == 1:
            if struct.unpack("<I", body[1:5])[0] != zlib.crc32(raw):
                return None  # the plain name was changed after the field was written
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def _oddity(name: str) -> int:
    """How un-Vietnamese a decoded name looks: 0 for plain ASCII or Vietnamese letters."""
    bad = 0
    for ch in name:
        if " " <= ch <= "~" or ch in _VIETNAMESE:
            continue
        if unicodedata.combining(ch):
            bad += 3  # a tone mark that composes with nothing: the wrong code page
        elif ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn") or "\u2500" <= ch <= "\u259f":
            bad += 3  # control codes, box drawing: cp437 mojibake
        else:
            bad += 1
    return bad


def _readings(raw: bytes) -> list[str]:
    """Decodings of raw name bytes, most likely first."""
    out = []
    for enc in ("utf-8", "cp1258"):
        try:
            out.append(raw.decode(enc))
        except UnicodeDecodeError:
            pass
    western = raw.decode("cp1252", errors="replace")
    legacy = looks_legacy(western)
    if legacy:
        out.append(to_unicode(western, legacy))
    out += [western, raw.decode("cp437")]
    return out


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it (NFC, '/' between folders)."""
    flagged = bool(info.flag_bits & 0x800)
    name = info.orig_filename
    raw = name.encode("utf-8" if flagged else "cp437")
    found = _unicode_path_field(info, raw)
    if found is not None:
        candidates = [found]
    elif flagged:
        candidates = [name]
        for enc in ("cp437", "cp1252"):  # UTF-8 once read with the wrong code page, zipped again
            try:
                candidates.append(name.encode(enc).decode("utf-8"))
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
    else:
        candidates = _readings(raw)
    scored = [unicodedata.normalize("NFC", c) for c in candidates]
    best = min(scored, key=_oddity)  # ties keep the more likely reading (earlier in the list)
    return best.replace("\\", "/").split("\x00")[0]
