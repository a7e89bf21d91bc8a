"""Find the units a plan names ("Sở TT&TT", "UBND các huyện, thị xã, thành phố") and give
their canonical full names, from the gazetteer in `data/units.yaml`.

How matching works, and why:

* The text is put in NFC and folded one character for one character (lowercase, no
  diacritics, đ → d), so every folded position maps back to the original text.
* Words are matched, not characters: a form is the run of its words with "và" and all
  punctuation left out, glued together ("Sở TT&TT" → "sotttt"). Text words are glued
  the same way and walked through a character trie from each word start, so spacing,
  "&"/"và"/"-"/"," between parts and joined abbreviation letters ("TTTT", "TT và TT")
  all meet the same key, and a match always begins and ends on word boundaries.
* The folded key alone would read "số" as "sở" and "chuyển đổi số y tế" as "Sở Y tế":
  every hit is checked against the form's accented spelling, letting a text letter
  differ only where the text wrote it without its accent.
* Case: units must be written with a capital ("cơ sở y tế", "cán bộ tư pháp" are not
  units); groups ("các sở, ban, ngành") need none.
* A few units are found by pattern instead of a list: "Cục X"/"Vụ X"/"Tổng cục X" in
  ministry plans, and "UBND huyện/thành phố/xã <Name>".

Ambiguities settled here:
* "UBND thành phố" without a name, or with the name of a city that was centrally-run
  before 2025, is the province-level "Ủy ban nhân dân tỉnh"; "UBND thành phố Đông Hà"
  (any other name, Huế included, which was district-level until 2025) is a district.
* "các địa phương" alone is not a unit: it means districts in a provincial plan and
  provinces in a ministry plan.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path

import yaml
from pydantic import BaseModel

from ingest.normalize import clean, tone_convention

DATA_DIR = Path(__file__).parent / "data"

KINDS = (
    "ministry", "central_agency", "ministry_department", "province_department",
    "province_body", "district_body", "commune_body", "group", "enterprise", "other",
)
_PLACE_KINDS = {"province_department", "province_body", "enterprise", "group"}


class UnitMention(BaseModel):
    start: int
    end: int  # char offsets into the ORIGINAL text passed in
    text: str  # as written
    canonical: str
    kind: str
    successor: str | None = None


# ----------------------------------------------------------------- character tables
def _char_tables() -> tuple[dict[int, str], dict[int, str]]:
    """Translate tables that lowercase (keeping accents) and fold, each 1 char → 1 char."""
    lower: dict[int, str] = {}
    fold: dict[int, str] = {}
    ranges = [range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)]
    for r in ranges:
        for cp in r:
            ch = chr(cp)
            lo = ch.lower()
            if len(lo) != 1:
                continue
            if lo != ch:
                lower[cp] = lo
            base = "".join(c for c in unicodedata.normalize("NFD", lo) if not unicodedata.combining(c))
            base = base.replace("đ", "d")
            if len(base) == 1 and base != ch:
                fold[cp] = base
    fold[ord("đ")] = "d"
    fold[ord("Đ")] = "d"
    return lower, fold


_LOWER, _FOLD = _char_tables()
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CLUSTER = re.compile(rf".[{_COMBINING}]*|[{_COMBINING}]+", re.S)
_WORD = re.compile(r"\w+")
_SPLIT_WORDS = re.compile(r"(\W+)")
_VA = {"và", "Và", "VÀ", "va", "Va", "VA"}
_GAP_OK = re.compile(r"(?:[\s,&\-–—/.:+]|va)*")  # what may stand between words of one unit
_SEP = re.compile(r"\s*(?:,\s*va|,|;|&|va)\s*")  # between items of "các Sở: A, B và C"


def fold_char_for_char(text: str) -> str:
    """Accent-free lowercase, same length as an NFC `text` (unlike ingest.normalize.fold,
    which also collapses whitespace)."""
    return text.translate(_FOLD)


def lower_char_for_char(text: str) -> str:
    return text.translate(_LOWER)


@lru_cache(maxsize=65536)
def _tone(word: str) -> str:
    """Tone-mark convention of one lowercase word, when it keeps the length (it does
    for Vietnamese letters)."""
    if word.isascii():
        return word
    out = tone_convention(word)
    return out if len(out) == len(word) else word


def compatible(text_acc: str, pattern_acc: str, pattern_fold: str | None = None) -> bool:
    """Whether accented lowercase `text_acc` is `pattern_acc`, or it written with some
    letters left without their accents (never with other accents: "số" is not "sở")."""
    if text_acc == pattern_acc:
        return True
    if len(text_acc) != len(pattern_acc):
        return False
    pf = pattern_fold if pattern_fold is not None else fold_char_for_char(pattern_acc)
    for t, p, f in zip(text_acc, pattern_acc, pf):
        if t != p and not (t == f and t < "\x80"):
            return False
    return True


@lru_cache(maxsize=8192)
def _word_acc(text: str) -> str:
    """Accented lowercase of a short phrase with the tone convention, words glued."""
    low = lower_char_for_char(unicodedata.normalize("NFC", text))
    return "".join(_tone(m.group()) for m in _WORD.finditer(low) if fold_char_for_char(m.group()) != "va")


# --------------------------------------------------------------------- the gazetteer
@dataclass(frozen=True)
class _Entry:
    canonical: str
    kind: str
    surface: str  # the form, cleaned
    key: str  # folded words glued ("sotttt")
    acc: str  # accented lowercase words glued, same length as key
    head: str  # first word of the form, accented lowercase
    head_key_len: int
    cased: bool
    place: bool
    needs_place: bool


@dataclass(frozen=True)
class _Unit:
    canonical: str
    kind: str
    successor: str | None
    since: datetime.date | None


def _form_words(surface: str) -> list[tuple[str, str]]:
    """(folded, accented lowercase) words of a form, "và" left out."""
    s = clean(surface)
    low = lower_char_for_char(s)
    fold = fold_char_for_char(s)
    out = []
    for m in _WORD.finditer(fold):
        f = m.group()
        a = _tone(low[m.start():m.end()])
        if f == "va" and a in ("và", "va"):
            continue
        out.append((f, a))
    return out


def _expand(surface: str, expansions: list[tuple[list[str], list[str]]]) -> set[str]:
    """The form written with every combination of the configured abbreviations."""
    variants = {clean(surface)}
    for phrase_words, abbrs in expansions:
        for v in list(variants):
            words = v.split(" ")
            accs = [_word_acc(w) for w in words]
            n = len(phrase_words)
            for i in range(len(words) - n + 1):
                # compare on accented words, ignoring punctuation around them
                if [a for a in accs[i:i + n]] == phrase_words:
                    for ab in abbrs:
                        variants.add(" ".join(words[:i] + [ab] + words[i + n:]))
    return variants


class _Gazetteer:
    def __init__(self) -> None:
        data = yaml.safe_load((DATA_DIR / "units.yaml").read_text(encoding="utf-8"))
        expansions = []
        self.abbreviations: dict[str, str] = {}
        for phrase, abbrs in (data.get("expansions") or {}).items():
            # phrase words compared as whole space-separated words (punctuation kept out)
            expansions.append(([_word_acc(w) for w in clean(phrase).split(" ")], list(abbrs)))
            for ab in abbrs:
                self.abbreviations.setdefault(ab, clean(phrase))
        abbr_alts = sorted(self.abbreviations, key=len, reverse=True)
        self.abbr_rx = re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in abbr_alts) + r")(?!\w)") if abbr_alts else None
        self.units: dict[str, _Unit] = {}
        self.entries: list[_Entry] = []
        self.trie: dict = {}
        for u in data["units"]:
            canonical = clean(u["canonical"])
            kind = u["kind"]
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r} for {canonical}")
            since = u.get("since")
            self.units[canonical] = _Unit(canonical, kind, u.get("successor"), since)
            cased = u.get("cased", kind != "group")
            place = u.get("place", kind in _PLACE_KINDS)
            for forms, needs_place in ((([canonical] + list(u.get("forms") or [])), False),
                                       (list(u.get("place_forms") or []), True)):
                for form in forms:
                    for surface in sorted(_expand(form, expansions)):
                        self._add(canonical, kind, surface, cased, place or needs_place, needs_place)
        # every prefix of every key → its trie node: a text word that is not one
        # cannot begin a unit, and one that is starts the walk past itself
        self.prefix_nodes: dict[str, dict] = {}
        stack = [("", self.trie)]
        while stack:
            pre, node = stack.pop()
            for ch, child in node.items():
                if ch:
                    self.prefix_nodes[pre + ch] = child
                    stack.append((pre + ch, child))
        self.enum_heads = {_word_acc(h) for h in data.get("enumeration_heads") or []}
        self.blocked = {_word_acc(h): [_word_acc(w) for w in ws] for h, ws in (data.get("blocked_after") or {}).items()}
        levels = {"".join(f for f, _ in _form_words(lv)): "".join(a for _, a in _form_words(lv))
                  for lv in data.get("place_levels") or []}
        alts = sorted((r"\s+".join(re.escape(f) for f, _ in _form_words(lv)) for lv in data.get("place_levels") or []),
                      key=len, reverse=True)
        self.level_acc = levels
        self.level_rx = re.compile(r"\s+(" + "|".join(alts) + r")(?!\w)\.?") if alts else None
        gen = data.get("generic") or {}
        self._prepare_departments(gen.get("departments") or {})
        self._prepare_councils(gen.get("local_councils") or {})

    def _prepare_departments(self, spec: dict) -> None:
        heads = {clean(h): k for h, k in (spec.get("heads") or {}).items()}
        self.dept_heads = heads
        alts = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in sorted(heads, key=len, reverse=True))
        self.dept_rx = re.compile(rf"(?<!\w)({alts})(?=[^\S\n]+\w)") if heads else None
        self.dept_stop = frozenset(_tone(lower_char_for_char(clean(w))) for w in spec.get("stop_words") or [])
        self.dept_stop_fold = frozenset(fold_char_for_char(w) for w in self.dept_stop)
        # a name stops where another unit's head begins (only heads' first words: "hội" of
        # "Hiệp hội" must not cut "Vụ Kinh tế số và Xã hội số")
        self.dept_head_words = {h.split()[0] for h in heads} | {"Sở", "Bộ"}
        self.dept_max = int(spec.get("max_words", 9))

    def _prepare_councils(self, spec: dict) -> None:
        def table(items: list[str]) -> tuple[str, dict[str, list[tuple[str, str]]]]:
            out: dict[str, list[tuple[str, str]]] = {}
            pats = set()
            for it in items:
                words = _form_words(it)
                out.setdefault("".join(f for f, _ in words), []).append(("".join(a for _, a in words), it))
                pats.add(r"\s+".join(re.escape(f) for f, _ in words))
            return "|".join(sorted(pats, key=len, reverse=True)), out
        self.council_levels = {clean(k): v for k, v in (spec.get("levels") or {}).items()}
        heads = [clean(h) for h in spec.get("heads") or []]
        if not heads or not self.council_levels:
            self.council_rx = None
            return
        h_alt, self.council_head_tab = table(heads)
        l_alt, self.council_level_tab = table(list(self.council_levels))
        self.council_rx = re.compile(rf"(?<![\w\-/])({h_alt})\s+({l_alt})(?!\w)\.?")
        self.council_max = int(spec.get("max_words", 5))

    def _add(self, canonical: str, kind: str, surface: str, cased: bool, place: bool, needs_place: bool) -> None:
        words = _form_words(surface)
        if not words:
            return
        key = "".join(f for f, _ in words)
        acc = "".join(a for _, a in words)
        if len(key) != len(acc):  # a letter without a one-char fold: cannot be matched
            return
        entry = _Entry(canonical, kind, clean(surface), key, acc, words[0][1], len(words[0][0]),
                       cased, place, needs_place)
        if any(e.key == key and e.acc == acc and e.canonical == canonical and e.needs_place == needs_place
               for e in self._terminal(key)):
            return
        self.entries.append(entry)
        node = self.trie
        for ch in key:
            node = node.setdefault(ch, {})
        node.setdefault("", []).append(entry)

    def _terminal(self, key: str) -> list[_Entry]:
        node = self.trie
        for ch in key:
            node = node.get(ch)
            if node is None:
                return []
        return node.get("", [])


@dataclass(frozen=True)
class _Province:
    name: str
    type: str
    city_since: datetime.date | None
    aliases: tuple[str, ...]
    capital: str | None
    merged_into: str | None


class _Places:
    """Province names, for "Sở Y tế tỉnh Quảng Trị" and for issuers."""

    def __init__(self) -> None:
        data = yaml.safe_load((DATA_DIR / "issuers.yaml").read_text(encoding="utf-8"))
        self.merger_since: datetime.date = data["merger_since"]
        self.provinces: list[_Province] = []
        for p in data["provinces"]:
            self.provinces.append(_Province(
                clean(p["name"]), p["type"], p.get("city_since"),
                tuple(clean(a) for a in p.get("aliases") or []),
                clean(p["capital"]) if p.get("capital") else None,
                clean(p["merged_into"]) if p.get("merged_into") else None,
            ))
        self.ministries = [clean(m) for m in data.get("ministries") or []]
        # surface (folded words glued) → [(accented glued, province)]
        self.names: dict[str, list[tuple[str, _Province]]] = {}
        self.capitals: dict[str, list[tuple[str, _Province]]] = {}
        for p in self.provinces:
            for s in (p.name,) + p.aliases:
                self._put(self.names, s, p)
            if p.capital:
                self._put(self.capitals, p.capital, p)
        self.name_rx = self._regex(self.names)
        self.place_rx = self._regex({**self.capitals, **self.names})
        # cities that were centrally-run before 2025: "thành phố X" is then the province
        self.central_city_keys = {k for k, v in self.names.items() for _, p in v
                                  if p.type == "city" and p.city_since is None}

    @staticmethod
    def _put(table: dict, surface: str, p: _Province) -> None:
        words = _form_words(surface)
        key = "".join(f for f, _ in words)
        table.setdefault(key, []).append(("".join(a for _, a in words), p))

    @staticmethod
    def _regex(table: dict) -> re.Pattern[str]:
        """One alternation over the surfaces of `table`, any spacing/dot/dash between words."""
        alts = set()
        for vals in table.values():
            for _, p in vals:
                for s in (p.name,) + p.aliases + ((p.capital,) if p.capital else ()):
                    words = [f for f, _ in _form_words(s)]
                    if "".join(words) in table:
                        alts.add(r"[\s.\-–]*".join(re.escape(w) for w in words))
        return re.compile("(?:" + "|".join(sorted(alts, key=len, reverse=True)) + r")(?!\w)")

    def province(self, name: str) -> _Province | None:
        for p in self.provinces:
            if p.name == name:
                return p
        return None


@cache
def _gaz() -> _Gazetteer:
    return _Gazetteer()


@cache
def _places() -> _Places:
    return _Places()


# ------------------------------------------------------------------ text preparation
class _Text:
    """The input in NFC (T) and folded (F, same length), its words, the words glued
    (C) for the trie walk, and the map from T positions back to the original."""

    __slots__ = ("orig", "T", "F", "o_start", "o_end", "ws", "we", "kept",
                 "ks", "ke", "C", "cstart", "cend")

    def __init__(self, text: str) -> None:
        self.orig = text
        if unicodedata.is_normalized("NFC", text):
            self.T = text
            self.o_start = self.o_end = None
        else:
            out: list[str] = []
            starts: list[int] = []
            ends: list[int] = []
            for m in _CLUSTER.finditer(text):
                s = unicodedata.normalize("NFC", m.group())
                out.append(s)
                starts.extend([m.start()] * len(s))
                ends.extend([m.end()] * len(s))
            self.T = "".join(out)
            self.o_start, self.o_end = starts, ends
        self.F = F = self.T.translate(_FOLD)
        # words and their spans from one split (faster than a match object per word)
        parts = _SPLIT_WORDS.split(F)
        pos = [0, *accumulate(map(len, parts))]
        words = parts[0::2]
        ws = pos[0::2]
        we = pos[1::2]
        if words and not words[-1]:
            words.pop(), ws.pop(), we.pop()
        if words and not words[0]:
            words, ws, we = words[1:], ws[1:], we[1:]
        self.ws = self.ks = ws
        self.we = self.ke = we
        # "và" between parts of a name adds nothing to the glued string
        kept = words
        if "va" in words:
            T = self.T
            kept = words.copy()
            for i in [i for i, w in enumerate(words) if w == "va"]:
                if T[ws[i]:we[i]] in _VA:
                    kept[i] = ""
        self.kept = kept
        self.C = "".join(kept)
        ends = list(accumulate(map(len, kept)))
        self.cstart = [0] + ends[:-1] if ends else []
        # a "và" ends where the word before it does: the earlier word wins
        n = len(ends)
        self.cend = dict(zip(reversed(ends), range(n - 1, -1, -1)))

    def acc_span(self, s: int, e: int) -> str:
        """Accented, tone-normalised lowercase words of T[s:e] glued ("và" kept)."""
        return "".join(_tone(w) for w in _WORD.findall(self.T[s:e].translate(_LOWER)))

    def low(self, s: int, e: int) -> str:
        """Lowercase (accents kept) of T[s:e]."""
        return self.T[s:e].translate(_LOWER)

    def orig_span(self, s: int, e: int) -> tuple[int, int]:
        if self.o_start is None:
            return s, e
        return self.o_start[s], self.o_end[e - 1]

    def acc(self, i: int, j: int) -> str:
        """Accented, tone-normalised lowercase of kept words i..j glued."""
        T, ks, ke, kept = self.T, self.ks, self.ke, self.kept
        return "".join(_tone(T[ks[t]:ke[t]].translate(_LOWER)) for t in range(i, j + 1) if kept[t])

    def prev_word(self, k: int) -> str | None:
        """Accented lowercase of the word right before word k, if only spaces part them."""
        if k == 0:
            return None
        ps, pe = self.ws[k - 1], self.we[k - 1]
        if self.T[pe:self.ws[k]].strip():
            return None
        return _tone(self.low(ps, pe))


@dataclass
class _Hit:
    s: int  # span in T
    e: int
    canonical: str
    kind: str
    prio: int  # on equal spans the lower wins
    place: str | None = None  # province named after the unit
    level: str | None = None  # for local councils: huyện, thành phố…


def _walk(node: dict, C: str, p: int, cend: dict[int, int]) -> list[tuple[int, list[_Entry]]]:
    out = []
    n = len(C)
    while p < n:
        node = node.get(C[p])
        if node is None:
            break
        p += 1
        ents = node.get("")
        if ents is not None:
            k = cend.get(p)
            if k is not None:
                out.append((k, ents))
    return out


# ------------------------------------------------------------------------ the scan


def _trailer(tx: _Text, pos: int) -> tuple[int, str | None, bool] | None:
    """A place written right after a unit: (end, province or None, whether a level word
    such as "tỉnh" was there), or None when there is none."""
    places, g = _places(), _gaz()
    end = pos
    had_level = False
    m = g.level_rx.match(tx.F, pos) if g.level_rx else None
    if m:
        key = re.sub(r"\s+", "", m.group(1))
        if compatible(tx.acc_span(m.start(1), m.end(1)), g.level_acc[key], key):
            end = m.end()
            had_level = True
    province = None
    n = (_AFTER_LEVEL if had_level else _BEFORE_NAME).match(tx.F, end)
    if n:
        nm = places.name_rx.match(tx.F, n.end())
        if nm:
            key = "".join(_WORD.findall(tx.F, nm.start(), nm.end()))
            acc = tx.acc_span(nm.start(), nm.end())
            for pacc, p in places.names.get(key, []):
                if compatible(acc, pacc, key):
                    province = p.name
                    end = nm.end()
                    break
    if not had_level and province is None:
        return None
    return end, province, had_level


_AFTER_LEVEL = re.compile(r"[\s.]*")
_BEFORE_NAME = re.compile(r"\s+")


class _Scanner:
    def __init__(self, tx: _Text, strict_case: bool) -> None:
        self.tx = tx
        self.g = _gaz()
        self.strict = strict_case

    def _gap_ok(self, i: int, j: int) -> bool:
        tx = self.tx
        for t in range(i, j):
            if not _GAP_OK.fullmatch(tx.F, tx.ke[t], tx.ks[t + 1]):
                return False
        return True

    def _valid(self, e: _Entry, k: int, kend: int, head_done: bool = False) -> _Hit | None:
        tx = self.tx
        if not self._gap_ok(k, kend):
            return None
        acc = tx.acc(k, kend)
        if head_done:
            if not compatible(acc, e.acc[e.head_key_len:], e.key[e.head_key_len:]):
                return None
        else:
            if not compatible(acc, e.acc, e.key):
                return None
            prev = tx.prev_word(k)
            if self.strict and e.cased and not tx.T[tx.ks[k]].isupper():
                if not (e.head in self.g.enum_heads and prev is not None and compatible(prev, "các")):
                    return None
            blocked = self.g.blocked.get(e.head)
            if blocked and prev is not None and any(compatible(prev, w) for w in blocked):
                return None
        s, end = tx.ks[k], tx.ke[kend]
        place = None
        if e.place and not head_done:
            tr = _trailer(tx, end)
            if tr is not None:
                end, place, _ = tr
            elif e.needs_place:
                return None
        return _Hit(s, end, e.canonical, e.kind, 1, place)

    def _pick(self, k: int, cands: list[tuple[int, list[_Entry]]], head_done: bool = False,
              head: str | None = None) -> tuple[_Hit, int] | None:
        for kend, ents in reversed(cands):
            best = None
            for e in ents:
                if head is not None and e.head != head:
                    continue
                hit = self._valid(e, k, kend, head_done)
                # "VNPT Quảng Trị": the form that takes the place in beats bare "VNPT"
                if hit is not None and (best is None or hit.e > best.e):
                    best = hit
            if best is not None:
                return best, kend
        return None

    def gazetteer(self) -> list[_Hit]:
        tx, g = self.tx, self.g
        C, cstart, cend, kept = tx.C, tx.cstart, tx.cend, tx.kept
        prefix_nodes = g.prefix_nodes
        starts = [i for i, w in enumerate(kept) if w in prefix_nodes]
        hits: list[_Hit] = []
        k = 0
        for i in starts:
            if i < k:
                continue
            node = prefix_nodes[kept[i]]
            cands = _walk(node, C, cstart[i] + len(kept[i]), cend)
            if "" in node:
                cands.insert(0, (i, node[""]))
            picked = self._pick(i, cands) if cands else None
            if picked is None:
                continue
            hit, kend = picked
            hits.append(hit)
            k = bisect.bisect_left(tx.ks, hit.e, lo=kend + 1)
            head = self._head_of(hit, i)
            if head is not None:
                k = self._enumerate(head, hit.e, k, hits)
        return hits

    def _head_of(self, hit: _Hit, k: int) -> str | None:
        """The head word ("sở"/"bộ") when this hit opens an enumeration."""
        tx = self.tx
        head = _tone(tx.low(tx.ks[k], tx.ke[k]))
        if head not in self.g.enum_heads:
            return None
        prev = tx.prev_word(k)
        plural = prev is not None and compatible(prev, "các")
        colon = re.match(r"\s*:", tx.F[tx.ke[k]:tx.ke[k] + 3]) is not None
        return head if plural or colon else None

    def _enumerate(self, head: str, end: int, k: int, hits: list[_Hit]) -> int:
        """Items after "các Sở Nội vụ, ..." or "các Sở: ...": each read as head + item."""
        tx, g = self.tx, self.g
        node = g.trie
        for ch in fold_char_for_char(head):
            node = node.get(ch, {})
        nk = len(tx.kept)
        while k < nk:
            while k < nk and not tx.kept[k]:  # the "và" before the last item
                k += 1
            if k >= nk or not _SEP.fullmatch(tx.F, end, tx.ks[k]):
                break
            cands = _walk(node, tx.C, tx.cstart[k], tx.cend)
            picked = self._pick(k, cands, head_done=True, head=head) if cands else None
            if picked is None:
                break
            hit, kend = picked
            hits.append(hit)
            end = hit.e
            k = kend + 1
        return k

    # ---------------------------------------------------------- pattern-made units
    def departments(self, stops: set[int]) -> list[_Hit]:
        g, tx = self.g, self.tx
        if g.dept_rx is None:
            return []
        head_words = g.dept_head_words
        hits = []
        for m in g.dept_rx.finditer(tx.T):
            s = m.start()
            if s in stops:
                continue
            head = " ".join(m.group(1).split())
            blocked = g.blocked.get(_word_acc(head.split()[-1]))
            k = bisect.bisect_left(tx.ks, s)
            if blocked and k < len(tx.ks) and tx.ks[k] == s:
                prev = tx.prev_word(k)
                if prev is not None and any(compatible(prev, w) for w in blocked):
                    continue
            pos = m.end()
            end = None
            count = 0
            while count < g.dept_max:
                w = _NEXT_WORD.match(tx.T, pos)
                if not w:
                    break
                dash, word, ws = w.group(1), w.group(2), w.start(2)
                if ws in stops or word in head_words or word[0].isdigit():
                    break
                up = word[0].isupper()
                if (count == 0 or dash) and (not up or (dash and count == 0)):
                    break
                if not up:
                    low = _tone(tx.low(ws, w.end(2)))
                    if low in g.dept_stop or (low.isascii() and low in g.dept_stop_fold):
                        if fold_char_for_char(low) != "va":
                            break
                        # "và" joins two capitalised parts: "Cục Văn thư và Lưu trữ"
                        nxt = _NEXT_WORD.match(tx.T, w.end())
                        if not (nxt and not nxt.group(1) and nxt.group(2)[0].isupper()
                                and nxt.start(2) not in stops and nxt.group(2) not in head_words):
                            break
                        w = nxt
                        count += 1
                count += 1
                pos = end = w.end()
            if end is not None:
                name = clean(tx.T[s:end])
                if g.abbr_rx is not None:
                    # "Cục CNTT" is stored as "Cục Công nghệ thông tin"
                    name = g.abbr_rx.sub(lambda m: g.abbreviations[m.group(1)], name)
                hits.append(_Hit(s, end, name, g.dept_heads[head], 2))
        return hits

    def councils(self, stops: set[int]) -> list[_Hit]:
        g, tx = self.g, self.tx
        if g.council_rx is None:
            return []
        places = _places()
        hits = []
        for m in g.council_rx.finditer(tx.F):
            hk = re.sub(r"\s+", "", m.group(1))
            lk = re.sub(r"\s+", "", m.group(2))
            head_written = tx.T[m.start(1):m.end(1)]
            if not any(compatible(_word_acc(head_written), a, hk) for a, _ in g.council_head_tab.get(hk, ())):
                continue
            if hk == "ub" and head_written != "UB":
                continue
            lacc = _word_acc(tx.T[m.start(2):m.end(2)])
            level = next((lv for a, lv in g.council_level_tab.get(lk, ()) if compatible(lacc, a, lk)), None)
            if level is None:
                continue
            pos = m.end()
            words: list[tuple[int, int]] = []
            while len(words) < g.council_max:
                w = _NAME_WORD.match(tx.T, pos)
                if not w or w.start(2) in stops:
                    break
                word = w.group(2)
                if not (word[0].isupper() or word[0].isdigit()) or (w.group(1) and not words):
                    break
                words.append((w.start(2), w.end(2)))
                pos = w.end()
            if not words:
                continue
            ns, ne = words[0][0], words[-1][1]
            name = clean(tx.T[ns:ne])
            if name.isupper() and len(name) > 1:
                name = " ".join(x[:1] + x[1:].lower() for x in name.split(" "))
            full = "thành phố" if level == "TP" else level
            nkey = "".join(f for f, _ in _form_words(name))
            if full == "thành phố" and nkey in places.central_city_keys:
                prov = places.names[nkey][0][1].name
                hits.append(_Hit(m.start(), ne, "Ủy ban nhân dân tỉnh", "province_body", 0, prov, full))
            else:
                kind = g.council_levels[level]
                hits.append(_Hit(m.start(), ne, f"Ủy ban nhân dân {full} {name}", kind, 0, None, full))
        return hits


_NEXT_WORD = re.compile(r"[^\S\n]*(?:\n[^\S\n]*)?(?:([-–])[^\S\n]*)?(\w+)")
_NAME_WORD = re.compile(r"(?:[^\S\n]*([-–])[^\S\n]*|[^\S\n]+)(\w+)")


def _scan(text: str, strict_case: bool = True) -> tuple[_Text, list[_Hit]]:
    tx = _Text(text)
    sc = _Scanner(tx, strict_case)
    gaz = sc.gazetteer()
    stops = {h.s for h in gaz}
    generic = sc.councils(stops) + [h for h in sc.departments(stops) if h.s not in stops]
    hits = sorted(gaz + generic, key=lambda h: (h.s, -(h.e - h.s), h.prio))
    out: list[_Hit] = []
    last = -1
    for h in hits:
        if h.s >= last:
            out.append(h)
            last = h.e
    return tx, out


def _mention(tx: _Text, h: _Hit) -> UnitMention:
    s, e = tx.orig_span(h.s, h.e)
    succ = unit_successor(h.canonical) if h.canonical in _gaz().units else None
    return UnitMention(start=s, end=e, text=tx.orig[s:e], canonical=h.canonical, kind=h.kind, successor=succ)


# --------------------------------------------------------------------- public API
def find_units(text: str, strict_case: bool = True) -> list[UnitMention]:
    """Units named in `text`, left to right, non-overlapping, the longest at each place.
    `strict_case=False` drops the capital-letter rule, for table cells that hold only
    unit names ("sở nội vụ, sở tài chính")."""
    if not text:
        return []
    tx, hits = _scan(text, strict_case)
    return [_mention(tx, h) for h in hits]


def find_units_with_place(text: str) -> list[tuple[UnitMention, str | None]]:
    """As find_units, each with the province written after it ("UBND tỉnh Quảng Trị" →
    "Quảng Trị"), or None."""
    if not text:
        return []
    tx, hits = _scan(text)
    return [(_mention(tx, h), h.place) for h in hits]


_LEAD = re.compile(r"\s*(?:\d{1,2}[.)]|[-+•*–])?\s*")
_TAIL = re.compile(r"[\s.,;:]*")


def canonical_unit(name: str) -> str | None:
    """Canonical name when the whole of `name` (a table cell, a label) is one unit."""
    if not name or not name.strip():
        return None
    tx, hits = _scan(name, strict_case=False)
    if len(hits) != 1:
        return None
    h = hits[0]
    if not _LEAD.fullmatch(tx.T, 0, h.s) or not _TAIL.fullmatch(tx.T, h.e, len(tx.T)):
        return None
    return h.canonical


def unit_successor(canonical: str, on: datetime.date | None = None) -> str | None:
    """The unit that took over `canonical` in the 2025 reorganisation (followed to its
    end), if that had happened by `on` (any date when None); None if none."""
    units = _gaz().units
    if canonical not in units:
        c = canonical_unit(canonical)
        if c is None:
            return None
        canonical = c
    result = None
    seen = {canonical}
    cur = units.get(canonical)
    while cur is not None and cur.successor:
        if on is not None and cur.since is not None and on < cur.since:
            break
        result = clean(cur.successor)
        if result in seen:
            break
        seen.add(result)
        cur = units.get(result)
    return result


def unit_kind(canonical: str) -> str | None:
    u = _gaz().units.get(canonical)
    return u.kind if u else None


def all_units() -> list[str]:
    """Canonical names of every listed unit, in data-file order."""
    return list(_gaz().units)


def unit_patterns() -> list[dict]:
    """Every listed surface form as an EntityRuler/PhraseMatcher pattern
    ({"label": kind, "pattern": surface, "id": canonical}). Forms that need a place are
    given with "tỉnh" after them. Match them on LOWER to ignore case; accent-free
    spellings are included."""
    out = []
    seen = set()
    for e in _gaz().entries:
        surfaces = [e.surface + " tỉnh"] if e.needs_place else [e.surface]
        for s in surfaces:
            for v in (s, _strip_accents(s)):
                if (v, e.canonical) not in seen:
                    seen.add((v, e.canonical))
                    out.append({"label": e.kind, "pattern": v, "id": e.canonical})
    return out


def _strip_accents(s: str) -> str:
    d = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in d if not unicodedata.combining(c)))
