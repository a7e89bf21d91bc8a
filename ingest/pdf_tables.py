"""Tables from ruling lines, fast.

PyMuPDF's table finder costs ~0.4 s a page; plans are long and table-heavy, so tables are
rebuilt here from the vector drawings directly: horizontal and vertical rules are grouped
into grids, a grid's rows and columns come from the rule positions, and a cell spans
columns or rows where the separating rule is absent (merged cells). Text is assigned to
cells by span centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymupdf

_TOL = 1.5  # points: rules closer than this are the same rule
_THIN = 2.5  # a rectangle thinner than this is a rule, not a box


@dataclass
class Seg:
    pos: float  # y for horizontal, x for vertical
    a: float  # start along the rule
    b: float  # end along the rule


@dataclass
class Grid:
    xs: list[float]
    ys: list[float]
    h: list[Seg]
    v: list[Seg]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def _segments(page: pymupdf.Page) -> tuple[list[Seg], list[Seg]]:
    hs: list[Seg] = []
    vs: list[Seg] = []
    for path in page.get_cdrawings():
        for item in path.get("items", ()):
            op = item[0]
            if op == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                if abs(y0 - y1) <= _TOL and abs(x1 - x0) > 3:
                    hs.append(Seg((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif abs(x0 - x1) <= _TOL and abs(y1 - y0) > 3:
                    vs.append(Seg((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
            elif op == "re":
                r = item[1]
                x0, y0, x1, y1 = r[0], r[1], r[2], r[3]
                w, h = abs(x1 - x0), abs(y1 - y0)
                if h <= _THIN and w > 3:
                    hs.append(Seg((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif w <= _THIN and h > 3:
                    vs.append(Seg((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
                elif w > 3 and h > 3 and path.get("type") in ("s", "fs"):
                    # a stroked box: its four edges are rules
                    hs += [Seg(min(y0, y1), min(x0, x1), max(x0, x1)), Seg(max(y0, y1), min(x0, x1), max(x0, x1))]
                    vs += [Seg(min(x0, x1), min(y0, y1), max(y0, y1)), Seg(max(x0, x1), min(y0, y1), max(y0, y1))]
    return hs, vs


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _TOL * 2:
            continue
        out.append(v)
    return out


def _touches(h: Seg, v: Seg) -> bool:
    return h.a - 2 <= v.pos <= h.b + 2 and v.a - 2 <= h.pos <= v.b + 2


def find_grids(page: pymupdf.Page) -> list[Grid]:
    return grids_from_segments(*_segments(page))


def grids_from_segments(hs: list[Seg], vs: list[Seg]) -> list[Grid]:
    """Group crossing rules into grids of at least two rows and two columns."""
    if len(hs) < 2 or len(vs) < 2:
        return []
    # connected components of crossing rules
    n_h = len(hs)
    parent = list(range(n_h + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    vs_sorted = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    for i, h in enumerate(hs):
        for j in vs_sorted:
            v = vs[j]
            if v.pos < h.a - 2:
                continue
            if v.pos > h.b + 2:
                break
            if _touches(h, v):
                parent[find(i)] = find(n_h + j)
    groups: dict[int, tuple[list[Seg], list[Seg]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(n_h + j), ([], []))[1].append(v)
    grids = []
    for gh, gv in groups.values():
        xs = _cluster([v.pos for v in gv])
        ys = _cluster([h.pos for h in gh])
        if len(xs) >= 3 and len(ys) >= 3:  # at least 2 columns and 2 rows
            grids.append(Grid(xs=xs, ys=ys, h=gh, v=gv))
    return grids


def _has_v(grid: Grid, x: float, y0: float, y1: float) -> bool:
    mid = (y0 + y1) / 2
    return any(abs(v.pos - x) <= _TOL * 2 and v.a - 2 <= mid <= v.b + 2 for v in grid.v)


def _has_h(grid: Grid, y: float, x0: float, x1: float) -> bool:
    mid = (x0 + x1) / 2
    return any(abs(h.pos - y) <= _TOL * 2 and h.a - 2 <= mid <= h.b + 2 for h in grid.h)


def grid_rows(grid: Grid, spans: list[tuple[tuple[float, float, float, float], str]]) -> list[list[str]]:
    """Cell texts row by row; merged cells keep their text in the first row/column."""
    xs, ys = grid.xs, grid.ys
    ncol, nrow = len(xs) - 1, len(ys) - 1
    # owner[r][c] = (r0, c0): the top-left grid cell of the merged cell covering (r, c)
    owner: list[list[tuple[int, int]]] = [[(r, c) for c in range(ncol)] for r in range(nrow)]
    for r in range(nrow):
        for c in range(ncol):
            if c > 0 and not _has_v(grid, xs[c], ys[r], ys[r + 1]):
                owner[r][c] = owner[r][c - 1]
            elif r > 0 and not _has_h(grid, ys[r], xs[c], xs[c + 1]):
                owner[r][c] = owner[r - 1][c]
    texts: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    x0, y0, x1, y1 = grid.bbox
    for box, text in spans:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if not (x0 <= cx <= x1 and y0 <= cy <= y1):
            continue
        c = next((i for i in range(ncol) if xs[i] <= cx <= xs[i + 1]), None)
        r = next((i for i in range(nrow) if ys[i] <= cy <= ys[i + 1]), None)
        if c is None or r is None:
            continue
        texts.setdefault(owner[r][c], []).append((box[1], box[0], text))
    rows: list[list[str]] = []
    for r in range(nrow):
        row = []
        for c in range(ncol):
            if owner[r][c] != (r, c):
                row.append("")
                continue
            row.append(_join(texts.get((r, c), [])))
        rows.append(row)
    # rows with no horizontal rule between them at all are one row written on several lines
    merged: list[list[str]] = []
    for r, row in enumerate(rows):
        if merged and all(owner[r][c][0] < r for c in range(ncol)):
            continue
        merged.append(row)
    return merged


def _join(parts: list[tuple[float, float, str]]) -> str:
    """Cell text line by line: words whose tops are within a few points share a line."""
    parts.sort(key=lambda p: p[0])
    lines: list[list[tuple[float, str]]] = []
    top = None
    for y, x, t in parts:
        if top is None or y - top > 4:
            lines.append([])
            top = y
        lines[-1].append((x, t))
    out = []
    for line in lines:
        text = "".join(t for _, t in sorted(line)).strip()
        if text:
            out.append(text)
    return "\n".join(out)


def segments_from_image(dark: np.ndarray, to_pt: float, min_len_px: int = 60) -> tuple[list[Seg], list[Seg]]:
    """Ruling lines of a scanned page: long straight runs of dark pixels.

    `dark` is a boolean image (True = ink). Text strokes are short, table rules long, so
    runs of at least `min_len_px` in one direction are rules. Positions come back in
    points (`to_pt` = 72 / dpi), ready for `grids_from_segments`.
    """
    def runs(mask: np.ndarray) -> list[tuple[int, int, int]]:
        """(row, start, end) of runs of True at least min_len_px long, row by row."""
        out = []
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        diff = np.diff(padded, axis=1)
        rows_s, cols_s = np.nonzero(diff == 1)
        _, cols_e = np.nonzero(diff == -1)  # same rows, same order as the starts
        for r, a, b in zip(rows_s, cols_s, cols_e):
            if b - a >= min_len_px:
                out.append((int(r), int(a), int(b)))
        return out

    def merge(found: list[tuple[int, int, int]]) -> list[Seg]:
        """Adjacent pixel rows of one thick rule become one segment."""
        segs: list[list[float]] = []
        for r, a, b in sorted(found):
            for seg in segs:
                if r - seg[3] <= 2 and a < seg[2] and b > seg[1]:
                    seg[1], seg[2], seg[3] = min(seg[1], a), max(seg[2], b), r
                    seg[4] += 1
                    break
            else:
                segs.append([r, a, b, r, 1])
        return [Seg(((s0 + s3) / 2) * to_pt, s1 * to_pt, s2 * to_pt) for s0, s1, s2, s3, n in segs if n <= 8]

    hs = merge(runs(dark))
    vs = merge(runs(dark.T))
    return hs, vs
