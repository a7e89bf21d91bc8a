"""Word automatic numbering: rebuild the label ("I.", "1.", "1.2.", "a)") Word shows.

python-docx exposes numPr but not the number itself; this interprets numbering.xml the
way Word does: counters per abstract list, lower levels restart when a higher level
advances, a num instance's startOverride resets its list on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(f"{_W}val", default)


def roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def letters(n: int) -> str:
    # Word: a..z, then aa..zz, aaa.. (repeated letter, not base-26)
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return roman(n)
    if fmt == "lowerRoman":
        return roman(n).lower()
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # lvlRestart: restart after this (1-based) level; 0 = never
    is_legal: bool = False
    style_id: str | None = None


@dataclass
class AbstractList:
    levels: dict[int, Level] = field(default_factory=dict)


@dataclass
class NumInstance:
    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, Level] = field(default_factory=dict)


class Numbering:
    """Counters advance as paragraphs are visited in document order (call `label` once per paragraph)."""

    def __init__(self, numbering_xml: bytes | None):
        self.abstracts: dict[str, AbstractList] = {}
        self.nums: dict[str, NumInstance] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if numbering_xml:
            self._parse(etree.fromstring(numbering_xml))

    @staticmethod
    def _level(lvl: etree._Element) -> tuple[int, Level]:
        ilvl = int(lvl.get(f"{_W}ilvl", "0"))
        restart = lvl.find(f"{_W}lvlRestart")
        return ilvl, Level(
            start=int(_val(lvl.find(f"{_W}start"), "1") or 1),
            fmt=_val(lvl.find(f"{_W}numFmt"), "decimal") or "decimal",
            text=_val(lvl.find(f"{_W}lvlText"), "") or "",
            restart=int(_val(restart, "0") or 0) if restart is not None else None,
            is_legal=lvl.find(f"{_W}isLgl") is not None,
            style_id=_val(lvl.find(f"{_W}pStyle")),
        )

    def _parse(self, root: etree._Element) -> None:
        for an in root.iter(f"{_W}abstractNum"):
            al = AbstractList()
            for lvl in an.findall(f"{_W}lvl"):
                i, level = self._level(lvl)
                al.levels[i] = level
            self.abstracts[an.get(f"{_W}abstractNumId", "")] = al
        for num in root.iter(f"{_W}num"):
            inst = NumInstance(abstract_id=_val(num.find(f"{_W}abstractNumId"), "") or "")
            for ov in num.findall(f"{_W}lvlOverride"):
                i = int(ov.get(f"{_W}ilvl", "0"))
                so = ov.find(f"{_W}startOverride")
                if so is not None:
                    inst.start_overrides[i] = int(_val(so, "1") or 1)
                lvl = ov.find(f"{_W}lvl")
                if lvl is not None:
                    inst.level_overrides[i] = self._level(lvl)[1]
            self.nums[num.get(f"{_W}numId", "")] = inst

    def level_for_style(self, num_id: str, style_id: str) -> int | None:
        inst = self.nums.get(num_id)
        if not inst:
            return None
        for i, lvl in self.abstracts.get(inst.abstract_id, AbstractList()).levels.items():
            if lvl.style_id == style_id:
                return i
        return None

    def _lvl(self, inst: NumInstance, ilvl: int) -> Level | None:
        if ilvl in inst.level_overrides:
            return inst.level_overrides[ilvl]
        return self.abstracts.get(inst.abstract_id, AbstractList()).levels.get(ilvl)

    def label(self, num_id: str, ilvl: int) -> tuple[str | None, str | None]:
        """(label as Word renders it, numFmt) for the next paragraph of this list."""
        inst = self.nums.get(num_id)
        if inst is None or num_id == "0":
            return None, None
        level = self._lvl(inst, ilvl)
        if level is None:
            return None, None
        key = inst.abstract_id
        counters = self._counters.setdefault(key, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for i, start in inst.start_overrides.items():
                counters[i] = start - 1
                for deeper in [k for k in counters if k > i]:
                    del counters[deeper]
        if level.fmt == "bullet":
            return level.text or "•", "bullet"
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            lower = self._lvl(inst, deeper)
            if lower is None or lower.restart != 0:
                del counters[deeper]
        text = level.text
        for i in range(ilvl + 1):
            lv = self._lvl(inst, i) or Level()
            n = counters.get(i, lv.start)
            fmt = "decimal" if (level.is_legal and i < ilvl) else lv.fmt
            text = text.replace(f"%{i + 1}", format_number(n, fmt))
        return text.strip(), level.fmt
