"""Deadlines as Vietnamese plans write them: "Quý II/2025", "trước ngày 30/6/2025",
"6 tháng đầu năm", "2025-2026", "Thường xuyên".

The grammar runs on an accent-folded copy of the input (ingest.normalize.fold applied
char by char), so "Quy II/2025" and "Quý II/2025" read alike, and every span is mapped
back to offsets in the original string. A deadline's `date` is the last day of the
period written; nothing is ever read relative to today.

Decisions on vague wording (see also extract/data/deadlines.yaml):
* "đầu / giữa / cuối năm Y" → 31 Mar / 30 Jun / 31 Dec of Y.
* "đầu / giữa / cuối quý q" → end of the quarter's 1st / 2nd / 3rd month.
* "đầu / giữa / cuối tháng m" (and thượng / trung / hạ tuần) → day 10 / 20 / last.
* "trước X" keeps the period of X ("trước tháng 6/2025" → 30 Jun 2025).
* "từ X" with no end (X a year, half, quarter or month) is ongoing: recurring, with the
  date of X; "từ ngày d/m/y" stays a plain date.
* A period without a year takes `default_year`; with none given, its date is None.
  A bare recurrence ("Hằng năm") never takes `default_year`.
* Impossible dates ("31/6/2025") are no deadline at all.
* period_start is the first day of the period written, None for a single day or a
  vague "đầu/giữa/cuối" period.
* In running text, numbers alone are too ambiguous: "30/6" and "2025" count only after a
  preposition ("trước 30/6", "đến 2025"), "30/6/25" and "6-7/2025" only in a cell, and a
  bare "trong năm" only where it ends a clause ("2 lần trong năm" is a frequency).
* A cell holding several expressions gives the latest dated one, recurring if any part is.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Literal

import yaml
from pydantic import BaseModel

from ingest.normalize import fold

Mode = Literal["text", "cell"]


class Deadline(BaseModel):
    """One deadline expression; `cued` when a deadline word introduces it ("hoàn thành",
    "thời hạn", "trước", "đến"…), which a citation date ("Quyết định … ngày 03/6/2020") lacks."""

    text: str
    start: int
    end: int
    date: datetime.date | None
    period_start: datetime.date | None = None
    recurring: bool = False
    cued: bool = False


# --- folding with an offset map -------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SLASHES = "\u2044\u2215\uff0f"


class _FoldTable(dict):
    """str.translate table filled lazily from `fold`; remembers chars that do not fold
    to exactly one char (combining marks, ligatures) so offsets can be rebuilt."""

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isspace():
            out = " "
        elif ch in _DASHES:
            out = "-"
        elif ch in _SLASHES:
            out = "/"
        else:
            out = fold(ch)
        if len(out) != 1:
            self.irregular.add(ch)
        self[code] = out
        return out


_TABLE = _FoldTable()


def _fold_map(text: str) -> tuple[str, list[int] | None]:
    """Folded text and, when it is not aligned char for char, folded index → original."""
    folded = text.translate(_TABLE)
    if len(folded) == len(text) and _TABLE.irregular.isdisjoint(text):
        return folded, None
    index: list[int] = []
    for i, ch in enumerate(text):
        index.extend([i] * len(_TABLE[ord(ch)]))
    return folded, index


def _orig_span(text: str, index: list[int] | None, fs: int, fe: int) -> tuple[int, int]:
    if index is None:
        return fs, fe
    start, end = index[fs], index[fe - 1] + 1
    while end < len(text) and _TABLE[ord(text[end])] == "":  # trailing combining marks
        end += 1
    return start, end


# --- word lists -------------------------------------------------------------------------

_DATA = yaml.safe_load((Path(__file__).parent / "data" / "deadlines.yaml").read_text("utf-8"))


def _phrase(p: str) -> str:
    words = p.replace("/", " / ").split()
    return r"\s*".join(r"\d{1,2}" if w == "#" else re.escape(w) for w in words)


def _alt(items) -> str:
    return "|".join(_phrase(p) for p in sorted(items, key=len, reverse=True))


_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_YR = r"(?:19|20|21)\d\d(?!\d)"
_N2 = r"\d{1,2}(?!\d)"
# OCR reads "I" as "l" and the two strokes of a bold "II" as "H"
_RQ = r"(?:iv|iii|ii|i|lv|lll|ll|l|hi|ih|h)(?![a-z0-9])"
_RM = r"(?:xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)(?![a-z0-9])"
_YCONN = r"\s*(?:[/.,-]\s*)?(?:nam\s*)?"
_LISTSEP = r"\s*(?:-|,|va|&|den|toi|~)\s*"
_YEARS = rf"{_YR}(?:\s*(?:-|,|va|&|den|toi)\s*(?:nam\s*)?{_YR})*"
_NUMW = _alt(_DATA["numbers"])
_RELW = _alt(_DATA["relative_years"])
_TAIL = rf"\s*[,;]?\s*(?:va\s*)?(?:{_alt(_DATA['ongoing_tails'])}){_E}"
_RTAIL = _alt(_DATA["recurring_tail"])
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8,
          "ix": 9, "x": 10, "xi": 11, "xii": 12, "l": 1, "ll": 2, "lll": 3, "lv": 4, "h": 2, "hi": 3, "ih": 3}
_NUMERAL = re.compile(rf"{_B}(?:xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i|lv|lll|ll|l|hi|ih|h|\d{{1,2}}){_E}")
_YEAR_NUM = re.compile(_YR)
_TO = re.compile(rf"{_B}(?:den|toi){_E}")  # a written range is a deadline cue

# --- atoms --------------------------------------------------------------------------


@dataclass
class _Atom:
    fs: int
    fe: int
    kind: str  # day | month | quarter | half | year | vague | recur | range | block
    first: tuple[int, int] | None = None  # (month, day) of the period's first day
    last: tuple[int, int] | None = None  # (month, day); day 0 = the month's last day
    y0: int | None = None  # year of `first`
    y1: int | None = None  # year of `last`
    rel: int = 0  # years after default_year when the year is not written
    period: bool = True  # whether `first` is reported as period_start
    recurring: bool = False
    needs_lead: bool = False  # read in running text only after a preposition
    cued: bool = False  # a cue word inside the expression itself ("trong năm", "… đến …")
    multi: bool = False  # written as several periods ("Quý I, II", "2025-2026")
    ext: int = -1  # start including attached prefixes
    words: tuple[str, ...] = ()


def _block(m: re.Match[str]) -> _Atom:
    return _Atom(m.start(), m.end(), "block")


def _numerals(s: str) -> list[int]:
    return [_ROMAN.get(t) or int(t) for t in _NUMERAL.findall(s)]


def _year(s: str | None) -> int | None:
    return int(s) if s else None


def _rel(s: str | None) -> int:
    return _DATA["relative_years"][" ".join(s.split())] if s else 0


def _valid_day(d: int, m: int, y: int | None) -> bool:
    if not 1 <= m <= 12 or d < 1:
        return False
    return d <= (calendar.monthrange(y, m)[1] if y else (29 if m == 2 else 31))


_QN = rf"(?:{_RQ}|{_N2})"
_QUARTER = re.compile(
    rf"{_B}(?:(?P<mod>(?<!bat )dau|giua|cuoi)\s*)?"
    rf"(?:qu[yi]\s*(?P<qs>{_QN}(?:{_LISTSEP}(?:qu[yi]\s*)?{_QN})*)(?:{_YCONN}(?P<y>{_YR}))?"
    rf"|q\.?\s*(?P<qs2>[1-4]|{_RQ})\s*[/-]\s*(?P<y2>{_YR}))"
)


def _quarter(m: re.Match[str], mode: Mode) -> _Atom | None:
    qs = _numerals(m["qs"] or m["qs2"])
    if not all(1 <= q <= 4 for q in qs):
        return _block(m)
    y = _year(m["y"] or m["y2"])
    qa, qb = qs[0], qs[-1]
    last_month = 3 * qb - {"dau": 2, "giua": 1}.get(m["mod"] or "", 0)
    y0 = y - 1 if y is not None and qa > qb else y
    return _Atom(m.start(), m.end(), "quarter", (3 * qa - 2, 1), (last_month, 0), y0, y,
                 period=not m["mod"], multi=len(qs) > 1, cued=bool(_TO.search(m.group())))


_MN = rf"(?:{_N2}|{_RM})"
_MONTH = re.compile(
    rf"{_B}(?:(?P<mod>(?<!bat )dau|giua|cuoi|thuong tuan|trung tuan|ha tuan)\s*)?"
    rf"(?:thang\s*(?P<ms>{_MN}(?:{_LISTSEP}(?:thang\s*)?{_MN})*)(?:{_YCONN}(?P<y>{_YR}))?"
    rf"|th?\.?\s*(?P<ms2>{_N2})\s*[/-]\s*(?P<y2>{_YR}))"
)
_MONTH_BARE = re.compile(
    rf"(?<![a-z0-9/.,:])(?<!so )(?<!so: )"
    rf"(?P<ms>(?:1[0-2]|0?[1-9])(?:\s*[-,]\s*(?:1[0-2]|0?[1-9]))*)"
    rf"\s*(?P<s>[/.-])\s*(?P<y>{_YR})(?![\d/])"
)
_PART_OF_MONTH = {"dau": 10, "thuong tuan": 10, "giua": 20, "trung tuan": 20}


def _month(m: re.Match[str], mode: Mode) -> _Atom | None:
    ms = _numerals(m["ms"] or m["ms2"])
    if not all(1 <= x <= 12 for x in ms):
        return None  # "thắng 30/4" folds to "thang 30/4": not a month
    y = _year(m["y"] or m["y2"])
    ma, mb = ms[0], ms[-1]
    mod = " ".join(m["mod"].split()) if m["mod"] else ""
    y0 = y - 1 if y is not None and ma > mb else y
    return _Atom(m.start(), m.end(), "month", (ma, 1), (mb, _PART_OF_MONTH.get(mod, 0)), y0, y,
                 period=not mod, multi=len(ms) > 1, cued=bool(_TO.search(m.group())))


def _month_bare(m: re.Match[str], mode: Mode) -> _Atom | None:
    if mode == "text" and m["s"] != "/":
        return None
    ms = [int(x) for x in re.findall(r"\d+", m["ms"])]
    y = int(m["y"])
    return _Atom(m.start(), m.end(), "month", (ms[0], 1), (ms[-1], 0),
                 y - 1 if ms[0] > ms[-1] else y, y, multi=len(ms) > 1)


_DMY = re.compile(
    rf"{_B}(?:(?P<ngay>ngay)\s*)?(?<![\d/.,])(?P<d>\d{{1,2}})\s*(?P<s>[/.-])\s*(?P<m>\d{{1,2}})"
    rf"\s*(?P=s)\s*(?P<y>{_YR}|\d\d(?!\d))(?![\d/])"
)
_DAY_WORDS = re.compile(
    rf"{_B}(?:(?P<ngay>ngay)\s*)?(?P<d>\d{{1,2}})\s*thang\s*(?P<m>\d{{1,2}})(?!\d)"
    rf"(?:\s*,?\s*(?:nam|thang)\s*(?P<y>{_YR}))?"  # "tháng 3 tháng 2022" is a real typo
)
_DM = re.compile(
    rf"{_B}(?:(?P<ngay>ngay)\s*)?(?<![\d/.,])(?P<d>\d{{1,2}})\s*(?P<s>[/.-])\s*(?P<m>\d{{1,2}})"
    rf"(?!\d)(?!\s*(?P=s)\s*\d)(?:\s*nam\s*(?P<y>{_YR}))?"
)
_ISO = re.compile(
    rf"(?<![\d/.-])(?P<y>{_YR})(?P<s>[-/])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})(?!\d)"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


def _day(m: re.Match[str], mode: Mode) -> _Atom | None:
    y_text = m["y"]
    if y_text and len(y_text) == 2:
        if mode == "text":
            return None  # "30/6/25" only in a cell
        y_text = "20" + y_text
    d, mo, y = int(m["d"]), int(m["m"]), _year(y_text)
    named = "ngay" in m.groupdict() and bool(m["ngay"])
    if m.re is _DAY_WORDS and not (named or y):
        return None
    if not _valid_day(d, mo, y):
        return _block(m)
    needs_lead = m.re is _DM and not named and mode == "text"
    return _Atom(m.start(), m.end(), "day", (mo, d), (mo, d), y, y, period=False,
                 needs_lead=needs_lead)


_HALF = re.compile(
    rf"{_B}(?:(?P<n>\d{{1,2}}|{_NUMW})\s*thang|(?P<nua>nua))\s*(?P<side>dau|cuoi)\s*(?:cua\s*)?nam"
    rf"(?:{_YCONN}(?P<y>{_YR})|\s*(?P<rel>{_RELW}){_E})?"
)


def _half(m: re.Match[str], mode: Mode) -> _Atom | None:
    if m["nua"]:
        n = 6
    else:
        n = int(m["n"]) if m["n"].isdigit() else _DATA["numbers"][" ".join(m["n"].split())]
    if not 1 <= n <= 12:
        return None
    y = _year(m["y"])
    if m["side"] == "dau":
        first, last = (1, 1), (n, 0)
    else:
        first, last = (13 - n, 1), (12, 0)
    return _Atom(m.start(), m.end(), "half", first, last, y, y, rel=_rel(m["rel"]))


_VAGUE_YEAR = re.compile(
    rf"{_B}(?P<mod>(?<!bat )dau|giua|cuoi)\s*nam(?!\s*hoc)"
    rf"(?:{_YCONN}(?P<y>{_YR})|\s*(?P<rel>{_RELW}){_E}|(?![\s/.,-]*\d))"
)
_YEAR_NOW = re.compile(
    rf"{_B}(?<!lan )(?:(?P<mod>trong|het|ca|suot)\s*nam(?:\s*(?P<rel>{_RELW}){_E})?"
    rf"|nam\s*(?P<rel2>nay|hien hanh|ke hoach){_E})"
    rf"(?![\s/.,-]*\d)(?!\s*(?:hoc|qua|truoc|ngoai){_E})"
)
_CLAUSE_END = re.compile(r"\s*(?:[.;,)]|$)")


def _vague_year(m: re.Match[str], mode: Mode) -> _Atom | None:
    y = _year(m["y"])
    month = {"dau": 3, "giua": 6}.get(m["mod"], 12)
    return _Atom(m.start(), m.end(), "vague", (1, 1), (month, 0), y, y, rel=_rel(m["rel"]),
                 period=False)


def _year_now(m: re.Match[str], mode: Mode) -> _Atom | None:
    rel = m["rel"] or m["rel2"]
    # "2 lần trong năm" is a frequency; in running text a bare "trong năm" must end a clause
    if mode == "text" and m["mod"] in ("trong", "ca", "suot") and not rel:
        if not _CLAUSE_END.match(m.string, m.end()):
            return None
    return _Atom(m.start(), m.end(), "year", (1, 1), (12, 0), rel=_rel(rel),
                 cued=m["mod"] in ("trong", "het"))


_YEAR = re.compile(
    rf"{_B}(?<!viet )(?<!mien )nam\s*(?P<ys>{_YEARS})(?P<tail>{_TAIL})?"
)
_YEAR_BARE = re.compile(
    rf"(?<![a-z0-9/.,:])(?P<ys>{_YEARS})(?![\d/])(?!\s*[/.]\s*\d)(?!-\d)"
    rf"(?P<tail>{_TAIL})?"
)


def _years(m: re.Match[str], mode: Mode) -> _Atom | None:
    ys = [int(y) for y in _YEAR_NUM.findall(m["ys"])]
    needs_lead = False
    if m.re is _YEAR_BARE and mode == "text" and not m["tail"]:
        is_range = len(ys) == 2 and re.search(r"-|den|toi", m["ys"]) and 0 < ys[1] - ys[0] <= 50
        needs_lead = not is_range
    return _Atom(m.start(), m.end(), "year", (1, 1), (12, 0), min(ys), max(ys),
                 recurring=bool(m["tail"]), needs_lead=needs_lead, multi=len(ys) > 1,
                 cued=bool(_TO.search(m["ys"])))


def _recur_re(words: list[str]) -> re.Pattern[str]:
    rec = _alt(words)
    return re.compile(
        rf"{_B}(?P<r>(?:{rec})(?:\s*(?:,|;|/|-|va|&|hoac)\s*(?:{rec}|{_RTAIL}))*){_E}"
        rf"(?:\s*\(\s*(?:nam\s*)?(?P<ys>{_YEARS})\s*\))?"
    )


_RECUR_TEXT = _recur_re(_DATA["recurring"])
_RECUR_CELL = _recur_re(_DATA["recurring"] + _DATA["recurring_cell_only"])


def _recur(m: re.Match[str], mode: Mode) -> _Atom | None:
    if m["ys"]:
        ys = [int(y) for y in _YEAR_NUM.findall(m["ys"])]
        return _Atom(m.start(), m.end(), "year", (1, 1), (12, 0), min(ys), max(ys), recurring=True)
    return _Atom(m.start(), m.end(), "recur", period=False, recurring=True)


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Mode], "_Atom | None"]]
_COMMON: list[_Rule] = [
    (_QUARTER, _quarter), (_MONTH, _month), (_MONTH_BARE, _month_bare),
    (_DMY, _day), (_DAY_WORDS, _day), (_DM, _day), (_ISO, _day),
    (_HALF, _half), (_VAGUE_YEAR, _vague_year), (_YEAR_NOW, _year_now),
    (_YEAR, _years), (_YEAR_BARE, _years),
]
_RULES: dict[Mode, list[_Rule]] = {
    "text": _COMMON + [(_RECUR_TEXT, _recur)],
    "cell": _COMMON + [(_RECUR_CELL, _recur)],
}

# Anything a deadline can be made of without a digit; text lacking all of these is skipped.
_QUICK = re.compile(
    r"\d|qu[yi]|thuong|hang|moi|dinh ky|lien tuc|nam (?:nay|hien|ke)|thang [ivx]"
    r"|(?:dau|giua|cuoi|het|ca|suot|trong|nua) nam"
)

# --- combining atoms ------------------------------------------------------------------

_PREFIX = re.compile(rf"{_B}(?:{_alt(_DATA['prefixes'])})\s*$")
_CUE_PREFIXES = [" ".join(p.split()) for p in _DATA["cue_prefixes"]]
_OPEN_PREFIXES = [" ".join(p.split()) for p in _DATA["open_prefixes"]]
# a cue word at most four words before the expression ("Thời gian thực hiện dự kiến: …")
_CUE_BEFORE = re.compile(
    rf"{_B}(?:{_alt(_DATA['cue_words'])})(?:[^a-z0-9]+[a-z0-9]+){{0,4}}[^a-z0-9]*$"
)
_HORIZON = _alt(_DATA["horizon_words"])
_HORIZON_BEFORE = re.compile(rf"{_B}(?:{_HORIZON})\s*$")
_HORIZON_AFTER = re.compile(rf"\s*,?\s*(?:{_HORIZON}){_E}")
_SENTENCE_END = re.compile(r".*[.;!?]", re.S)
_RANGE_GAP = re.compile(r"\s*(?:-|~|den|toi|cho den|den het|den truoc)\s*")
_LIST_GAP = re.compile(r"\s*(?:,|va|&|hoac)\s*")
_REC_GAP = re.compile(r"[\s,;:(\-]*(?:(?:va|hoac|trong|vao|cua)\s*)?")
_CLOSE_PAREN = re.compile(r"\s*\)")
_DATED = {"day", "month", "quarter", "half", "year", "vague", "range"}


def _has(words: tuple[str, ...], phrases: list[str]) -> bool:
    """Whether one of `phrases` is among the prefix words ("đến hết" holds "đến")."""
    joined = f" {' '.join(words)} "
    return any(f" {p} " in joined for p in phrases)


def _attach_prefixes(folded: str, atom: _Atom, lo: int) -> _Atom:
    start, words = atom.fs, []
    while len(words) < 4:
        m = _PREFIX.search(folded, max(lo, start - 40), start)
        if not m:
            break
        words.append(" ".join(m.group().split()))
        start = m.start()
    return replace(atom, ext=start, words=tuple(words))


def _key(md: tuple[int, int] | None) -> tuple[int, int]:
    return (md[0], md[1] or 31) if md else (0, 0)


def _range(a: _Atom, b: _Atom, cued: bool) -> _Atom:
    y0, y1 = a.y0, b.y1
    if y0 is None:
        yb = b.y0 if b.y0 is not None else b.y1
        if yb is not None:
            y0 = yb - 1 if _key(a.first) > _key(b.first) else yb
    if y1 is None:
        ya = a.y1 if a.y1 is not None else a.y0
        if ya is not None:
            y1 = ya + 1 if _key(b.last) < _key(a.last) else ya
    return _Atom(a.fs, b.fe, "range", a.first, b.last, y0, y1, rel=b.rel, period=True,
                 recurring=a.recurring or b.recurring,
                 needs_lead=a.needs_lead and b.needs_lead, ext=a.ext, words=a.words,
                 cued=cued or a.cued or b.cued)


def _merge(folded: str, a: _Atom, b: _Atom) -> _Atom | None:
    if a.kind in _DATED and b.kind in _DATED:
        gap = folded[a.fe:b.fs]
        if _RANGE_GAP.fullmatch(gap) or (a.kind == b.kind and _LIST_GAP.fullmatch(gap)):
            return _range(a, b, cued=bool(_TO.search(gap)))
        return None
    if (a.kind == "recur") == (b.kind == "recur"):
        return None
    gap = folded[a.fe:b.ext]
    if not _REC_GAP.fullmatch(gap):
        return None
    dated = b if a.kind == "recur" else a
    fe = b.fe
    if "(" in gap and (close := _CLOSE_PAREN.match(folded, fe)):
        fe = close.end()
    return replace(dated, fs=a.fs, fe=fe, ext=a.ext, words=a.words, recurring=True,
                   needs_lead=False, cued=a.cued or b.cued)


def _atoms(folded: str, mode: Mode) -> list[_Atom]:
    found: list[_Atom] = []
    for pattern, handler in _RULES[mode]:
        for m in pattern.finditer(folded):
            atom = handler(m, mode)
            if atom is not None and atom.fe > atom.fs:
                found.append(atom)
    found.sort(key=lambda a: (a.fs, a.fs - a.fe))
    chosen: list[_Atom] = []
    for atom in found:  # leftmost, then longest, never overlapping
        if not chosen or atom.fs >= chosen[-1].fe:
            chosen.append(atom)

    attached, lo = [], 0
    for atom in chosen:
        attached.append(_attach_prefixes(folded, atom, lo) if atom.kind != "block" else atom)
        lo = atom.fe

    merged: list[_Atom] = []
    for atom in attached:
        if atom.kind == "block":
            merged.append(atom)
            continue
        if merged and merged[-1].kind != "block" and (joined := _merge(folded, merged[-1], atom)):
            merged[-1] = joined
        else:
            merged.append(atom)

    out = []
    for atom in merged:
        if atom.kind == "block" or (atom.needs_lead and not atom.words):
            continue
        if (atom.kind in {"year", "half", "quarter", "month"} and not atom.recurring
                and not atom.multi and _has(atom.words, _OPEN_PREFIXES)):
            atom = replace(atom, recurring=True)
        out.append(atom)
    return out


def _is_cued(folded: str, atom: _Atom, lo: int) -> bool:
    before = folded[max(lo, atom.ext - 80):atom.ext]
    if _HORIZON_BEFORE.search(before) or _HORIZON_AFTER.match(folded, atom.fe):
        return False
    if atom.cued or _has(atom.words, _CUE_PREFIXES):
        return True
    if sentence := _SENTENCE_END.match(before):
        before = before[sentence.end():]
    return bool(_CUE_BEFORE.search(before))


_Dates = tuple[datetime.date | None, datetime.date | None]


def _resolve(atom: _Atom, default_year: int | None) -> _Dates | None:
    """(date, period_start); None when the calendar date does not exist."""
    if atom.last is None:
        return None, None
    fallback = default_year + atom.rel if default_year is not None else None
    y1 = atom.y1 if atom.y1 is not None else fallback
    if y1 is None:
        return None, None
    y0 = atom.y0 if atom.y0 is not None else y1 - (1 if _key(atom.first) > _key(atom.last) else 0)
    try:
        m, d = atom.last
        date = datetime.date(y1, m, d or calendar.monthrange(y1, m)[1])
        start = datetime.date(y0, *atom.first) if atom.period and atom.first else None
    except ValueError:
        return None
    return date, start


def _scan(text: str, default_year: int | None, mode: Mode) -> list[Deadline]:
    if not text:
        return []
    folded, index = _fold_map(text)
    if not _QUICK.search(folded):
        return []
    out: list[Deadline] = []
    lo = 0
    for atom in _atoms(folded, mode):
        resolved = _resolve(atom, default_year)
        if resolved is None:
            continue
        start, end = _orig_span(text, index, atom.ext, atom.fe)
        out.append(Deadline(
            text=text[start:end], start=start, end=end, date=resolved[0],
            period_start=resolved[1], recurring=atom.recurring,
            cued=_is_cued(folded, atom, lo),
        ))
        lo = atom.fe
    return out


def find_deadlines(text: str, default_year: int | None = None) -> list[Deadline]:
    """Every deadline expression in a sentence or paragraph, left to right."""
    return _scan(text, default_year, "text")


def parse_deadline(text: str, default_year: int | None = None) -> Deadline | None:
    """The deadline of a table cell or short phrase: the latest dated expression in it,
    else the first undated one (a recurrence, a period without a year); None if none.
    The cell is recurring if any part of it is ("Quý III/2025; duy trì thường xuyên")."""
    found = _scan(text, default_year, "cell")
    if not found:
        return None
    dated = [d for d in found if d.date is not None]
    best = max(dated, key=lambda d: d.date) if dated else found[0]  # max keeps the first tie
    if not best.recurring and any(d.recurring for d in found):
        best = best.model_copy(update={"recurring": True})
    return best
