"""Legacy TCVN3 / VNI text → Unicode: tables, detection, real DOCX and PDF runs."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.legacy_fonts import (
    ENCODINGS,
    VIETNAMESE_LETTERS,
    decode_run,
    font_encoding,
    font_is_caps,
    from_unicode,
    from_unicode_runs,
    looks_legacy,
    to_unicode,
)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


UNTONED_CAPITALS = "ĂÂÊÔƠƯĐ"
# uppercase letters with a tone: TCVN3 writes them only in a capitals font
CAPS_ONLY = "".join(c for c in VIETNAMESE_LETTERS if c.isupper() and c not in UNTONED_CAPITALS)

# Known sentences, legacy forms typed from the published code tables.
SENTENCES = {
    "Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2025": {
        "tcvn3": "KÕ ho¹ch chuyÓn ®æi sè tØnh Qu¶ng TrÞ n¨m 2025",
        "vni": "Keá hoaïch chuyeån ñoåi soá tænh Quaûng Trò naêm 2025",
    },
    "Sở Thông tin và Truyền thông chủ trì, phối hợp…": {
        "tcvn3": "Së Th«ng tin vµ TruyÒn th«ng chñ tr×, phèi hîp…",
        "vni": "Sôû Thoâng tin vaø Truyeàn thoâng chuû trì, phoái hôïp…",
    },
    "Điều 1. Được ưu tiên": {
        "tcvn3": "§iÒu 1. §\xadîc \xadu tiªn",
        "vni": "Ñieàu 1. Ñöôïc öu tieân",
    },
}


# ------------------------------------------------------------------ the tables


def test_letter_inventory() -> None:
    assert len(VIETNAMESE_LETTERS) == 134 == len(set(VIETNAMESE_LETTERS))
    assert sum(c.islower() for c in VIETNAMESE_LETTERS) == 67
    assert all(nfc(c) == c and not c.isascii() for c in VIETNAMESE_LETTERS)
    assert {c.lower() for c in VIETNAMESE_LETTERS if c.isupper()} == {c for c in VIETNAMESE_LETTERS if c.islower()}
    assert len(CAPS_ONLY) == 60


def test_tcvn3_codes_are_distinct_single_characters() -> None:
    lower = [c for c in VIETNAMESE_LETTERS if c.islower()] + list(UNTONED_CAPITALS)
    codes = [from_unicode(c, "tcvn3") for c in lower]
    assert all(len(code) == 1 and 0xA1 <= ord(code) <= 0xFE for code in codes)
    assert len(set(codes)) == 74


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_tcvn3_table_matches_glibc_tcvn5712() -> None:
    """glibc's TCVN5712-1 is an independent implementation of the same standard."""
    letters = [c for c in VIETNAMESE_LETTERS if c.islower()] + list(UNTONED_CAPITALS)
    legacy = " ".join(from_unicode(c, "tcvn3") for c in letters).encode("latin-1")
    done = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=legacy, capture_output=True)
    if done.returncode != 0:
        pytest.skip("iconv lacks TCVN5712-1")
    assert done.stdout.decode("utf-8").split(" ") == letters


