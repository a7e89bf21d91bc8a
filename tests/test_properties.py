"""Properties of the small parsers every document goes through: no input crashes them,
and what they read back is what was written.

(The deadline grammar and the legacy-encoding converter have their own properties in
test_deadlines.py and test_legacy_fonts.py.)
"""

from __future__ import annotations

import math
import unicodedata

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from extract.headings import (LEVEL_ARABIC, LEVEL_DECIMAL2, LEVEL_DECIMAL3, LEVEL_LETTER, LEVEL_PART, LEVEL_ROMAN,
                              parse_heading_number, roman_value)
from extract.quantities import find_quantities, parse_number
from ingest.legacy_fonts import VIETNAMESE_LETTERS
from ingest.normalize import clean, fold, fold_aligned, tone_convention

# ------------------------------------------------------------------ strategies

LETTERS = VIETNAMESE_LETTERS + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
words = st.text(alphabet=LETTERS, min_size=1, max_size=8)
# Title-like text: capitalised Vietnamese words ("Mục tiêu", "NHIỆM VỤ, GIẢI PHÁP").
titles = st.lists(words, min_size=1, max_size=6).map(" ".join).map(lambda t: t[:1].upper() + t[1:])
# Text near the grammar: numbering tokens, punctuation, spaces, Vietnamese words.
TOKENS = ["I", "II", "IV", "V", "X", "XI", "1", "2.", "1.1", "1.2.3", "a)", "đ)", "b.", "A.", "Phần", "PHẦN",
          "thứ", "THỨ", "nhất", "hai", ".", ")", "/", ":", "-", "–", " ", "  ", "\t", "\n", "Mục", "tiêu",
          "2025", "%", "phần trăm", "đạt", "trên", "dưới", "tối thiểu", "1.000", "92,5", "0,5", "01", "trung tâm"]
near_misses = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=14).map("".join)
ROMAN_DIGITS = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def to_roman(n: int) -> str:
    out = ""
    for value, digits in ROMAN_DIGITS:
        while n >= value:
            out += digits
            n -= value
    return out


def vietnamese_number(n: int) -> str:
    """1234567 → "1.234.567" (thousands dots, as Vietnamese documents write)."""
    return f"{n:,}".replace(",", ".")


# ------------------------------------------------------------------ headings

@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), near_misses))
def test_heading_parser_never_raises(text: str) -> None:
    h = parse_heading_number(text)
    if h is not None:
        assert h.level in (LEVEL_PART, LEVEL_ROMAN, LEVEL_ARABIC, LEVEL_DECIMAL2, LEVEL_DECIMAL3, LEVEL_LETTER)
        assert h.value and all(isinstance(v, int) and v > 0 for v in h.value)
        assert h.title == h.title.strip()


@given(st.integers(1, 39))
def test_roman_value_round_trips(n: int) -> None:
    assert roman_value(to_roman(n)) == n
    assert roman_value(to_roman(n).lower()) == n


@given(st.text(alphabet="IVXLC", min_size=1, max_size=6))
def test_roman_value_only_of_well_formed_numerals(s: str) -> None:
    value = roman_value(s)
    assert value is None or to_roman(value) == s


@given(st.integers(1, 39), titles, st.sampled_from([".", ")", ":", " -", "/"]))
def test_roman_heading_reads_number_and_title(n: int, title: str, punct: str) -> None:
    assume(len(to_roman(n)) <= 5)  # the grammar reads numerals of up to five letters (XXVII, not XXVIII)
    h = parse_heading_number(f"{to_roman(n)}{punct} {title}")
    assert (h.kind, h.level, h.number, h.value, h.title) == ("roman", LEVEL_ROMAN, to_roman(n), (n,), title)


@given(st.integers(1, 99), titles, st.sampled_from([".", ")"]))
def test_arabic_heading(n: int, title: str, punct: str) -> None:
    h = parse_heading_number(f"{n}{punct} {title}")
    assert (h.kind, h.level, h.value, h.title) == ("arabic", LEVEL_ARABIC, (n,), title)


@given(st.lists(st.integers(1, 99), min_size=2, max_size=3), titles, st.booleans())
def test_decimal_heading(parts: list[int], title: str, trailing_dot: bool) -> None:
    number = ".".join(map(str, parts))
    h = parse_heading_number(f"{number}{'.' if trailing_dot else ''} {title}")
    level = LEVEL_DECIMAL2 if len(parts) == 2 else LEVEL_DECIMAL3
    assert (h.kind, h.level, h.number, h.value, h.title) == ("decimal", level, number, tuple(parts), title)


@given(st.sampled_from("abcdeghiklmnopqrstuvxyđ"), titles)
def test_letter_heading(letter: str, title: str) -> None:
    h = parse_heading_number(f"{letter}) {title}")
    assert (h.kind, h.level, h.number, h.title) == ("letter", LEVEL_LETTER, letter, title)


@given(st.integers(1, 9), st.sampled_from(["Phần", "PHẦN", "Phần thứ"]), titles)
def test_part_heading(n: int, word: str, title: str) -> None:
    h = parse_heading_number(f"{word} {to_roman(n)}. {title}")
    assert h.kind == "part" and h.level == LEVEL_PART and h.value == (n,) and h.title == title


# ------------------------------------------------------------------ numbers and quantities

