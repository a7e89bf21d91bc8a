"""The numbering grammar of Vietnamese administrative documents.

`Phần I` / `PHẦN THỨ NHẤT` / `A.` (parts) › `I.` › `1.` › `1.1.` › `1.1.1.` / `a)`.
`parse_heading_number` only reads the number; whether a numbered paragraph is a heading
(and not a numbered list item) is decided in `sections` from style cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalize import fold

LEVEL_PART = 1
LEVEL_ROMAN = 2
LEVEL_ARABIC = 3
LEVEL_DECIMAL2 = 4
LEVEL_DECIMAL3 = 5
LEVEL_LETTER = 5

_ORDINALS = {
    "nhat": 1, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
}
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_OK = re.compile(r"^(X{0,3})(IX|IV|V?I{0,3})$")


@dataclass(frozen=True)
class HeadingNumber:
    level: int
    number: str  # as written, without punctuation: "Phần II", "III", "2.1", "a", "A"
    kind: str  # part | roman | arabic | decimal | letter | upper_letter
    title: str  # the text after the number
    value: tuple[int, ...] = ()  # numeric value(s), for sequence checks


def roman_value(s: str) -> int | None:
    s = s.upper()
    if not s or not _ROMAN_OK.match(s):
        return None
    total, prev = 0, 0
    for ch in reversed(s):
        v = _ROMAN_VALUES[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total or None


_PART = re.compile(
    r"^\s*(ph[aầâ]n)\s+(th[uứư]\s+)?([IVXivx]{1,4}|\d{1,2}|[^\W\d_]{2,4})\b\s*[.:\-–—]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "/" after a number is numbering only before words ("1/ Mục tiêu"), never in "III/2025"
_ROMAN = re.compile(r"^\s*([IVX]{1,5})\s*(?:[.):\-–—]|/(?=\s*[^\W\d_]))\s*(\S.*)?$", re.DOTALL)
_ROMAN_BARE = re.compile(r"^\s*([IVX]{1,5})\s+(\S.*)$", re.DOTALL)
_DECIMAL = re.compile(r"^\s*(\d{1,2}(?:\s?\.\s?\d{1,2}){1,3})\s*\.?\s*[)/:\-–]?\s+(\S.*)$", re.DOTALL)
_ARABIC = re.compile(r"^\s*(\d{1,2})\s*(?:[.)]|/(?=\s*[^\W\d_]))\s*(\S.*)?$", re.DOTALL)
_LETTER = re.compile(r"^\s*([a-zđ])\s*[)]\s*(\S.*)?$|^\s*([a-zđ])\s*\.\s+(\S.*)$", re.DOTALL)
_UPPER_LETTER = re.compile(r"^\s*([A-E])\s*[.)]\s+(\S.*)$", re.DOTALL)


def parse_heading_number(text: str) -> HeadingNumber | None:
    """Read the number at the start of a paragraph, if it follows the heading grammar."""
    m = _PART.match(text)
    if m:
        token = m.group(3)
        value = roman_value(token) if token.isalpha() and token.upper() == token and re.fullmatch(r"[IVXivx]+", token) else None
        if value is None and token.isdigit():
            value = int(token)
        if value is None:
            value = _ORDINALS.get(fold(token))
        if value is None and re.fullmatch(r"[ivx]+", token):
            value = roman_value(token)
        if value is not None:
            written = f"{m.group(1)} {m.group(2) or ''}{token}".replace("  ", " ").strip()
            return HeadingNumber(LEVEL_PART, written, "part", (m.group(4) or "").strip(), (value,))
    m = _DECIMAL.match(text)
    if m:
        parts = tuple(int(p) for p in re.split(r"\s?\.\s?", m.group(1)))
        if all(0 < p < 100 for p in parts):
            level = LEVEL_DECIMAL2 if len(parts) == 2 else LEVEL_DECIMAL3
            return HeadingNumber(level, ".".join(map(str, parts)), "decimal", m.group(2).strip(), parts)
    m = _ROMAN.match(text) or _ROMAN_BARE.match(text)
    if m:
        value = roman_value(m.group(1))
        title = (m.group(2) or "").strip()
        # "I" alone followed by a lowercase word is a sentence, not a heading number
        if value is not None and not (m.re is _ROMAN_BARE and (not title[:1].isupper() or len(m.group(1)) == 1 and title[:1].islower())):
            return HeadingNumber(LEVEL_ROMAN, m.group(1), "roman", title, (value,))
    m = _ARABIC.match(text)
    if m:
        value = int(m.group(1))
        if 0 < value < 100:
            return HeadingNumber(LEVEL_ARABIC, m.group(1), "arabic", (m.group(2) or "").strip(), (value,))
    m = _UPPER_LETTER.match(text)
    if m:
        return HeadingNumber(LEVEL_PART, m.group(1), "upper_letter", m.group(2).strip(), (ord(m.group(1)) - 64,))
    m = _LETTER.match(text)
    if m:
        letter = m.group(1) or m.group(3)
        title = (m.group(2) or m.group(4) or "").strip()
        return HeadingNumber(LEVEL_LETTER, letter, "letter", title, (ord(letter) - 96 if letter != "đ" else 5,))
    return None
