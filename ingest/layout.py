"""From positioned lines (PDF text layer or OCR) to paragraphs in reading order.

One mechanism for both sources: drop running headers/footers and page numbers, read
side-by-side regions (letterhead, signature) column by column, and join lines into
paragraphs using the cues Word-exported PDFs carry (vertical gaps, first-line indents,
short last lines, numbering at the start of a line, changes of weight or size).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from ingest.normalize import clean, nfc
from models.raw import TextBlock


@dataclass
class Line:
    text: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: float = 0.0  # fraction of characters in bold
    italic: float = 0.0
    ocr: bool = False
    region: int = 0  # >0: part of a side-by-side region (letterhead/signature)
    column: int = 0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


_PAGE_NUMBER = re.compile(r"^[-–—\s]*(trang\s*)?\d{1,4}(\s*/\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_STARTS_ITEM = re.compile(
    r"^\s*(phần\s+(thứ\s+)?[\wIVX]+|[IVXLC]{1,6}\s*[.):-]\s*\S|\d{1,2}(\.\d{1,2}){0,3}\s*[.)]?\s+\S|[a-zđ]\s*[).]\s|[-+•*–▪●○]\s*\S)",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[.;:!?…)\]\"”]\s*$")


def drop_running_lines(pages: dict[int, list[Line]], heights: dict[int, float]) -> int:
    """Remove page numbers and lines repeated in the top/bottom band of most pages."""
    n = len(pages)
    band: dict[int, list[Line]] = {}
    counts: Counter[str] = Counter()
    for p, lines in pages.items():
        h = heights[p]
        edge = [ln for ln in lines if ln.y1 < 0.085 * h or ln.y0 > 0.915 * h]
        band[p] = edge
        counts.update({_DIGITS.sub("#", ln.text.strip().lower()) for ln in edge})
    repeated = {k for k, c in counts.items() if n >= 2 and c >= max(2, 0.5 * n)}
    removed = 0
    for p, edge in band.items():
        drop = {id(ln) for ln in edge
                if _PAGE_NUMBER.match(ln.text) or _DIGITS.sub("#", ln.text.strip().lower()) in repeated}
        if drop:
            pages[p] = [ln for ln in pages[p] if id(ln) not in drop]
            removed += len(drop)
    return removed


def mark_columns(lines: list[Line], page_width: float, region_base: int) -> list[Line]:
    """Reorder lines so side-by-side regions read left column first, then right.

    Lines are grouped into horizontal bands. A run of bands that never crosses the middle
    of the page (each band is left-only, right-only or split by a wide gap) and that has
    content on both sides is a two-column region: the letterhead (issuer and số hiệu on the
    left, motto and date on the right) or the signature block.
    """
    lines = sorted(lines, key=lambda ln: (round(ln.cy), ln.x0))
    bands: list[list[Line]] = []
    for ln in lines:
        if bands and abs(bands[-1][0].cy - ln.cy) <= max(2.5, 0.3 * ln.size):
            bands[-1].append(ln)
        else:
            bands.append([ln])
    mid = page_width / 2

    def side(band: list[Line]) -> str:
        """'L', 'R', 'S' (split by a wide gap) or 'X' (crosses the middle)."""
        if all(ln.x1 < mid + 10 for ln in band):
            return "L"
        if all(ln.x0 > mid - 10 for ln in band):
            return "R"
        xs = sorted(band, key=lambda ln: ln.x0)
        for a, b in zip(xs, xs[1:]):
            if b.x0 - a.x1 > 25 and a.x1 < mid + 60 and b.x0 > mid - 60 and \
                    all(ln.x1 <= a.x1 + 1 or ln.x0 >= b.x0 - 1 for ln in xs):
                return "S"
        return "X"

    out: list[Line] = []
    region_id = region_base
    run: list[tuple[list[Line], str]] = []

    def flush() -> None:
        nonlocal run, region_id
        kinds = {k for _, k in run}
        two_sided = "S" in kinds or ("L" in kinds and "R" in kinds and len(run) >= 3)
        if run and two_sided:
            region_id += 1
            cuts = []
            for band, k in run:
                if k == "S":
                    xs = sorted(band, key=lambda ln: ln.x0)
                    for a, b in zip(xs, xs[1:]):
                        if b.x0 - a.x1 > 25:
                            cuts.append((a.x1 + b.x0) / 2)
                            break
            cut = statistics.median(cuts) if cuts else mid
            region_lines = [ln for band, _ in run for ln in band]
            for col, part in ((1, [ln for ln in region_lines if (ln.x0 + ln.x1) / 2 < cut]),
                              (2, [ln for ln in region_lines if (ln.x0 + ln.x1) / 2 >= cut])):
                for ln in sorted(part, key=lambda ln: (ln.y0, ln.x0)):
                    ln.region, ln.column = region_id, col
                    out.append(ln)
        else:
            for band, _ in run:
                out.extend(sorted(band, key=lambda ln: ln.x0))
        run = []

    for band in bands:
        k = side(band)
        if k == "X":
            flush()
            out.extend(sorted(band, key=lambda ln: ln.x0))
        else:
            run.append((band, k))
    flush()
    return out


@dataclass
class _Geometry:
    left: float
    right: float
    gap: float  # typical gap between lines of one paragraph


def _geometry(lines: list[Line]) -> _Geometry:
    body = [ln for ln in lines if not ln.region]
    if not body:
        body = lines
    lefts = Counter(round(ln.x0) for ln in body)
    left = float(min((x for x, c in lefts.most_common(3)), default=0.0))
    right = float(sorted(ln.x1 for ln in body)[int(0.9 * (len(body) - 1))]) if body else 0.0
    gaps = [b.y0 - a.y1 for a, b in zip(body, body[1:]) if 0 <= b.y0 - a.y1 < 30 and a.page == b.page]
    gap = statistics.median(gaps) if gaps else 2.0
    return _Geometry(left=left, right=right, gap=gap)


def _is_centered(ln: Line, g: _Geometry) -> bool:
    return ln.x0 - g.left > 30 and g.right - ln.x1 > 30 and abs((ln.x0 - g.left) - (g.right - ln.x1)) < 18


def _starts_new(prev: Line, ln: Line, g: _Geometry) -> bool:
    if ln.region != prev.region or ln.column != prev.column:
        return True
    if ln.region:
        return True  # letterhead/signature lines are read line by line
    if ln.page != prev.page:
        return True  # cross-page joins are decided later
    gap = ln.y0 - prev.y1
    if gap > max(g.gap + 0.35 * ln.size, 0.55 * ln.size) or gap < -0.5 * ln.size:
        return True
    if abs(ln.size - prev.size) > 1.2:
        return True
    if (prev.bold >= 0.6) != (ln.bold >= 0.6):
        return True
    if _STARTS_ITEM.match(ln.text):
        return True
    if _is_centered(ln, g) or _is_centered(prev, g):
        return not (_is_centered(ln, g) and _is_centered(prev, g) and gap <= g.gap + 2)
    if ln.x0 - g.left > 12 and prev.x1 > g.right - 40:
        return True  # first-line indent after a full line
    if prev.x1 < g.right - 0.2 * (g.right - g.left):
        # justified text fills every line but a paragraph's last; a short line ends it,
        # with or without a full stop (headings have none)
        return True
    if prev.x1 < g.right - 15 and _STARTS_ITEM.match(prev.text) and not _ENDS_SENTENCE.search(prev.text) \
            and ln.text[:1].isupper():
        return True  # a numbered heading on one line that does not reach the margin
    return False


def paragraphs(lines: list[Line]) -> list[TextBlock]:
    """Join ordered lines (all pages) into paragraph blocks."""
    if not lines:
        return []
    g = _geometry(lines)
    groups: list[list[Line]] = []
    for ln in lines:
        if groups and not _starts_new(groups[-1][-1], ln, g):
            groups[-1].append(ln)
        elif groups and ln.page != groups[-1][-1].page and _continues_across_pages(groups[-1], ln, g):
            groups[-1].append(ln)
        else:
            groups.append([ln])
    return [_block(grp, g) for grp in groups]


def _continues_across_pages(group: list[Line], ln: Line, g: _Geometry) -> bool:
    last = group[-1]
    if ln.region or last.region or _STARTS_ITEM.match(ln.text):
        return False
    if _ENDS_SENTENCE.search(last.text) or last.x1 < g.right - 0.2 * (g.right - g.left):
        return False
    if (last.bold >= 0.6) != (ln.bold >= 0.6) or abs(ln.size - last.size) > 1.2:
        return False
    return ln.x0 - g.left <= 12


def _block(grp: list[Line], g: _Geometry) -> TextBlock:
    original = nfc(" ".join(ln.text.strip() for ln in grp))
    text = clean(original)
    chars = [max(1, len(ln.text)) for ln in grp]
    total = sum(chars)
    bold = sum(ln.bold * c for ln, c in zip(grp, chars)) / total
    italic = sum(ln.italic * c for ln, c in zip(grp, chars)) / total
    letters = [c for c in text if c.isalpha()]
    first = grp[0]
    centered = all(_is_centered(ln, g) for ln in grp)
    return TextBlock(
        text=text, original=original, page=first.page,
        bbox=(min(ln.x0 for ln in grp), first.y0, max(ln.x1 for ln in grp), grp[-1].y1),
        font_size=round(statistics.median(ln.size for ln in grp), 1),
        bold=bold >= 0.6, italic=italic >= 0.6,
        all_caps=len(letters) >= 3 and all(c.isupper() for c in letters),
        align="center" if centered else None,
        indent=round(first.x0 - g.left, 1),
        ocr=first.ocr, in_header_table=bool(first.region) and first.page == 1,
    )
