"""Numbers that state a quantity: "tối thiểu 92,5 %", "trên 50%", "01 trung tâm dữ liệu".

Vietnamese writes decimal commas and thousands dots ("92,5%", "100.000 người"); plans
also paste English-style "92.5%". The comparator is read from the words right before the
number (comparators and fillers are data in `data/rules.yaml`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

from extract.rules import rules
from ingest.normalize import fold, fold_aligned


class Quantity(BaseModel):
    start: int
    end: int
    text: str
    value: float
    unit: str
    comparator: str = ">="
    explicit: bool = False  # a comparator word was written
    cued: bool = False  # a comparator or commitment word precedes the number


_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d.,]\d)|\d+(?:[.,]\d+)?"
_PERCENT = re.compile(rf"(?<![\d/.,])({_NUMBER})\s*(%|phần trăm|phan tram)", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    t = text.strip().replace(" ", "")
    if not t:
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", t):
        return float(t.replace(".", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", t):
        return float(t.replace(".", "").replace(",", "."))  # "1.234,5": thousands dots, decimal comma
    if re.fullmatch(r"\d{1,3}(,\d{3})+", t):
        return float(t.replace(",", ""))  # English thousands separators
    t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _comparator_rx() -> tuple[re.Pattern, dict[str, str]]:
    r = rules()
    table: dict[str, str] = {}
    for op, words in r["comparators"].items():
        for w in words:
            table[fold(w)] = op
    fillers = sorted({fold(w) for w in r["commitment_cues"]} | {"muc", "ty le", "la", "xap xi", "dat"}, key=len, reverse=True)
    cmp_alt = "|".join(re.escape(w) for w in sorted(table, key=len, reverse=True))
    fill_alt = "|".join(re.escape(w) for w in fillers)
    rx = re.compile(rf"(?:^|[\s(:;,])(?P<cmp>{cmp_alt})?(?:\s*(?:{fill_alt}))*\s*$")
    return rx, table


@lru_cache(maxsize=1)
def _cue_rx() -> re.Pattern:
    r = rules()
    words = sorted({fold(w) for w in r["commitment_cues"]} | {fold(w) for ws in r["comparators"].values() for w in ws},
                   key=len, reverse=True)
    return re.compile(r"(?:^|[\s(:;,])(?:" + "|".join(re.escape(w) for w in words) + r")\s*$")


def comparator_before(text: str, pos: int) -> tuple[str, bool, bool, int]:
    """(comparator, explicit, cued, start of the comparator phrase) for a number at `pos`."""
    window_start = max(0, pos - 40)
    window = fold_aligned(text[window_start:pos])
    rx, table = _comparator_rx()
    m = rx.search(window)
    cued = bool(_cue_rx().search(window))
    if m and m.group("cmp"):
        return table[m.group("cmp")], True, True, window_start + m.start("cmp")
    return ">=", False, cued, pos


@lru_cache(maxsize=1)
def _count_rx() -> re.Pattern:
    nouns = sorted({fold(n) for n in rules()["count_units"]}, key=len, reverse=True)
    return re.compile(rf"(?<![\d/.,\w])({_NUMBER})\s+(" + "|".join(re.escape(n) for n in nouns) + r")(?!\w)")


def find_quantities(text: str, counts: bool = True, counts_need_cue: bool = True) -> list[Quantity]:
    """Percentages; counted quantities ("01 trung tâm"), by default only after a cue word."""
    out: list[Quantity] = []
    for m in _PERCENT.finditer(text):
        value = parse_number(m.group(1))
        if value is None:
            continue
        op, explicit, cued, start = comparator_before(text, m.start())
        out.append(Quantity(start=start, end=m.end(), text=text[start:m.end()], value=value, unit="%",
                            comparator=op, explicit=explicit, cued=cued))
    if counts and any(ch.isdigit() for ch in text):
        folded = fold_aligned(text)
        for m in _count_rx().finditer(folded):
            if any(q.start <= m.start() < q.end for q in out):
                continue
            raw = m.group(1)
            if re.fullmatch(r"(19|20)\d\d", raw):
                continue  # a year
            value = parse_number(raw)
            op, explicit, cued, start = comparator_before(text, m.start())
            if value is None or (counts_need_cue and not cued):
                continue
            unit = text[m.start(2):m.end(2)]
            out.append(Quantity(start=start, end=m.end(), text=text[start:m.end()], value=value, unit=unit,
                                comparator=op, explicit=explicit, cued=cued))
    out.sort(key=lambda q: q.start)
    return out
