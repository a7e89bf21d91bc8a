"""OCR of image-only pages with Tesseract (Vietnamese), deskewed first.

Tesseract's TSV output gives words with boxes; they are grouped into the same `Line`
records the PDF text layer produces, so scanned pages go through the same layout code.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import statistics
import subprocess
from functools import lru_cache

import numpy as np
import pymupdf
from PIL import Image

from ingest.errors import LimitExceeded, MissingTool
from ingest.layout import Line
from ingest.normalize import clean
from ingest.pdf_tables import Seg, grid_rows, grids_from_segments, segments_from_image
from models.raw import TableBlock
from ingest.limits import Limits


@lru_cache(maxsize=1)
def tesseract_path() -> str:
    exe = shutil.which("tesseract")
    if not exe:
        raise MissingTool(
            "scanned pages need Tesseract OCR, which is not installed "
            "(Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-vie)"
        )
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    if "vie" not in langs.split():
        raise MissingTool(
            "Tesseract has no Vietnamese language data (apt-get install tesseract-ocr-vie)"
        )
    return exe


def estimate_skew(img: Image.Image, max_angle: float = 5.0, step: float = 0.25) -> float:
    """Angle (degrees) that makes text lines horizontal, by maximising row-profile variance."""
    small = img.convert("L")
    scale = 800 / max(small.size)
    if scale < 1:
        small = small.resize((int(small.width * scale), int(small.height * scale)))
    inverted = Image.eval(small, lambda v: 255 - v)
    best, best_score = 0.0, -1.0
    angle = -max_angle
    while angle <= max_angle + 1e-9:
        rotated = np.asarray(inverted.rotate(angle, resample=Image.BILINEAR, fillcolor=0), dtype=np.float32)
        score = float(np.var(rotated.sum(axis=1)))
        if score > best_score:
            best, best_score = angle, score
        angle += step
    return best


def _page_image(page: pymupdf.Page, number: int, limits: Limits) -> tuple[Image.Image, float]:
    """The page as a grayscale image and its resolution.

    A scan is one image covering the page: use it at its own resolution when that is
    enough for OCR (re-rendering a 200 dpi scan at 300 dpi only costs time).
    """
    images = page.get_images(full=True)
    if len(images) == 1:
        xref, width = images[0][0], images[0][2]
        native_dpi = width / max(1.0, page.rect.width) * 72
        if 190 <= native_dpi <= 420 and width * images[0][3] <= limits.max_image_pixels:
            try:
                pix = pymupdf.Pixmap(page.parent, xref)
                if pix.n - pix.alpha != 1:
                    pix = pymupdf.Pixmap(pymupdf.csGRAY, pix)
                if pix.alpha:
                    pix = pymupdf.Pixmap(pix, 0)
                return Image.frombytes("L", (pix.width, pix.height), pix.samples), native_dpi
            except (RuntimeError, ValueError):
                pass
    dpi = limits.ocr_dpi
    w_px = page.rect.width * dpi / 72
    h_px = page.rect.height * dpi / 72
    if w_px * h_px > limits.max_image_pixels:
        dpi = int(dpi * (limits.max_image_pixels / (w_px * h_px)) ** 0.5)
        if dpi < 100:
            raise LimitExceeded(f"page {number} is too large to OCR ({page.rect.width:.0f}x{page.rect.height:.0f} pt)")
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples), float(dpi)


def ocr_page(page: pymupdf.Page, number: int, limits: Limits) -> tuple[list[Line], list[TableBlock]]:
    """Lines of a scanned page and the ruled tables on it (cells filled with the OCR words)."""
    exe = tesseract_path()
    img, dpi = _page_image(page, number, limits)
    angle = estimate_skew(img)
    if abs(angle) >= 0.25:
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    dark = np.asarray(img) < 140
    rules = segments_from_image(dark, 1.0, min_len_px=int(0.28 * dpi))
    if rules[0] and rules[1]:
        img = _erase_rules(img, *rules)  # Tesseract reads table rules as "|" and garbles cells
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    try:
        # one thread: Tesseract's OpenMP threads fight the other workers (3-4x slower)
        proc = subprocess.run(
            [exe, "stdin", "stdout", "-l", "vie", "--psm", "3", "tsv"],
            input=buf.getvalue(), capture_output=True, timeout=limits.ocr_timeout_s,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise LimitExceeded(f"OCR of page {number} took longer than {limits.ocr_timeout_s:.0f} s") from exc
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip()[:200] or "tesseract failed")
    to_pt = 72 / dpi
    words = _words_from_tsv(proc.stdout.decode("utf-8", "replace"))
    tables = _tables(rules, words, number, to_pt)
    if tables:
        boxes = [t.bbox for t in tables]
        words = {k: [w for w in ws if not _inside(w, boxes, to_pt)] for k, ws in words.items()}
        words = {k: ws for k, ws in words.items() if ws}
    return _lines_from_words(words, number, to_pt), tables


def _inside(w: tuple[int, int, int, int, str], boxes: list[tuple], to_pt: float) -> bool:
    cx, cy = (w[0] + w[2] / 2) * to_pt, (w[1] + w[3] / 2) * to_pt
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def _erase_rules(img: Image.Image, hs, vs) -> Image.Image:
    from PIL import ImageDraw

    img = img.copy()
    draw = ImageDraw.Draw(img)
    for s in hs:
        draw.rectangle([s.a, s.pos - 3, s.b, s.pos + 3], fill=255)
    for s in vs:
        draw.rectangle([s.pos - 3, s.a, s.pos + 3, s.b], fill=255)
    return img


def _tables(rules, words: dict, number: int, to_pt: float) -> list[TableBlock]:
    """Ruled tables of the scan: the same grid reading as for vector PDFs (rules in pixels)."""
    hs = [Seg(s.pos * to_pt, s.a * to_pt, s.b * to_pt) for s in rules[0]]
    vs = [Seg(s.pos * to_pt, s.a * to_pt, s.b * to_pt) for s in rules[1]]
    grids = grids_from_segments(hs, vs)
    out = []
    spans = [(((w[0]) * to_pt, w[1] * to_pt, (w[0] + w[2]) * to_pt, (w[1] + w[3]) * to_pt), w[4].strip("|") + " ")
             for ws in words.values() for w in ws if w[4].strip("|")]
    for grid in grids:
        rows = [[clean(c) for c in r] for r in grid_rows(grid, spans)]
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            out.append(TableBlock(rows=rows, page=number, page_end=number, row_pages=[number] * len(rows),
                                  bbox=grid.bbox, ocr=True))
    return out


_ROMAN = re.compile(r"(IX|IV|V?I{0,3})")
_ROMAN_LOOKALIKE = re.compile(r"^([HIl1|]{1,4}V?|V[HIl1|]{0,3})([.)])(\s+)(?=[A-ZĐÀ-Ỹ])")


def _fix_roman(text: str) -> str:
    """OCR reads the strokes of a bold 'II.'/'III.' heading as 'H.'/'HI.': restore them."""
    m = _ROMAN_LOOKALIKE.match(text)
    if not m:
        return text
    token = m.group(1)
    if not re.search(r"[Hl|]", token) and not (("1" in token) and re.search(r"[IV]", token)):
        return text  # "1. Mục tiêu" is an arabic number, not a misread roman one
    next_word = text[m.end():].split(" ", 1)[0]
    if len(next_word) < 2 or not next_word.isupper():
        return text  # roman headings are written in capitals
    fixed = token.replace("H", "II").replace("l", "I").replace("1", "I").replace("|", "I")
    if not _ROMAN.fullmatch(fixed):
        return text
    return fixed + text[m.end(1):]


def _words_from_tsv(tsv: str) -> dict[tuple[int, int, int], list[tuple[int, int, int, int, str]]]:
    """Words (left, top, width, height, text) in pixels, grouped by Tesseract's line."""
    words: dict[tuple[int, int, int], list[tuple[int, int, int, int, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        try:
            conf = float(row.get("conf") or -1)
        except ValueError:
            conf = -1
        if not text or conf < 0:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        words.setdefault(key, []).append(
            (int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]), text)
        )
    return words


def _lines_from_words(words: dict, number: int, to_pt: float) -> list[Line]:
    pieces: list[list[tuple[int, int, int, int, str]]] = []
    for key in words:
        ws = sorted(words[key], key=lambda w: w[0])
        current = [ws[0]]
        for w in ws[1:]:
            prev = current[-1]
            height = max(prev[3], w[3])
            if w[0] - (prev[0] + prev[2]) > 3.0 * height:
                pieces.append(current)  # two columns read as one line (letterhead)
                current = []
            current.append(w)
        pieces.append(current)
    lines: list[Line] = []
    for ws in pieces:
        x0 = min(w[0] for w in ws) * to_pt
        y0 = min(w[1] for w in ws) * to_pt
        x1 = max(w[0] + w[2] for w in ws) * to_pt
        y1 = max(w[1] + w[3] for w in ws) * to_pt
        heights = sorted(w[3] for w in ws)
        size = heights[len(heights) // 2] * to_pt / 1.1
        text = _fix_roman(" ".join(w[4] for w in ws))
        lines.append(Line(text=text, page=number, x0=x0, y0=y0, x1=x1, y1=y1, size=round(max(6.0, size), 1), ocr=True))
    # word heights swing with diacritics: sizes close to the page's typical one are that size
    if lines:
        typical = statistics.median(ln.size for ln in lines)
        for ln in lines:
            if abs(ln.size - typical) <= 0.25 * typical:
                ln.size = typical
    lines.sort(key=lambda ln: (ln.y0, ln.x0))
    return lines