# The published charts, transcribed as characters (the data file uses hex codes).
REFERENCE = {
    "vni": {
        "a á à ả ã ạ": "a aù aø aû aõ aï",
        "ă ắ ằ ẳ ẵ ặ": "aê aé aè aú aü aë",
        "â ấ ầ ẩ ẫ ậ": "aâ aá aà aå aã aä",
        "e é è ẻ ẽ ẹ": "e eù eø eû eõ eï",
        "ê ế ề ể ễ ệ": "eâ eá eà eå eã eä",
        "i í ì ỉ ĩ ị": "i í ì æ ó ò",
        "o ó ò ỏ õ ọ": "o où oø oû oõ oï",
        "ô ố ồ ổ ỗ ộ": "oâ oá oà oå oã oä",
        "ơ ớ ờ ở ỡ ợ": "ô ôù ôø ôû ôõ ôï",
        "u ú ù ủ ũ ụ": "u uù uø uû uõ uï",
        "ư ứ ừ ử ữ ự": "ö öù öø öû öõ öï",
        "y ý ỳ ỷ ỹ ỵ": "y yù yø yû yõ î",
        "đ Đ": "ñ Ñ",
    },
    "tcvn3": {
        "a á à ả ã ạ": "a ¸ µ ¶ · ¹",
        "ă ắ ằ ẳ ẵ ặ": "¨ ¾ » ¼ ½ Æ",
        "â ấ ầ ẩ ẫ ậ": "© Ê Ç È É Ë",
        "e é è ẻ ẽ ẹ": "e Ð Ì Î Ï Ñ",
        "ê ế ề ể ễ ệ": "ª Õ Ò Ó Ô Ö",
        "i í ì ỉ ĩ ị": "i Ý × Ø Ü Þ",
        "o ó ò ỏ õ ọ": "o ã ß á â ä",
        "ô ố ồ ổ ỗ ộ": "« è å æ ç é",
        "ơ ớ ờ ở ỡ ợ": "¬ í ê ë ì î",
        "u ú ù ủ ũ ụ": "u ó ï ñ ò ô",
        "ư ứ ừ ử ữ ự": "\xad ø õ ö ÷ ù",
        "y ý ỳ ỷ ỹ ỵ": "y ý ú û ü þ",
        "đ Ă Â Ê Ô Ơ Ư Đ": "® ¡ ¢ £ ¤ ¥ ¦ §",
    },
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_tables_match_published_charts(encoding: str) -> None:
    for letters, codes in REFERENCE[encoding].items():
        for letter, code in zip(letters.split(), codes.split(" "), strict=True):
            assert from_unicode(letter, encoding) == code, letter
            assert to_unicode(code, encoding) == letter
            if encoding == "vni":
                assert from_unicode(letter.upper(), "vni") == code.upper()
                assert to_unicode(code.upper(), "vni") == letter.upper()
    covered = {c for letters in REFERENCE[encoding] for c in letters.split()}
    assert {c for c in VIETNAMESE_LETTERS if c.islower()} <= covered


def test_vni_marks_are_consistent_across_base_letters() -> None:
    """Each tone (and circumflex + tone) is the same trailing character on every base."""
    lower = [c for c in VIETNAMESE_LETTERS if c.islower()]
    mark_of: dict[str, set[str]] = {}
    for c in lower:
        code = from_unicode(c, "vni")
        base = unicodedata.normalize("NFD", c)[0]
        if len(code) == 2 and code[0] == base:
            mark_of.setdefault(unicodedata.normalize("NFD", c)[1:], set()).add(code[1])
    assert all(len(marks) == 1 for marks in mark_of.values()), mark_of
    assert len(mark_of) == 5 + 6 + 6  # tones, circumflex (+tone), breve (+tone)
    assert {from_unicode(c, "vni") for c in "ơưđỵíìỉĩị"} == {"ô", "ö", "ñ", "î", "í", "ì", "æ", "ó", "ò"}


@pytest.mark.parametrize("letter", list(VIETNAMESE_LETTERS))
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_letter_round_trips(letter: str, encoding: str) -> None:
    runs = from_unicode_runs(letter, encoding)
    assert "".join(to_unicode(t, encoding, caps=c) for t, c in runs) == letter
    if encoding == "vni" or letter not in CAPS_ONLY:
        assert to_unicode(from_unicode(letter, encoding), encoding) == letter
    else:  # lowercase code, capitals font
        assert runs == [(from_unicode(letter.lower(), "tcvn3"), True)]


@pytest.mark.parametrize("unicode_text", list(SENTENCES))
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_known_sentences(unicode_text: str, encoding: str) -> None:
    legacy = SENTENCES[unicode_text][encoding]
    assert from_unicode(unicode_text, encoding) == legacy
    assert to_unicode(legacy, encoding) == unicode_text
    assert looks_legacy(legacy) == encoding
    assert decode_run(legacy, None) == (unicode_text, encoding)


def test_uppercase_heading() -> None:
    assert from_unicode("ỦY BAN NHÂN DÂN", "vni") == "UÛY BAN NHAÂN DAÂN"
    assert to_unicode("UÛY BAN NHAÂN DAÂN", "vni") == "ỦY BAN NHÂN DÂN"
    assert to_unicode("KEÁ HOAÏCH", "vni") == "KẾ HOẠCH"
    runs = from_unicode_runs("ỦY BAN NHÂN DÂN", "tcvn3")
    assert runs == [("ñy ban nh©n d©n", True)]
    assert to_unicode("ñy ban nh©n d©n", "tcvn3", caps=True) == "ỦY BAN NHÂN DÂN"
    assert decode_run("ñy ban nh©n d©n", ".VnTimeH") == ("ỦY BAN NHÂN DÂN", "tcvn3")
    # mixed case: the capitals run stops where lowercase starts
    runs = from_unicode_runs("TỈNH Quảng Trị", "tcvn3")
    assert [caps for _, caps in runs] == [True, False]
    assert "".join(to_unicode(t, "tcvn3", caps=c) for t, c in runs) == "TỈNH Quảng Trị"


def test_from_unicode_normalises_and_passes_other_characters() -> None:
    decomposed = unicodedata.normalize("NFD", "Kế hoạch")
    assert from_unicode(decomposed, "tcvn3") == "KÕ ho¹ch"
    assert from_unicode("x € → y", "vni") == "x € → y"
    assert from_unicode_runs("", "tcvn3") == []


# ------------------------------------------------------------ PDF extraction forms


def test_c1_controls_read_as_windows_punctuation() -> None:
    # bytes 0x93/0x94/0x96 as C1 controls (raw PDF codes) or as cp1252 characters
    assert to_unicode("\x93KÕ ho¹ch\x94 \x96 n¨m", "tcvn3") == "“Kế hoạch” – năm"
    assert to_unicode("“KÕ ho¹ch” – n¨m", "tcvn3") == "“Kế hoạch” – năm"
    assert to_unicode("\x93Keá hoaïch\x94", "vni") == "“Kế hoạch”"


def test_lost_soft_hyphen_becomes_u_horn_again() -> None:
    """WinAnsi PDFs turn TCVN3 ư (0xAD, soft hyphen) into '-'."""
    text = "tr-êng, nh- thÕ, ch-a, H-ng Yªn, -u tiªn, n-íc, Bé T- ph¸p"
    assert to_unicode(text, "tcvn3") == "trường, như thế, chưa, Hưng Yên, ưu tiên, nước, Bộ Tư pháp"
    kept = "COVID-19, e-mail, KH-CN, 2021-2025, Hµ Néi - H¶i Phßng, kinh tÕ-x· héi, chung- n¨m, -T¨ng"
    assert to_unicode(kept, "tcvn3") == (
        "COVID-19, e-mail, KH-CN, 2021-2025, Hà Nội - Hải Phòng, kinh tế-xã hội, chung- năm, -Tăng"
    )
    assert to_unicode("tr\xadêng", "tcvn3") == "trường"


# --------------------------------------------------------------------- font names


@pytest.mark.parametrize(
    ("name", "encoding", "caps"),
    [
        (".VnTime", "tcvn3", False),
        (".VnTimeH", "tcvn3", True),
        (".VNTimeH", "tcvn3", True),
        ("VnTime", "tcvn3", False),
        ("ABCDEF+.VnTime", "tcvn3", False),
        ("ABCDEF+.VnTimeH", "tcvn3", True),
        ("-VnTime", "tcvn3", False),
        (".VnTime-Bold", "tcvn3", False),
        (".VnTimeH-BoldItalic", "tcvn3", True),
        ("VnTimeH,Bold", "tcvn3", True),
        (".VnArial", "tcvn3", False),
        (".VnArialH", "tcvn3", True),
        (".VnArial NarrowH", "tcvn3", True),
        (".VnCentury Schoolbook", "tcvn3", False),
        (".VnBook-AntiquaH", "tcvn3", True),
        ("VNI-Times", "vni", False),
        ("VNI-Times-Bold", "vni", False),
        ("VNI-Times,Bold", "vni", False),
        ("ABCDEF+VNI-Helve", "vni", False),
        ("VNI-Aptima", "vni", False),
        ("VniHelvetica", "vni", False),
        ("Times New Roman", None, False),
        ("TimesNewRomanPSMT", None, False),
        ("Arial", None, False),
        ("Arial,Bold", None, False),
        ("Calibri", None, False),
        ("Symbol", None, False),
        ("SVN-Times New Roman", None, False),
        ("", None, False),
        (None, None, False),
    ],
)
def test_font_names(name: str | None, encoding: str | None, caps: bool) -> None:
    assert font_encoding(name) == encoding
    assert font_is_caps(name) is caps


# ---------------------------------------------------------------------- detection

NOT_LEGACY = [
    "Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2025",
    "ỦY BAN NHÂN DÂN",
    "có các",
    "Thông tin và truyền thông",
    "Công an",
    "Tôi là ai",
    "hoà bình",
    "Digital transformation plan 2025",
    "25°C ± 2",
    "§ 3",
    "½ cup",
    "© 2024 UBND",
    "• Mục tiêu",
    "• item",
    "Café",
    "Ñ",
    "Café au lait, naïve résumé in Zürich",
    "Ñandú and Señor Muñoz",
    "São Paulo, Genève, Malmö",
    "Où est la forêt? Là-bas, près de l'église.",
    "Grüße aus Köln für Jürgen Müller",
    "5 µm and 10 µm",
    "«Hello» said él",
    "ÀÁÂÃÈÉ",
    "12345 - 678",
    "“quoted” – dash … ellipsis",
]


@pytest.mark.parametrize("text", NOT_LEGACY)
def test_no_detection_on_ordinary_text(text: str) -> None:
    assert looks_legacy(text) is None
    assert decode_run(text, None) == (text, None)
    assert decode_run(text, "Times New Roman") == (text, None)


@pytest.mark.parametrize(
    ("legacy", "encoding", "expected"),
    [
        ("KÕ ho¹ch chuyÓn ®æi sè", "tcvn3", "Kế hoạch chuyển đổi số"),
        ("Hµ Néi", "tcvn3", "Hà Nội"),
        ("Ph¸t triÓn", "tcvn3", "Phát triển"),
        ("Keá hoaïch chuyeån ñoåi soá", "vni", "Kế hoạch chuyển đổi số"),
        ("Trieån khai thöïc hieän", "vni", "Triển khai thực hiện"),
    ],
)
def test_detection_of_short_legacy_phrases(legacy: str, encoding: str, expected: str) -> None:
    assert looks_legacy(legacy) == encoding
    assert decode_run(legacy, None) == (expected, encoding)


def test_legacy_font_with_unicode_text_is_left_alone() -> None:
    """Unicode typed into a .VnTime paragraph keeps the font name."""
    assert decode_run("Kế hoạch", ".VnTime") == ("Kế hoạch", None)
    assert decode_run("có các", ".VnTime") == ("có các", None)
    assert decode_run("CÔNG AN", ".VnTimeH") == ("CÔNG AN", None)
    assert decode_run("Số", "VNI-Times") == ("Số", None)


def test_legacy_font_decides_short_runs() -> None:
    assert decode_run("sè", ".VnTime") == ("số", "tcvn3")
    assert decode_run("KÕ", ".VnTime-Bold") == ("Kế", "tcvn3")
    assert decode_run("soá", "VNI-Times") == ("số", "vni")
    assert decode_run("2025", ".VnTime") == ("2025", "tcvn3")
    assert decode_run("uy ban", ".VnTimeH") == ("UY BAN", "tcvn3")
    assert decode_run("", ".VnTime") == ("", None)


# ---------------------------------------------------------------------- properties

PUNCT = " .,;:!?()/%\"'0123456789"
ALL_CHARS = VIETNAMESE_LETTERS + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + PUNCT
FONT_NAMES = [None, "", ".VnTime", ".VnTimeH", "VNI-Times", "Times New Roman", "ABCDEF+.VnArialH"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALL_CHARS, max_size=60))
def test_vni_round_trip(s: str) -> None:
    assert to_unicode(from_unicode(s, "vni"), "vni") == nfc(s)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="".join(c for c in ALL_CHARS if c not in CAPS_ONLY), max_size=60))