@settings(max_examples=300)
@given(st.one_of(st.text(max_size=20), near_misses))
def test_parse_number_never_raises(text: str) -> None:
    value = parse_number(text)
    assert value is None or isinstance(value, float)


@given(st.integers(0, 10**12))
def test_parse_number_reads_thousands_separators(n: int) -> None:
    assert parse_number(vietnamese_number(n)) == n
    assert parse_number(f"{n:,}") == n  # English thousands commas, as pasted from spreadsheets
    assert parse_number(str(n)) == n


@given(st.integers(0, 999), st.integers(0, 99), st.booleans())
def test_parse_number_reads_decimal_comma_and_point(whole: int, frac: int, two_digits: bool) -> None:
    digits = f"{frac:02d}" if two_digits else str(frac % 10)
    expected = float(f"{whole}.{digits}")
    assert parse_number(f"{whole},{digits}") == expected
    assert parse_number(f"{whole}.{digits}") == expected


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), near_misses))
def test_find_quantities_never_raises_and_spans_match(text: str) -> None:
    found = find_quantities(text)
    for q in found:
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start:q.end] == q.text
        assert math.isfinite(q.value) and q.comparator in (">=", ">", "=", "<=", "<")
    assert [q.start for q in found] == sorted(q.start for q in found)


COMPARATORS = [("tối thiểu", ">="), ("ít nhất", ">="), ("không dưới", ">="), ("trên", ">"), ("hơn", ">"),
               ("tối đa", "<="), ("không quá", "<="), ("dưới", "<"), ("đạt", ">="), ("", ">=")]
LEADS = ["Tỷ lệ hồ sơ trực tuyến toàn trình", "Phấn đấu có", "Số xã có điểm phục vụ", "Doanh nghiệp nhỏ và vừa"]
TAILS = ["", " số xã", " trong năm", ".", "; còn lại"]


@given(st.sampled_from(LEADS), st.sampled_from(COMPARATORS), st.integers(0, 1000), st.integers(0, 9),
       st.sampled_from(["%", " %", " phần trăm"]), st.sampled_from(TAILS))
@example("Tỷ lệ", ("trên", ">"), 50, 0, "%", " số xã")
def test_percentage_target_is_read_back(lead: str, cmp: tuple[str, str], whole: int, tenth: int, sign: str,
                                        tail: str) -> None:
    word, op = cmp
    written = f"{whole},{tenth}" if tenth else str(whole)
    text = f"{lead} {word} {written}{sign}{tail}".replace("  ", " ")
    (q,) = [q for q in find_quantities(text) if q.unit == "%"]
    assert q.value == whole + tenth / 10
    assert q.comparator == op
    assert q.explicit == (op != ">=" or word not in ("", "đạt"))


# ------------------------------------------------------------------ normalisation

@settings(max_examples=400)
@given(st.text())
@example("hoà  bình ,  khoẻ")
@example("a\u0301\u0323")
def test_clean_is_idempotent_nfc_and_trimmed(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip() and "  " not in once


@given(st.text())
def test_clean_ignores_the_normal_form_of_its_input(text: str) -> None:
    assert clean(unicodedata.normalize("NFD", text)) == clean(text)


# (as the tone convention writes it, the other habit) for open oa/oe/uy syllables; other words stay as they are
TONED = [("hòa", "hoà"), ("Hòa", "Hoà"), ("HÒA", "HOÀ"), ("khỏe", "khoẻ"), ("thủy", "thuỷ"), ("xóa", "xoá"),
         ("hóa", "hoá"), ("họa", "hoạ"), ("lũy", "luỹ"), ("tòa", "toà"), ("quý", "quý"), ("hoạch", "hoạch"),
         ("toàn", "toàn"), ("quyết", "quyết"), ("hoặc", "hoặc"), ("Quảng", "Quảng"), ("khuyến", "khuyến")]


@given(st.lists(st.sampled_from(TONED), max_size=10), st.sampled_from([" ", ", ", " - ", "\n"]))
def test_clean_settles_on_one_tone_convention(pairs: list[tuple[str, str]], sep: str) -> None:
    new = clean(sep.join(n for n, _ in pairs))
    assert clean(sep.join(o for _, o in pairs)) == new
    assert clean(unicodedata.normalize("NFD", sep.join(o for _, o in pairs))) == new
    assert new.split() == clean(sep.join(n for n, _ in pairs)).split() and all(n in new for n, _ in pairs)


@settings(max_examples=400)
@given(st.text())
@example("Định danh  ĐIỆN TỬ")
def test_fold_is_idempotent_and_plain(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert not any(unicodedata.combining(c) for c in once)
    assert once == once.lower() or not once.isascii()


@given(st.text())
def test_fold_ignores_tone_placement_and_normal_form(text: str) -> None:
    assert fold(tone_convention(text)) == fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@settings(max_examples=400)
@given(st.text())
def test_fold_aligned_keeps_every_offset(text: str) -> None:
    assert len(fold_aligned(text)) == len(text)


@given(st.lists(words, min_size=1, max_size=6).map(" ".join))
def test_fold_aligned_agrees_with_fold_on_words(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    assume(text == text.strip())
    assert fold_aligned(text) == fold(text)
    assert fold_aligned("Đ") == fold("Đ") == "d"
