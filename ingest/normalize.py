"""Unicode hygiene for Vietnamese text.

* `clean` — what every stage stores: NFC, one tone-mark convention, repaired whitespace.
* `fold` — accent-free lowercase form for accent-insensitive search and matching
  ("Định danh" → "dinh danh"; đ → d, which no Unicode decomposition does).
* `match_key` — lowercase `clean` text for comparisons that keep diacritics.
"""

from __future__ import annotations

import re
import unicodedata

# Open syllables "oa", "oe", "uy" carry the tone on either vowel depending on the
# writer's habit (hoà/hòa, khoẻ/khỏe, thuỷ/thủy). We settle on the first vowel, the
# form most administrative text uses; "qu" is a consonant, so "quý" is left alone.
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_TONE_CLASS = "\u0300\u0301\u0309\u0303\u0323"
# Only open syllables, and only plain a/e/y: "hoặc" (a with breve, final c) is left alone.
_NEW_STYLE = re.compile(
    rf"(?<![qQ])([oO])([aAeE])([{_TONE_CLASS}])(?![\u0300-\u036f]|[^\W\d_])"
    rf"|(?<![qQ])([uU])([yY])([{_TONE_CLASS}])(?![\u0300-\u036f]|[^\W\d_])"
)

_SPACE_LIKE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\r\n\f\v]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_MULTI_SPACE = re.compile(r" {2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?)\]])")
_SPACE_AFTER_OPEN = re.compile(r"([(\[]) +")
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.")


def _move_tone(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1) + m.group(3) + m.group(2)
    return m.group(4) + m.group(6) + m.group(5)


def tone_convention(text: str) -> str:
    """Put the tone of open oa/oe/uy syllables on the first vowel (hoà → hòa)."""
    decomposed = unicodedata.normalize("NFD", text)
    if not any(ch in _TONES for ch in decomposed):
        return unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", _NEW_STYLE.sub(_move_tone, decomposed))


def repair_whitespace(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    text = _SPACE_LIKE.sub(" ", text)
    text = _ELLIPSIS.sub("...", text)
    text = _MULTI_SPACE.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    return text.strip()


def clean(text: str) -> str:
    """NFC, one tone-mark convention, whitespace repaired."""
    return repair_whitespace(tone_convention(unicodedata.normalize("NFC", text)))


def match_key(text: str) -> str:
    return clean(text).lower()


_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase without diacritics: 'Định danh điện tử' → 'dinh danh dien tu'."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _MULTI_SPACE.sub(" ", _SPACE_LIKE.sub(" ", stripped.lower())).strip()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base[0] if base else ch


_FOLD_CACHE: dict[str, str] = {}


def fold_aligned(text: str) -> str:
    """`fold` one character for one character, so offsets in the result index the input."""
    out = []
    cache = _FOLD_CACHE
    for ch in text:
        f = cache.get(ch)
        if f is None:
            f = cache[ch] = _fold_char(ch)
        out.append(f)
    return "".join(out)