def test_tcvn3_round_trip_without_toned_capitals(s: str) -> None:
    assert to_unicode(from_unicode(s, "tcvn3"), "tcvn3") == nfc(s)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALL_CHARS, max_size=60))
def test_tcvn3_runs_round_trip(s: str) -> None:
    runs = from_unicode_runs(s, "tcvn3")
    assert "".join(to_unicode(t, "tcvn3", caps=c) for t, c in runs) == nfc(s)
    assert all(t for t, _ in runs)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(ENCODINGS), st.booleans(), st.sampled_from(FONT_NAMES))
def test_never_raises(s: str, encoding: str, caps: bool, font: str | None) -> None:
    assert isinstance(to_unicode(s, encoding, caps), str)
    assert looks_legacy(s) in (None, *ENCODINGS)
    text, enc = decode_run(s, font)
    assert isinstance(text, str) and enc in (None, *ENCODINGS)


# Vietnamese words written with Latin-1 letters only: the hard case for detection,
# since every such letter is also a TCVN3 code.
LATIN1_WORDS = (
    "có các và là cô chú tôi bà ông anh em con cái cây hoa cá gà bò sáng mùa xuân thu hè màu xanh vàng "
    "trên không công thông tin nhân dân cán tài chính hành kinh xã hòa hoà thì mà nào khi trì phí ý sát án "
    "bàn giao nêu rõ vì sao lên trò nhà máy cài mô hình dùng chung tuyên quân sân bay nông thôn hàng tháng "
    "giây phút tên gì nói ít ngày đêm"
).split()
OTHER_WORDS = ["plan", "Café", "naïve", "°C", "±", "§", "½", "©", "•", "Ñ", "2025", "µm", "(", ")", ",", "-"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LATIN1_WORDS + OTHER_WORDS), min_size=1, max_size=12))
def test_unicode_vietnamese_never_detected(words: list[str]) -> None:
    text = " ".join(words)
    assert looks_legacy(text) is None
    assert decode_run(text, None) == (text, None)


