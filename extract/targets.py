"""Targets (chỉ tiêu): quantified commitments in the targets part and indicator tables.

Each number becomes one target with the clause around it ("cấp tỉnh đạt 90%; cấp huyện
đạt 80%" is two). A clause that only says "cấp huyện đạt 80%" inherits the subject of the
paragraph's first clause, so it is matched to the same indicator. A figure attributed to
an earlier year ("năm 2024 đạt 87%") is a result, not a target.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.catalogue import catalogue
from extract.indicators import floor_check, match_indicator
from extract.quantities import Quantity, comparator_before, find_quantities, parse_number
from extract.rules import rules
from ingest.normalize import fold, fold_aligned
from models.plan import Result, Target
from models.raw import TableBlock

_YEAR = re.compile(r"\b(?:năm|nam)\s+(20\d\d)\b|\b(20\d\d)\b", re.IGNORECASE)
_CLAUSE_SEP = re.compile(r";|\.\s|:\s|\n")
@lru_cache(maxsize=1)
def _level_rx() -> tuple[re.Pattern, dict[str, str]]:
    """The administrative levels of `data/rules.yaml` ("cấp tỉnh", "cấp quận, huyện"…), accent-free."""
    table = {fold(w): level for level, words in rules()["levels"].items() for w in words}
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})\b"), table


def _clauses(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _CLAUSE_SEP.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return [(a, b) for a, b in bounds if text[a:b].strip()]


def _level(folded: str) -> str | None:
    """The last level named in accent-free text ("cấp độ 3" is not a level: not in the data)."""
    rx, table = _level_rx()
    found = None
    for m in rx.finditer(folded):
        found = table[" ".join(m.group(0).split())]
    return found


def _level_near(text: str, a: int, b: int, q: Quantity, qs: list[Quantity]) -> str | None:
    """The administrative level a number is about: named in its own comma-part of the clause
    ("… 90% ở cấp tỉnh, 80% ở cấp huyện"), else the nearest one before it ("cấp tỉnh đạt 90%")."""
    cuts = sorted({a, b} | {a + m.end() for m in re.finditer(",", text[a:b])})
    part = next(((x, y) for x, y in zip(cuts, cuts[1:]) if x <= q.start < y), (a, b))
    others = [o for o in qs if o is not q and part[0] <= o.start < part[1]]
    if not others:
        found = _level(fold_aligned(text[part[0]:part[1]]))
        if found:
            return found
    return _level(fold_aligned(text[a:q.start]))


def _content_words(text: str) -> int:
    f = re.sub(r"[\d%.,;:()\-]+", " ", fold(text))
    f = re.sub(r"\b(cap|tinh|huyen|xa|bo|dat|toi thieu|it nhat|tren|hon|phan dau|ty le|va|nam|muc|trong do|doi voi)\b", " ", f)
    return len(f.split())


def _years(text: str) -> list[int]:
    return [int(a or b) for a, b in _YEAR.findall(text)]


def _in_past_parenthesis(text: str, pos: int, plan_year: int | None) -> bool:
    open_ = text.rfind("(", 0, pos)
    if open_ < 0 or text.rfind(")", 0, pos) > open_:
        return False
    close = text.find(")", pos)
    inside = text[open_:close if close > 0 else len(text)]
    ys = _years(inside)
    return bool(plan_year and ys and min(ys) < plan_year) or bool(re.search(r"hiện nay|hiện tại|năm trước|so với", inside, re.I))


def targets_from_text(text: str, page: int, section: int | None, plan_year: int | None, issuer_kind: str | None,
                      quantities: list[Quantity] | None = None, source: str = "text") -> tuple[list[Target], list[Result]]:
    # in the targets part a counted number needs no cue: "Đưa 300 sản phẩm OCOP lên sàn"
    qs = find_quantities(text, counts_need_cue=False) if quantities is None else quantities
    if not qs:
        return [], []
    clauses = _clauses(text)
    first = clauses[0] if clauses else (0, len(text))
    targets: list[Target] = []
    results: list[Result] = []
    for q in qs:
        if q.unit == "%" and q.value > 100:
            continue
        a, b = next(((a, b) for a, b in clauses if a <= q.start < b), first)
        clause = text[a:b]
        before = text[a:q.start]
        ys = _years(before)
        if plan_year and ys and max(ys) < plan_year or _in_past_parenthesis(text, q.start, plan_year):
            results.append(Result(text=text, section=section, value=q.value, unit=q.unit, year=max(ys) if ys else None, page=page))
            continue
        year_candidates = [y for y in _years(clause) + _years(text) if not plan_year or y >= plan_year]
        year = min(year_candidates) if year_candidates else plan_year
        level = _level_near(text, a, b, q, qs)
        # "…; cấp huyện đạt 80%" says only level and value: it continues the first clause's subject
        context = clause if _content_words(clause) >= 3 else text[first[0]:first[1]] + " " + clause
        m = match_indicator(context, q.unit)
        floor = meets = None
        if m:
            ind = catalogue().get(m.indicator_id)
            floor, meets = floor_check(ind, issuer_kind, q.value, q.unit, q.comparator, level, context)
        targets.append(Target(
            text=text, section=section, value=q.value, unit=q.unit, comparator=q.comparator, year=year,
            level=level, indicator_id=m.indicator_id if m else None, match_score=m.score if m else None,
            floor=floor, meets_floor=meets, page=page, source=source,
        ))
    return targets, results


def results_from_text(text: str, page: int, section: int | None, year: int | None) -> list[Result]:
    out = []
    for q in find_quantities(text, counts=False):
        if q.value <= 100:
            ys = _years(text[:q.start])
            out.append(Result(text=text, section=section, value=q.value, unit=q.unit,
                              year=ys[-1] if ys else year, page=page))
    return out


# ---------------------------------------------------------------- indicator tables
@lru_cache(maxsize=1)
def _column_cues() -> dict[str, tuple[str, ...]]:
    return {role: tuple(fold(c) for c in words) for role, words in rules()["target_table_columns"].items()}


def target_columns(header: list[str]) -> dict[str, int]:
    cues = _column_cues()
    text_cues, value_cues, unit_cues = cues["text"], cues["value"], cues["unit"]
    cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        f = fold(cell).strip(" .:")
        if not f:
            continue
        if "unit" not in cols and any(f.startswith(c) for c in unit_cues):
            cols["unit"] = i
        elif "text" not in cols and any(c in f for c in text_cues) and not re.search(r"20\d\d", f):
            cols["text"] = i
        elif "value" not in cols and "text" in cols and any(c in f for c in value_cues) and "ghi chu" not in f:
            cols["value"] = i
        elif f in ("tt", "stt"):
            cols["number"] = i
    return cols


def find_target_header(table: TableBlock) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(table.rows[:3]):
        cols = target_columns(row)
        if "text" in cols:
            f = [fold(c) for c in row]
            if any(("chu tri" in c or "phoi hop" in c) for c in f):
                return None  # a task table
            return r, cols
    return None


_VALUE_CELL = re.compile(r"^\s*(?P<cmp>[^\d]{0,20}?)\s*(?P<num>\d[\d.,]*)\s*(?P<pct>%)?\s*(?P<rest>.*)$", re.DOTALL)


def targets_from_table(table: TableBlock, section: int | None, plan_year: int | None,
                       issuer_kind: str | None) -> tuple[list[Target], list[Result]]:
    found = find_target_header(table)
    if not found:
        return [], []
    hr, cols = found
    targets: list[Target] = []
    results: list[Result] = []
    parent = ""  # a row without a value heads the sub-rows under it ("7 | Tỷ lệ …" then "7.1 | Cấp tỉnh")
    for r in range(hr + 1, len(table.rows)):
        row = table.rows[r]
        text = row[cols["text"]].strip() if cols["text"] < len(row) else ""
        if not text:
            continue
        page = table.row_pages[r] if r < len(table.row_pages) else table.page
        value_cell = row[cols["value"]].strip() if "value" in cols and cols["value"] < len(row) else ""
        unit_cell = row[cols["unit"]].strip() if "unit" in cols and cols["unit"] < len(row) else ""
        m = _VALUE_CELL.match(value_cell) if value_cell else None
        value = parse_number(m.group("num").rstrip(".,")) if m else None
        if value is None:
            t, res = targets_from_text(text, page, section, plan_year, issuer_kind, source="table")
            targets += t
            results += res
            if not t:
                parent = text
            continue
        unit = "%" if (m.group("pct") or unit_cell.strip() in ("%", "Tỷ lệ %", "tỷ lệ %") or
                       (not unit_cell and "%" in text)) else (unit_cell or "%")
        cmp_text = m.group("cmp") + " "
        op, _, _, _ = comparator_before(cmp_text, len(cmp_text))
        subject = text if _content_words(text) >= 3 or not parent else f"{parent} {text}"
        match = match_indicator(subject, unit)
        floor = meets = None
        level = _level(fold_aligned(text))
        if match:
            floor, meets = floor_check(catalogue().get(match.indicator_id), issuer_kind, value, unit, op, level, subject)
        ys = [y for y in _years(text + " " + value_cell) if not plan_year or y >= plan_year]
        targets.append(Target(
            text=" | ".join(c.strip() for c in row if c.strip()), section=section, value=value, unit=unit,
            comparator=op, year=min(ys) if ys else plan_year, level=level,
            indicator_id=match.indicator_id if match else None, match_score=match.score if match else None,
            floor=floor, meets_floor=meets, page=page, source="table",
        ))
    return targets, results
