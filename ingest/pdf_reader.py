"""PDF → RawDocument with PyMuPDF.

Text comes from the span level (font, size, weight) so headings keep their cues; legacy
TCVN3/VNI spans are converted by font name or content. Tables are rebuilt from ruling
lines (`pdf_tables`; PyMuPDF's own finder costs ~0.4 s a page) and a table continued on the next page, with or without a repeated header row, is merged into
one. Pages without a text layer go to OCR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from ingest.errors import IngestError, LimitExceeded, MissingTool
from ingest.layout import Line, drop_running_lines, mark_columns, paragraphs
from ingest.pdf_tables import find_grids, grid_rows
from ingest.legacy_fonts import decode_run
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.normalize import clean, nfc
from models.raw import PageInfo, RawDocument, TableBlock, TextBlock

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_ITALIC_NAME = re.compile(r"italic|oblique", re.IGNORECASE)


def _open(path: Path) -> pymupdf.Document:
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises its own FileDataError/RuntimeError variants
        raise IngestError(f"corrupt or truncated PDF: cannot be opened ({_short(exc, path)})") from exc
    try:
        # a damaged file is repaired lazily: these can fail as well as the open
        locked, pages = doc.needs_pass, (0 if doc.needs_pass else doc.page_count)
    except Exception as exc:
        doc.close()
        raise IngestError(f"corrupt or truncated PDF: no pages could be read ({_short(exc, path)})") from exc
    if locked:
        doc.close()
        raise IngestError("encrypted PDF: requires a password to open")
    if pages == 0:
        doc.close()
        raise IngestError("corrupt or truncated PDF: no pages could be read")
    return doc


def _short(exc: Exception, path: Path | None = None) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    msg = re.sub(r"^code=\d+:\s*", "", msg)  # MuPDF's internal error code means nothing to a reader
    if msg.startswith("Failed to open file"):
        return "no PDF structure found"
    if path is not None:
        msg = msg.replace(f" '{path}'", "").replace(str(path), path.name)
    return msg[:160]


_NO_OCR = "image-only page (OCR disabled)"


def _oversized_image(page: pymupdf.Page, limits: Limits) -> str | None:
    """Decoding an image of billions of pixels would take gigabytes: refuse it by its header."""
    for img in page.get_images(full=True):
        width, height = img[2], img[3]
        if width * height > limits.max_embedded_image_pixels:
            return (f"image of {width}×{height} pixels, over the {limits.max_embedded_image_pixels / 1e6:g} Mpx "
                    "limit for OCR; not read")
    return None


@dataclass
class _Span:
    box: tuple[float, float, float, float]
    base: float  # baseline y
    text: str
    size: float
    bold: bool
    italic: bool


def _page_spans(page: pymupdf.Page, legacy: set[str]) -> list[_Span]:
    out = _spans(page.get_text("dict", flags=_TEXT_FLAGS), legacy, chars=False)
    if _has_overlays(out):
        # glyphs drawn over spaces of another span (fallback fonts): read this page letter by letter
        out = _spans(page.get_text("rawdict", flags=_TEXT_FLAGS), legacy, chars=True)
    return out


def _spans(data: dict, legacy: set[str], chars: bool) -> list[_Span]:
    out: list[_Span] = []
    for block in data["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            for span in line["spans"]:
                font = span["font"]
                bold = bool(span["flags"] & 16) or bool(_BOLD_NAME.search(font))
                italic = bool(span["flags"] & 2) or bool(_ITALIC_NAME.search(font))
                raw = "".join(c["c"] for c in span["chars"]) if chars else span["text"]
                if not raw:
                    continue
                text, enc = decode_run(raw, font)
                if enc:
                    legacy.add(enc)
                if chars and enc is None and len(text) == len(span["chars"]):
                    for c in span["chars"]:
                        out.append(_Span(tuple(c["bbox"]), c["origin"][1], c["c"], span["size"], bold, italic))
                    continue
                out.append(_Span(tuple(span["bbox"]), span["origin"][1], text, span["size"], bold, italic))
    return out


def _has_overlays(spans: list[_Span]) -> bool:
    """A short span lying inside the extent of another span on the same baseline."""
    short = [s for s in spans if 0 < len(s.text.strip()) <= 3]
    if not short:
        return False
    for s in short:
        for host in spans:
            if host is s or " " not in host.text or abs(host.base - s.base) > 2:
                continue
            if host.box[0] + 0.5 < s.box[0] and s.box[2] < host.box[2] - 0.5:
                return True
    return False


def _lines_from_spans(spans: list[_Span], number: int) -> list[Line]:
    """Group spans into lines by baseline, whatever block the PDF put them in.

    Fallback-font glyphs (a Vietnamese letter drawn in another font over a placeholder
    space) and fake bold (the same text printed twice) are resolved here.
    """
    spans = sorted(spans, key=lambda s: (s.base, s.box[0]))
    groups: list[list[_Span]] = []
    for s in spans:
        if groups and abs(s.base - groups[-1][0].base) <= max(1.5, 0.3 * s.size):
            groups[-1].append(s)
        else:
            groups.append([s])
    lines: list[Line] = []
    for grp in groups:
        grp.sort(key=lambda s: s.box[0])
        solid = [s for s in grp if s.text.strip()]
        kept: list[_Span] = []
        for s in grp:
            if not s.text.strip():
                if any(_overlap_x(s.box, o.box) > 0.5 for o in solid):
                    continue  # placeholder under a glyph drawn in a fallback font
            elif kept and kept[-1].text == s.text and _same_box(kept[-1].box, s.box):
                continue  # fake bold
            kept.append(s)
        current: list[_Span] = []
        for s in kept:
            if current and s.box[0] - current[-1].box[2] > max(3.0 * s.size, 24.0):
                lines.append(_make_line(current, number))
                current = []
            current.append(s)
        if current:
            line = _make_line(current, number)
            if line.text:
                lines.append(line)
    return [ln for ln in lines if ln.text]


def _overlap_x(a, b) -> float:
    inter = min(a[2], b[2]) - max(a[0], b[0])
    width = max(0.01, a[2] - a[0])
    return max(0.0, inter) / width


def _make_line(spans: list[_Span], number: int) -> Line:
    parts: list[str] = []
    prev: _Span | None = None
    n = n_bold = n_ital = 0
    sizes: dict[float, int] = {}
    for s in spans:
        if prev is not None and parts and not parts[-1].endswith(" ") and not s.text.startswith(" ") \
                and s.box[0] - prev.box[2] > 0.12 * s.size:
            parts.append(" ")
        parts.append(s.text)
        k = len(s.text.strip())
        n += k
        n_bold += k if s.bold else 0
        n_ital += k if s.italic else 0
        sizes[round(s.size, 1)] = sizes.get(round(s.size, 1), 0) + k
        prev = s
    solid = [s for s in spans if s.text.strip()] or spans
    return Line(
        text=nfc("".join(parts)).strip(), page=number,
        x0=min(s.box[0] for s in solid), y0=min(s.box[1] for s in solid),
        x1=max(s.box[2] for s in solid), y1=max(s.box[3] for s in solid),
        size=max(sizes, key=sizes.get) if sizes else 0.0,
        bold=n_bold / n if n else 0.0, italic=n_ital / n if n else 0.0,
    )


def _same_box(a, b) -> bool:
    return abs(a[0] - b[0]) < 1.5 and abs(a[1] - b[1]) < 1.5 and abs(a[2] - b[2]) < 1.5


def _tables(page: pymupdf.Page, number: int, spans: list[_Span]) -> list[TableBlock]:
    out = []
    boxes = [(s.box, s.text) for s in spans if s.text.strip()]
    for grid in find_grids(page):
        rows = [[clean(c.replace("\n", " \n ")).replace(" \n ", "\n") if c else "" for c in r]
                for r in grid_rows(grid, boxes)]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        out.append(TableBlock(rows=rows, page=number, page_end=number, row_pages=[number] * len(rows),
                              header_rows=0, bbox=grid.bbox))
    out.sort(key=lambda t: t.bbox[1])
    return out


def _in_any(line: Line, boxes: list[tuple]) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, line.cy
    return any(b[0] - 2 <= cx <= b[2] + 2 and b[1] - 2 <= cy <= b[3] + 2 for b in boxes)


def _norm_row(row: list[str]) -> str:
    return "|".join(re.sub(r"\W+", "", c.lower()) for c in row)


def _same_header(a: list[str], b: list[str]) -> bool:
    """A header row repeated on the next page (OCR may misread some of it)."""
    from rapidfuzz import fuzz

    return _norm_row(a) == _norm_row(b) or fuzz.ratio(_norm_row(a), _norm_row(b)) >= 70


def merge_continued_tables(items: list[TextBlock | TableBlock]) -> list[TextBlock | TableBlock]:
    """Join a table that continues at the top of the next page (same columns), dropping a repeated header."""
    out: list[TextBlock | TableBlock] = []
    for it in items:
        prev = out[-1] if out else None
        if (isinstance(it, TableBlock) and isinstance(prev, TableBlock)
                and it.page == prev.page_end + 1 and len(it.rows[0]) == len(prev.rows[0])):
            rows, pages = it.rows, it.row_pages
            repeated = bool(prev.rows) and _same_header(rows[0], prev.rows[0])
            if repeated:
                rows, pages = rows[1:], pages[1:]
            out[-1] = prev.model_copy(update={
                "rows": prev.rows + rows, "row_pages": prev.row_pages + pages, "page_end": it.page,
                "header_rows": max(prev.header_rows, 1 if repeated else 0),
            })
            continue
        out.append(it)
    return out


def read_pdf(path: Path, sha256: str, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    doc = _open(path)
    try:
        if doc.page_count > limits.max_pages:
            raise LimitExceeded(
                f"PDF has {doc.page_count} pages, over the --max-pages limit of {limits.max_pages}"
            )
        legacy: set[str] = set()
        page_lines: dict[int, list[Line]] = {}
        heights: dict[int, float] = {}
        widths: dict[int, float] = {}
        page_tables: dict[int, list[TableBlock]] = {}
        info: list[PageInfo] = []
        warnings: list[str] = []
        for i in range(doc.page_count):
            number = i + 1
            try:
                page = doc.load_page(i)
                spans = _page_spans(page, legacy)
                lines = _lines_from_spans(spans, number)
            except Exception as exc:
                info.append(PageInfo(number=number, readable=False, note=f"page could not be read: {_short(exc)}"))
                page_lines[number], heights[number], widths[number] = [], 842.0, 595.0
                continue
            heights[number], widths[number] = page.rect.height, page.rect.width
            pi = PageInfo(number=number)
            if not lines and doc.is_repaired and not page.get_contents():
                # a repaired file keeps the pages whose content was cut off, empty
                pi.readable, pi.note = False, "content lost: the PDF is damaged (truncated or corrupt)"
            elif sum(len(ln.text) for ln in lines) < 5 and page.get_images(full=False):
                too_big = _oversized_image(page, limits)
                if too_big:
                    pi.readable, pi.note = False, too_big
                elif limits.ocr:
                    from ingest.ocr import ocr_page  # only scanned files pay for it

                    try:
                        lines, ocr_tables = ocr_page(page, number, limits)
                        pi.ocr = True
                        if ocr_tables:
                            page_tables[number] = ocr_tables
                    except MissingTool:
                        raise
                    except Exception as exc:
                        pi.readable, pi.note = False, f"OCR failed: {_short(exc)}"
                        lines = []
                else:
                    pi.readable, pi.note = False, _NO_OCR
            elif lines:
                try:
                    tables = _tables(page, number, spans)
                except Exception as exc:
                    tables = []
                    warnings.append(f"page {number}: table detection failed ({_short(exc)})")
                if tables:
                    boxes = [t.bbox for t in tables]
                    lines = [ln for ln in lines if not _in_any(ln, boxes)]
                    page_tables[number] = tables
            page_lines[number] = lines
            info.append(pi)
        drop_running_lines(page_lines, heights)

        ordered: list[Line] = []
        region = 0
        for number in sorted(page_lines):
            marked = mark_columns(page_lines[number], widths[number], region)
            region = max([region] + [ln.region for ln in marked])
            ordered.extend(marked)
        blocks = paragraphs(ordered)
        items = _interleave(blocks, page_tables)
        items = merge_continued_tables(items)
        if doc.is_repaired:
            warnings.insert(0, "the PDF is damaged (truncated or corrupt) and was repaired to be read")
    finally:
        doc.close()
    if not any(isinstance(b, TextBlock) and b.text for b in items) and not any(isinstance(b, TableBlock) for b in items):
        unreadable = [p for p in info if not p.readable]
        if any(p.ocr for p in info):
            raise IngestError("no text: OCR found no readable text on the scanned pages")
        if unreadable and not limits.ocr and all(p.note == _NO_OCR for p in unreadable):
            raise IngestError(f"no text: the PDF is a scan ({len(unreadable)} image-only pages) and OCR is "
                              "disabled (--no-ocr)")
        if unreadable:
            first = unreadable[0]
            raise IngestError(f"no text: no page could be read (page {first.number}: {first.note})")
        raise IngestError("no text: the PDF has no text layer and no images (blank document)")
    return RawDocument(
        path=str(path), filename=path.name, format="pdf", sha256=sha256, pages=len(info),
        page_info=sorted(info, key=lambda p: p.number), blocks=items, warnings=warnings,
        legacy_encodings=sorted(legacy),
    )


def _interleave(blocks: list[TextBlock], tables: dict[int, list[TableBlock]]) -> list[TextBlock | TableBlock]:
    """Place each table among the paragraphs of its page by vertical position."""
    if not tables:
        return list(blocks)
    out: list[TextBlock | TableBlock] = []
    pending = {p: sorted(ts, key=lambda t: t.bbox[1]) for p, ts in tables.items()}
    for b in blocks:
        for p in sorted(k for k in pending if k < b.page):
            out.extend(pending.pop(p))
        queue = pending.get(b.page, [])
        while queue and b.bbox and queue[0].bbox[1] < b.bbox[1]:
            out.append(queue.pop(0))
        out.append(b)
    for p in sorted(pending):
        out.extend(pending[p])
    return out