def _underthesea_words() -> list[str]:
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(next(iter(spec.submodule_search_locations))) / "corpus" / "data" / "Viet74K.txt"
    return path.read_text(encoding="utf-8").split("\n") if path.exists() else []


def test_dictionary_words_are_never_decoded() -> None:
    words = [w for w in _underthesea_words() if w.strip()]
    if not words:
        pytest.skip("underthesea word list not available")
    wrong = [w for w in words if decode_run(nfc(w), None)[1] is not None]
    assert wrong == []


def test_decode_run_leaves_unicode_text_alone() -> None:
    """~1 MB of Unicode Vietnamese in span-sized pieces, the reader's hot path (speed: make bench)."""
    text = " ".join(list(SENTENCES) * 2 + ["ỦY BAN NHÂN DÂN", "có các", "Digital plan 2025."]) + " "
    spans = [text[i : i + 120] for i in range(0, len(text), 120)]
    spans = spans * (1_000_000 // sum(map(len, spans)) + 1)
    out = [decode_run(s, "TimesNewRomanPSMT") for s in spans]
    assert all(enc is None and t == s for (t, enc), s in zip(out, spans))


# ------------------------------------------------------------------- real files


def test_docx_runs_in_legacy_fonts(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    heading = "Kế hoạch chuyển đổi số"
    body = "Sở Thông tin và Truyền thông chủ trì, phối hợp với các cơ quan, đơn vị."
    title = "ỦY BAN NHÂN DÂN TỈNH Quảng Trị"
    doc = docx.Document()
    p = doc.add_paragraph()
    p.add_run(heading + ": ").font.name = "Times New Roman"
    p.add_run(from_unicode(body, "tcvn3")).font.name = ".VnTime"
    p2 = doc.add_paragraph()
    for legacy, caps in from_unicode_runs(title, "tcvn3"):
        p2.add_run(legacy).font.name = ".VnTimeH" if caps else ".VnTime"
    p3 = doc.add_paragraph()
    p3.add_run(from_unicode(body, "vni")).font.name = "VNI-Times"
    path = tmp_path / "legacy.docx"
    doc.save(str(path))

    read = docx.Document(str(path))
    decoded = []
    for para in read.paragraphs:
        pieces = [decode_run(run.text, run.font.name) for run in para.runs]
        decoded.append(("".join(t for t, _ in pieces), [e for _, e in pieces]))
    assert decoded[0] == (f"{heading}: {body}", [None, "tcvn3"])
    assert decoded[1][0] == title and set(decoded[1][1]) == {"tcvn3"}
    assert decoded[2] == (body, ["vni"])


def test_pdf_spans_in_legacy_fonts(tmp_path: Path) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    lines = [
        ("ỦY BAN NHÂN DÂN", "helv", "/ABCDEF+.VnTimeH", "tcvn3"),
        ("Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2025, trường như ưu tiên", "tiro", "/.VnTime", "tcvn3"),
        ("Sở Thông tin và Truyền thông chủ trì, phối hợp", "cour", "/VNI-Times,Bold", "vni"),
    ]
    doc = pymupdf.open()
    page = doc.new_page()
    for y, (text, base14, _, encoding) in enumerate(lines):
        ((legacy, _caps),) = from_unicode_runs(text, encoding)
        page.insert_text((72, 72 + 24 * y), legacy, fontname=base14, fontsize=11)
    # give the (unembedded, WinAnsi) fonts the names a legacy document carries
    for xref, _ext, _type, _base, ref, *_ in page.get_fonts(full=True):
        new = {base14: name for _, base14, name, _ in lines}.get(ref)
        if new:
            doc.xref_set_key(xref, "BaseFont", new)
    path = tmp_path / "legacy.pdf"
    doc.save(str(path))

    spans = [
        (span["font"], span["text"])
        for block in pymupdf.open(str(path))[0].get_text("dict")["blocks"]
        for line in block["lines"]
        for span in line["spans"]
    ]
    assert [font for font, _ in spans] == [".VnTimeH", ".VnTime", "VNI-Times,Bold"]
    assert "tr-êng" in spans[1][1]  # the soft hyphen came back as a hyphen
    for (font, raw), (text, _, _, encoding) in zip(spans, lines, strict=True):
        assert decode_run(raw, font) == (text, encoding)
        assert decode_run(raw, None)[0].lower() == text.lower()  # content alone (caps unknown)
