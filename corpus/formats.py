"""Output formats shared by every command: table (for people), csv and json (for tools)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import unicodedata
from collections.abc import Sequence

FORMATS = ("table", "csv", "json")


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(c) else (2 if unicodedata.east_asian_width(c) in "WF" else 1) for c in text)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value).replace("\n", " ")


def _truncate(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, w = [], 0
    for ch in text:
        cw = _width(ch)
        if w + cw > width - 1:
            break
        out.append(ch)
        w += cw
    return "".join(out) + "…"


def table(rows: Sequence[dict], columns: Sequence[str] | None = None, max_width: int | None = None) -> str:
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(_width(c), *(_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    import sys

    total = max_width or (shutil.get_terminal_size((160, 20)).columns if sys.stdout.isatty() else 10**6)
    # shrink the widest columns until the table fits the terminal
    while sum(widths) + 2 * (len(widths) - 1) > total and max(widths) > 12:
        i = widths.index(max(widths))
        widths[i] -= 1
    def fmt(values: list[str]) -> str:
        parts = []
        for v, w in zip(values, widths):
            v = _truncate(v, w)
            parts.append(v + " " * (w - _width(v)))
        return "  ".join(parts).rstrip()
    lines = [fmt(columns), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells]
    return "\n".join(lines)


def to_csv(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([json.dumps(r.get(c), ensure_ascii=False) if isinstance(r.get(c), (list, dict)) else
                    ("" if r.get(c) is None else r.get(c)) for c in columns])
    return buf.getvalue()


def to_json(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    if columns:
        rows = [{c: r.get(c) for c in columns} for r in rows]
    return json.dumps(list(rows), ensure_ascii=False, indent=2, default=str)


def render(rows: Sequence[dict], fmt: str, columns: Sequence[str] | None = None) -> str:
    if fmt == "csv":
        return to_csv(rows, columns)
    if fmt == "json":
        return to_json(rows, columns)
    return table(rows, columns)
