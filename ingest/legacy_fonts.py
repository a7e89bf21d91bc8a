"""Legacy 8-bit Vietnamese fonts (TCVN3/ABC and VNI) → Unicode.

Before Unicode, Vietnamese was typed in fonts whose code points draw Vietnamese
letters: a ".VnTime" run holding "KÕ ho¹ch" and a "VNI-Times" run holding
"Keá hoaïch" both mean "Kế hoạch". Readers call `decode_run` on every DOCX run and
PDF span: the font name decides first, the text's own look second, and text that
is already Unicode comes back untouched. Documents may mix both, so the decision
is made run by run.

The code tables are data (data/legacy_encodings.yaml). Content detection rests on
a Vietnamese syllable check: a word counts as legacy evidence only when it is not
a Vietnamese syllable as it stands but becomes one once decoded, so correct
Unicode text (whose words already are syllables) never triggers a conversion.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

Encoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("tcvn3", "vni")

__all__ = [
    "Encoding",
    "ENCODINGS",
    "VIETNAMESE_LETTERS",
    "decode_run",
    "font_encoding",
    "font_is_caps",
    "from_unicode",
    "from_unicode_runs",
    "looks_legacy",
    "to_unicode",
]

# --------------------------------------------------------------------------- tables

_TONE_MARKS = {
    "none": "",
    "acute": "\u0301",
    "grave": "\u0300",
    "hook": "\u0309",
    "tilde": "\u0303",
    "dot_below": "\u0323",
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _chars(codes: str) -> str:
    """'61 F9' → 'aù'."""
    return "".join(chr(int(code, 16)) for code in str(codes).split())


def _load() -> dict:
    path = resources.files(__package__ or "ingest").joinpath("data/legacy_encodings.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    marks = [_TONE_MARKS[name] for name in raw["tone_order"]]
    lowercase: dict[str, dict[str, str]] = {}
    for enc in ENCODINGS:
        table: dict[str, str] = {}
        for base, codes in raw[enc]["lowercase"].items():
            for mark, code in zip(marks, codes, strict=False):
                table[_nfc(base + mark)] = _chars(code)
        lowercase[enc] = table
    return {
        "lowercase": lowercase,
        "capitals": {k: _chars(v) for k, v in raw["tcvn3"]["capitals"].items()},
        "capitals_vn2": {k: _chars(v) for k, v in raw["tcvn3"]["capitals_vn2"].items()},
    }


_DATA = _load()

# Unicode → legacy, lowercase, ASCII vowels included
_LOWER: dict[Encoding, dict[str, str]] = _DATA["lowercase"]

#: The 134 Vietnamese letters outside ASCII (67 lowercase, 67 uppercase), NFC.
VIETNAMESE_LETTERS: str = "".join(
    sorted(case for ch in _LOWER["vni"] if not ch.isascii() for case in (ch, ch.upper()))
)

# C1 controls are what some PDF extractors give for bytes 0x80-0x9F; the legacy
# fonts keep the Windows punctuation there (smart quotes, dashes, bullets).
_C1_TO_CP1252: dict[int, str] = {}
for _b in range(0x80, 0xA0):
    try:
        _C1_TO_CP1252[_b] = bytes([_b]).decode("cp1252")
    except UnicodeDecodeError:
        pass

# TCVN3. Uppercase letters with a tone have no code in the normal font: they are
# typed with the lowercase code in a capitals font, so encoding them needs caps.
_TCVN3_ENCODE: dict[int, str] = {ord(u): c for u, c in _LOWER["tcvn3"].items()}
_TCVN3_ENCODE.update({ord(u): c for u, c in _DATA["capitals"].items()})
_TCVN3_CAPS_ONLY: frozenset[str] = frozenset(
    u.upper() for u in _LOWER["tcvn3"] if not u.isascii() and u.upper() not in _DATA["capitals"]
)
_TCVN3_ENCODE.update({ord(u): _LOWER["tcvn3"][u.lower()] for u in _TCVN3_CAPS_ONLY})

_TCVN3_DECODE: dict[int, str] = dict(_C1_TO_CP1252)
_TCVN3_DECODE.update({ord(c): u for u, c in _DATA["capitals_vn2"].items()})
_TCVN3_DECODE.update({ord(c): u for u, c in _LOWER["tcvn3"].items() if not c.isascii()})
_TCVN3_DECODE.update({ord(c): u for u, c in _DATA["capitals"].items()})

# VNI: uppercase is the plain uppercase of both sides ("aù" → "AÙ" for Á).
_VNI_ENCODE: dict[int, str] = {}
for _u, _c in _LOWER["vni"].items():
    _VNI_ENCODE[ord(_u)] = _c
    _VNI_ENCODE[ord(_u.upper())] = _c.upper()
_VNI_PAIRS: dict[str, str] = {}
_VNI_SINGLES: dict[str, str] = {}
for _u, _c in _LOWER["vni"].items():
    for _uu, _cc in ((_u, _c), (_u.upper(), _c.upper())):
        if len(_cc) == 2:
            _VNI_PAIRS[_cc] = _uu
        elif not _cc.isascii():
            _VNI_SINGLES[_cc] = _uu
_VNI_BASES = "".join(sorted({p[0] for p in _VNI_PAIRS}))
_VNI_MARKS = "".join(sorted({p[1] for p in _VNI_PAIRS}))
_VNI_TOKEN = re.compile(f"[{_VNI_BASES}][{_VNI_MARKS}]|[{''.join(sorted(_VNI_SINGLES))}]")

# In PDFs whose legacy font uses WinAnsi glyph names, TCVN3 ư (0xAD, soft hyphen)
# comes out as "-" ("tr-êng", "nh-", "-u tiªn"). A hyphen becomes ư again when
# the word it sits in then reads as one Vietnamese syllable (trường, như, ưu);
# "COVID-19", "e-mail", "KH-CN", "2021-2025" and " - " stay.
_HYPHEN_IN_WORD = re.compile(r"(?<![^\W\d_])([^\W\d_]*)-([^\W\d_]*)")


def _restore_u(m: re.Match[str]) -> str:
    left, right = m.groups()
    word = f"{left}ư{right}"
    return word if (left or right) and _is_syllable(word) else m.group()


# ------------------------------------------------------------------- conversion


def _vni_pair(m: re.Match[str]) -> str:
    s = m.group()
    if s in _VNI_PAIRS:
        return _VNI_PAIRS[s]
    if len(s) == 2:  # a base followed by a mark it does not take: leave the mark
        return _VNI_SINGLES.get(s[0], s[0]) + s[1]
    return _VNI_SINGLES[s]


def to_unicode(text: str, encoding: Encoding, caps: bool = False) -> str:
    """Decode legacy text to NFC Unicode.

    `caps` marks a TCVN3 capitals font (.VnTimeH): every letter is then uppercase.
    Characters the encoding does not use pass through; C1 controls become the
    Windows punctuation of the same byte. For TCVN3 a "-" standing for a lost ư is
    repaired (see `_HYPHEN_IN_WORD`).
    """
    if encoding == "tcvn3":
        out = text.translate(_TCVN3_DECODE)
        if "-" in out:
            out = _HYPHEN_IN_WORD.sub(_restore_u, out)
    elif encoding == "vni":
        out = _VNI_TOKEN.sub(_vni_pair, text.translate(_C1_TO_CP1252))
    else:
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    if caps:
        out = out.upper()
    return _nfc(out)


def from_unicode(text: str, encoding: Encoding) -> str:
    """Encode Unicode text in a legacy encoding (to build test documents).

    Characters other than Vietnamese letters pass through unchanged. TCVN3 has no
    code for an uppercase letter with a tone (Ế, Ủ...): such a letter is written
    with the code of its lowercase form, which reads right only in a capitals font
    (.VnTimeH); the untoned capitals Ă Â Ê Ô Ơ Ư Đ have codes of their own.
    `from_unicode_runs` splits text into runs for the normal and the capitals font.
    `to_unicode(from_unicode(s, e), e) == NFC(s)` for text of Vietnamese letters,
    ASCII and Windows punctuation, except TCVN3 text with toned capitals and a
    hyphen inside a word that reads as a syllable once it is ư ("x-a" → "xưa").
    """
    if encoding == "tcvn3":
        return _nfc(text).translate(_TCVN3_ENCODE)
    if encoding == "vni":
        return _nfc(text).translate(_VNI_ENCODE)
    raise ValueError(f"unknown legacy encoding: {encoding!r}")


def from_unicode_runs(text: str, encoding: Encoding) -> list[tuple[str, bool]]:
    """(legacy_text, needs_caps_font) runs that together spell `text`.

    TCVN3 text is cut where an uppercase letter with a tone needs the capitals font;
    a capitals run holds lowercase codes, as typists entered it ("ñy ban" in
    .VnTimeH reads ỦY BAN). Characters without case join the run they follow.
    `"".join(to_unicode(t, encoding, caps=c) for t, c in runs) == NFC(text)`, with
    the hyphen caveat of `from_unicode`. VNI needs no capitals font: one run.
    """
    text = _nfc(text)
    if not text:
        return []
    if encoding == "vni":
        return [(from_unicode(text, "vni"), False)]
    if encoding != "tcvn3":
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    runs: list[tuple[str, bool]] = []
    start, mode = 0, None
    for i, ch in enumerate(text):
        need = True if ch in _TCVN3_CAPS_ONLY else (False if ch.islower() else None)
        if need is None or need == mode:
            continue
        if mode is not None:
            runs.append((text[start:i], mode))
            start = i
        mode = need
    runs.append((text[start:], bool(mode)))
    return [(from_unicode(seg.lower() if caps else seg, "tcvn3"), caps) for seg, caps in runs]


# -------------------------------------------------------------------- font names

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_STYLE = re.compile(
    r"[-_ ]?(?:Bold|Italic|Oblique|Regular|BoldItalic|BoldOblique|Bd|It|BdIt|bold|italic|regular)$"
)
# ABC (TCVN3) fonts are named ".VnTime", ".VNTimeH"...; VNI ones "VNI-Times",
# "Vni-Helve", "VniHelvetica". A PDF may drop the dot or turn it into "-".
_VNI_FONT = re.compile(r"(?i)vni(?:[-_ ]|(?=[a-z]))")
_TCVN3_FONT = re.compile(r"Vn[A-Z]|(?i:vn(?:time|arial|century|courier|helvet|avant|book|black|univers))")


@lru_cache(maxsize=512)
def _font_info(font_name: str | None) -> tuple[Encoding | None, bool]:
    if not font_name:
        return None, False
    name = _SUBSET.sub("", font_name.strip()).split(",")[0].strip()
    core = name.lstrip(".-_+# ")
    enc: Encoding | None = None
    if name[:1] in ".-_" and core[:2].lower() == "vn" and not re.match(r"(?i)vni[-_ ]", core):
        enc = "tcvn3"
    elif _VNI_FONT.match(core):
        enc = "vni"
    elif _TCVN3_FONT.match(core):
        enc = "tcvn3"
    if enc != "tcvn3":
        return enc, False
    while True:  # ".VnTimeH-BoldItalic" → ".VnTimeH"
        shorter = _STYLE.sub("", core).rstrip("-_ ")
        if shorter == core or len(shorter) < 4:
            break
        core = shorter
    caps = core.endswith("H") or (core.islower() and core.endswith("h"))
    return enc, caps


def font_encoding(font_name: str | None) -> Encoding | None:
    """Legacy encoding implied by a font name (".VnTime" → tcvn3, "VNI-Times" → vni).

    Accepts PDF forms: subset prefix "ABCDEF+.VnTime", a lost or mangled dot
    ("VnTime", "-VnTime"), style suffixes (".VnTime-Bold", "VnTimeH,Bold").
    """
    return _font_info(font_name)[0]


def font_is_caps(font_name: str | None) -> bool:
    """True for a TCVN3 capitals font (.VnTimeH, .VnArialH...): all letters uppercase."""
    return _font_info(font_name)[1]


# ------------------------------------------------------------ syllable check

_ONSET = (
    "ngh(?=[eêi])|gh(?=[eêi])|ng(?![eêi])|nh|ch|gi|kh|ph|qu|th|tr"
    "|k(?=[eêiy])|c(?![eêiy])|g(?![eê])|b|d|đ|h|l|m|n|p|r|s|t|v|x"
)
_CODA = "ng|(?<=[aêiy])(?:nh|ch)|c|m|n|p|t"
# Vowel groups by what may follow them, with the positions that may carry the
# tone (0 = first vowel). Both tone conventions pass (hòa/hoà, thủy/thuỷ); a tone
# on the wrong vowel ("heọ", "cuỷa": VNI text read as TCVN3) does not.
_OPEN = {  # no final consonant
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ua ưa": "0",
    "uơ iêu yêu oai oay oao oeo uây uôi ươi ươu uyu": "1",
    "uya": "",
}
_CLOSED = {"ă â": "0", "iê yê uô ươ oă uâ oo": "1", "uyê": "2"}  # final consonant needed
_FREE = {"a e ê i o ô ơ u ư y": ("0", "0"), "oa oe uê uy": ("01", "1")}  # either; (open, closed)


def _alt(groups) -> str:
    return "|".join(sorted((w for g in groups for w in g.split()), key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"(?P<onset>{_ONSET})?(?:(?P<open>{_alt(_OPEN)})|(?P<closed>{_alt(_CLOSED)})(?:{_CODA})"
    rf"|(?P<free>{_alt(_FREE)})(?P<coda>{_CODA})?)"
)
_TONE_AT: dict[tuple[str, bool], str] = {}
for _g, _at in _OPEN.items():
    _TONE_AT.update({(v, False): _at for v in _g.split()})
for _g, _at in _CLOSED.items():
    _TONE_AT.update({(v, True): _at for v in _g.split()})
for _g, (_o, _c) in _FREE.items():
    _TONE_AT.update({(v, False): _o for v in _g.split()})
    _TONE_AT.update({(v, True): _c for v in _g.split()})

_TONE_SET = frozenset(_TONE_MARKS.values()) - {""}
_STOP_TONES = frozenset({_TONE_MARKS["acute"], _TONE_MARKS["dot_below"]})
_OO_TONES = frozenset({_TONE_MARKS["acute"], _TONE_MARKS["grave"]})  # goòng, soóc


def _is_syllable(word: str) -> bool:
    """A Vietnamese syllable in lower, Title or UPPER case ("Kế", "HOẠCH")."""
    if not word or len(word) > 7:
        return False
    lower = word.lower()
    if not (word == lower or word == word.upper() or (word[0].isupper() and word[1:] == lower[1:])):
        return False
    letters: list[str] = []
    tone, tone_at = "", -1
    for c in unicodedata.normalize("NFD", lower):
        if c in _TONE_SET:
            if tone:
                return False
            tone, tone_at = c, len(letters) - 1
        elif unicodedata.combining(c) and letters:
            letters[-1] += c
        else:
            letters.append(c)
    base = _nfc("".join(letters))
    m = _SYLLABLE.fullmatch(base)
    if not m:
        return False
    vowel = m["open"] or m["closed"] or m["free"]
    closed = not m["open"] and (bool(m["closed"]) or bool(m["coda"]))
    if not tone:
        return True
    # a syllable closed by c, ch, p or t takes only the acute or the dot below
    if base[-1] in "cpt" or base.endswith("ch"):
        if tone not in _STOP_TONES:
            return False
    if vowel == "oo" and tone not in _OO_TONES:
        return False
    offset = tone_at - len(m["onset"] or "")
    return str(offset) in _TONE_AT[vowel, closed]


def _is_word(token: str) -> bool:
    return all(_is_syllable(part) for part in token.split("-"))


# ------------------------------------------------------------------- detection

# Letters only Unicode Vietnamese uses (ă đ ĩ ũ ơ ư, ạ...ỹ, combining marks): a
# legacy run cannot contain them.
_UNICODE_VIET = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u0300-\u036f\u1ea0-\u1ef9]"
)
_LEGACY_CHAR = re.compile("[\u00a1-\u00af\u00b5-\u00ff]")
# A word: letters plus the Latin-1 characters the encodings use (not ° ± ² ³ ´).
_TOKEN = re.compile("[A-Za-z\u00a1-\u00af\u00b5-\u00ff]+(?:-[A-Za-z\u00a1-\u00af\u00b5-\u00ff]+)*")
_ASCII_LETTER = re.compile("[A-Za-z]")


def _mixed_tokens(text: str) -> list[str]:
    """Words holding an ASCII letter and, past their first character, a Latin-1
    one: the only words that can tell legacy text from Unicode (a lone "©" or
    "Ñ" tells nothing, nor does a unit such as "µm")."""
    return [t for t in _TOKEN.findall(text) if not t[1:].isascii() and _ASCII_LETTER.search(t)]


def _interior_symbol(token: str) -> bool:
    """A Latin-1 non-letter between letters ("ho¹ch", "Ph¸t"): TCVN3, not chance."""
    return any(not unicodedata.category(c).startswith("L") for c in token[1:-1] if not c.isascii())


@lru_cache(maxsize=65536)
def _votes(token: str) -> tuple[bool, bool, bool]:
    """Is the word a Vietnamese syllable as it stands, read as TCVN3, read as VNI?
    Cached: a few thousand syllables make up nearly all Vietnamese text."""
    return _is_word(token), _is_word(to_unicode(token, "tcvn3")), _is_word(to_unicode(token, "vni"))


def looks_legacy(text: str) -> Encoding | None:
    """Legacy encoding the text itself is written in, or None.

    Conservative by design, since a false conversion ruins a correct document:
    text containing any Unicode-only Vietnamese letter is Unicode; otherwise each
    word with an ASCII letter and a Latin-1 character votes. It is evidence for an
    encoding when it is not a Vietnamese syllable as it stands but decodes to one,
    and against it when the decoding is no syllable. An encoding needs two pieces
    of evidence, at least twice as much evidence as counter-evidence and a better
    balance than the other encoding; a lone TCVN3 word is enough only when a
    Latin-1 symbol sits inside it ("Ph¸t") and nothing speaks against it.
    """
    if text.isascii() or _UNICODE_VIET.search(text) or not _LEGACY_CHAR.search(text):
        return None
    evidence = dict.fromkeys(ENCODINGS, 0)
    against = dict.fromkeys(ENCODINGS, 0)
    strong = False
    for token in _mixed_tokens(text):
        plain, *decoded = _votes(token)
        for enc, ok in zip(ENCODINGS, decoded, strict=True):
            if not ok:
                against[enc] += 1
            elif not plain:
                evidence[enc] += 1
                strong = strong or (enc == "tcvn3" and _interior_symbol(token))
    net = {enc: evidence[enc] - against[enc] for enc in ENCODINGS}
    best, other = sorted(ENCODINGS, key=net.__getitem__, reverse=True)
    if net[best] <= net[other]:
        return None
    if evidence[best] >= 2 and evidence[best] >= 2 * against[best]:
        return best
    if best == "tcvn3" and evidence[best] == 1 and against[best] == 0 and strong:
        return best
    return None


# Codes of each encoding that Unicode Vietnamese never uses ("¸" in TCVN3, "ï" in
# VNI): a legacy-font run holding one cannot be Unicode already.
_LATIN1_VIETNAMESE = frozenset(c for c in VIETNAMESE_LETTERS if ord(c) < 0x100)
_TELLTALE = {
    enc: re.compile("[" + re.escape("".join(sorted(codes - _LATIN1_VIETNAMESE))) + "]")
    for enc, codes in (
        ("tcvn3", {chr(k) for k in _TCVN3_DECODE if k >= 0xA0}),
        ("vni", set(_VNI_MARKS) | set(_VNI_SINGLES)),
    )
}


def _reads_as_unicode(text: str, encoding: Encoding) -> bool:
    """Text in a legacy-named font that is better Vietnamese as it stands
    ("có các" typed in Unicode into a .VnTime paragraph)."""
    if _TELLTALE[encoding].search(text):
        return False
    index = 1 + ENCODINGS.index(encoding)
    plain = decoded = 0
    for token in _mixed_tokens(text):
        votes = _votes(token)
        plain += votes[0]
        decoded += votes[index]
    return plain > decoded


def decode_run(text: str, font_name: str | None) -> tuple[str, Encoding | None]:
    """Unicode text of one DOCX run / PDF span, and the legacy encoding decoded.

    A legacy font name decides (".VnTimeH" also uppercases), unless the text is
    plainly Unicode already (Unicode-only Vietnamese letters, or its words read
    better undecoded): then (text, None). ASCII text in a legacy font is returned
    with that encoding (it may still change: capitals font, lost ư). Without a
    legacy font name, `looks_legacy` decides; ASCII and Unicode Vietnamese take a
    fast path and come back as (text, None).
    """
    if not text:
        return text, None
    enc, caps = _font_info(font_name)
    if enc is not None:
        if _UNICODE_VIET.search(text) or (not text.isascii() and _reads_as_unicode(text, enc)):
            return text, None
        return to_unicode(text, enc, caps), enc
    if text.isascii() or _UNICODE_VIET.search(text):
        return text, None
    found = looks_legacy(text)
    if found is None:
        return text, None
    return to_unicode(text, found), found
