"""The fixture writers build real DOCX/PDF/DOC files that look like provincial plans.

Every file is built once per module (one LibreOffice start per format) and then read
back with python-docx and PyMuPDF.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
from docx import Document
from docx.oxml.ns import qn

from fixtures.build import build_many, main as build_main
from fixtures.docx_writer import plan_numbering, write_docx
from fixtures.house_style import heading_text, part_index
from fixtures.pdf_writer import render_direct_pdf, verify_pdf, write_pdf
from fixtures.scan import rasterise_pdf
from fixtures.spec import DocSpec, HeadingEl, ParagraphEl, TableEl, load_spec

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "examples" / "minimal.yaml"
TABLE_HEADER = "Thời gian hoàn thành"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _variant(spec_id: str, long_table: bool = False, **style) -> DocSpec:
    spec = load_spec(EXAMPLE)
    spec.id = spec_id
    spec.style = spec.style.model_copy(update=style)
    if long_table:
        for el in spec.body:
            if isinstance(el, TableEl):
                el.rows = [list(r) for r in el.rows * 12]
                el.row_tasks = [t for t in el.row_tasks * 12]
    return spec


VARIANTS = {
    "bold": dict(headings="bold", long_table=True),
    "autonumber": dict(headings="autonumber"),
    "styled": dict(headings="styled", part_style="ordinal", part_title_newline=True,
                   running_header="Kế hoạch chuyển đổi số năm 2025"),
    "plain": dict(headings="plain", part_style="letter", letterhead="paragraphs", caps_levels=[1]),
    "tcvn3": dict(legacy="tcvn3"),
    "vni": dict(legacy="vni", legacy_scope="body"),
    "vni_all": dict(legacy="vni"),
}


@pytest.fixture(scope="module")
def specs() -> dict[str, DocSpec]:
    return {name: _variant(f"fx-{name}", **opts) for name, opts in VARIANTS.items()}


@pytest.fixture(scope="module")
def built(specs, tmp_path_factory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("built")
    files = build_many(list(specs.values()), out, ["docx", "pdf"])
    doc = build_many([specs["bold"]], out / "doc", ["doc"])
    files[specs["bold"].id]["doc"] = doc[specs["bold"].id]["doc"]
    return {name: files[spec.id] for name, spec in specs.items()}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdf_pages(path: Path) -> list[str]:
    with pymupdf.open(path) as doc:
        return [page.get_text() for page in doc]


def _headings(spec: DocSpec) -> list[str]:
    """Each heading as it must read on the page: number and title."""
    out = []
    for el in spec.body:
        if isinstance(el, HeadingEl):
            ht = heading_text(el, spec.style)
            out += [ht.label, ht.title] if ht.own_line else [ht.inline()]
    return out


def _heading_paragraphs(doc, spec: DocSpec):
    titles = [heading_text(el, spec.style).title for el in spec.body if isinstance(el, HeadingEl)]
    paras = [p for p in doc.paragraphs if p.text.strip()]
    found = []
    for title in titles:
        found.append(next(p for p in paras if p.text.endswith(title)))
    return found


# ---- house style ---------------------------------------------------------------------------

def test_part_numbers_render_in_each_house_style():
    el = HeadingEl(heading="Nội dung kế hoạch năm 2025", number="Phần II", level=1)
    spec = load_spec(EXAMPLE)
    roman = spec.style.model_copy(update={"part_style": "roman", "caps_levels": []})
    assert heading_text(el, roman).inline() == "Phần II. Nội dung kế hoạch năm 2025"
    ordinal = roman.model_copy(update={"part_style": "ordinal", "caps_levels": [1]})
    assert heading_text(el, ordinal).inline() == "PHẦN THỨ HAI. NỘI DUNG KẾ HOẠCH NĂM 2025"
    newline = ordinal.model_copy(update={"part_title_newline": True})
    ht = heading_text(el, newline)
    assert (ht.label, ht.title, ht.own_line) == ("PHẦN THỨ HAI", "NỘI DUNG KẾ HOẠCH NĂM 2025", True)
    letter = roman.model_copy(update={"part_style": "letter"})
    assert heading_text(el, letter).inline() == "B. Nội dung kế hoạch năm 2025"
    assert heading_text(HeadingEl(heading="Kết quả", number="a", level=5), roman).inline() == "a) Kết quả"
    assert heading_text(HeadingEl(heading="Kết quả", number=None, level=3), roman).inline() == "Kết quả"
    assert [part_index(n) for n in ("Phần IV", "PHẦN THỨ BA", "2", "B", "Phụ lục")] == [4, 3, 2, 2, None]


def test_numbering_plan_restarts_under_parts_and_falls_back_when_unreachable():
    H = lambda n, lvl: HeadingEl(heading="x", number=n, level=lvl)  # noqa: E731
    body = [H("Phần I", 1), H("I", 2), H("II", 2), H("1", 3), H("Phần II", 1), H("I", 2),
            H("III", 2), H("1.1", 4), H("1", 3), H("1.1", 4)]
    plan = plan_numbering(body)
    assert 7 not in plan.assign  # "1.1" right under "III": Word would print "0.1."
    assert plan.assign[9] == (plan.assign[8][0], 2)
    # instance 2 restarts the roman level for Phần II, instance 3 jumps to III
    assert [s[0] for s in plan.starts] == [1, 1, 3]


# ---- DOCX ----------------------------------------------------------------------------------

def test_docx_page_setup_and_body_font(built, specs):
    doc = Document(built["bold"]["docx"])
    sec = doc.sections[0]
    assert round(sec.page_width.cm, 1) == 21.0 and round(sec.page_height.cm, 1) == 29.7
    assert [round(m.cm, 1) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == \
        [2.0, 2.0, 3.0, 2.0]
    body = next(p for p in doc.paragraphs if p.text.startswith("Năm 2024, tỷ lệ"))
    assert body.runs[0].font.name == "Times New Roman"
    assert body.runs[0].font.size.pt == specs["bold"].style.font_size
    assert body.paragraph_format.first_line_indent.cm > 1
    assert body.paragraph_format.alignment == 3  # justify
    assert any(p.text == "- Ban hành 05 kế hoạch, 02 quyết định về chuyển đổi số; thành lập Tổ công nghệ số "
               "cộng đồng tại 100% xã, phường, thị trấn." for p in doc.paragraphs)


def test_letterhead_table_is_borderless_two_columns(built, specs):
    doc = Document(built["bold"]["docx"])
    head = doc.tables[0]
    left, right = head.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ", "Số: 245/KH-UBND"]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quảng Trị, ngày 15 tháng 11 năm 2024"]
    agency = [p for p in left.paragraphs if p.text]
    assert not agency[0].runs[0].bold and agency[1].runs[0].bold
    assert all(r.bold for p in right.paragraphs[:2] for r in p.runs)
    assert right.paragraphs[-1].runs[0].italic
    borders = head._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_letterhead_as_paragraphs_keeps_reading_order(built):
    doc = Document(built["plain"]["docx"])
    texts = [p.text.strip() for p in doc.paragraphs if p.text.strip()]
    assert texts[:6] == ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Độc lập - Tự do - Hạnh phúc", "Số: 245/KH-UBND", "Quảng Trị, ngày 15 tháng 11 năm 2024"]
    assert len(doc.tables) == 2  # the body table and the signature, no letterhead table


def test_bold_headings_are_bold_normal_paragraphs_with_numbers(built, specs):
    spec = specs["bold"]
    doc = Document(built["bold"]["docx"])
    paras = _heading_paragraphs(doc, spec)
    assert [p.text for p in paras] == _headings(spec)
    assert paras[0].text == "PHẦN I. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024"
    for p in paras:
        assert p.style.name == "Normal"
        assert all(r.bold for r in p.runs)


def test_plain_headings_carry_no_bold_and_no_style(built, specs):
    spec = specs["plain"]
    doc = Document(built["plain"]["docx"])
    paras = _heading_paragraphs(doc, spec)
    assert paras[0].text == "A. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024"
    assert paras[1].text == "I. Tình hình thực hiện các mục tiêu, chỉ tiêu năm 2024"  # level 2 not in caps_levels
    for p in paras:
        assert p.style.name == "Normal"
        assert not any(r.bold for r in p.runs)


def test_styled_headings_use_black_word_heading_styles(built, specs):
    spec = specs["styled"]
    doc = Document(built["styled"]["docx"])
    levels = {p.text: p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")}
    assert levels["PHẦN THỨ NHẤT"] == "Heading 1"
    assert levels["ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024"] == "Heading 1"
    assert levels["I. TÌNH HÌNH THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU NĂM 2024"] == "Heading 2"
    assert levels["1.1. Công tác xây dựng, ban hành các chương trình, kế hoạch"] == "Heading 4"
    assert levels["a) Kết quả đạt được"] == "Heading 5"
    assert len(levels) == sum(2 if heading_text(e, spec.style).own_line else 1
                              for e in spec.body if isinstance(e, HeadingEl))
    for n in range(1, 6):
        style = doc.styles[f"Heading {n}"]
        assert style.font.bold and style.font.color.rgb == (0, 0, 0)
        assert style.font.name == "Times New Roman"


def test_autonumber_headings_use_word_numbering(built, specs):
    doc = Document(built["autonumber"]["docx"])
    numbering = doc.part.numbering_part.element
    ours = [a for a in numbering.findall(qn("w:abstractNum"))
            if len(a.findall(qn("w:lvl"))) == 4 and a.find(qn("w:multiLevelType")) is not None]
    assert len(ours) == 1
    lvls = ours[0].findall(qn("w:lvl"))
    fmts = [(lv.find(qn("w:numFmt")).get(qn("w:val")), lv.find(qn("w:lvlText")).get(qn("w:val"))) for lv in lvls]
    assert fmts == [("upperRoman", "%1."), ("decimal", "%2."), ("decimal", "%2.%3."), ("lowerLetter", "%4)")]
    assert [lv.find(qn("w:lvlRestart")) is not None for lv in lvls] == [False, True, True, True]
    # Phần II restarts the roman numbers: a second list instance with a startOverride
    overrides = numbering.findall(f".//{qn('w:startOverride')}")
    assert overrides
    by_text = {p.text: p for p in doc.paragraphs}
    first = by_text["TÌNH HÌNH THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU NĂM 2024"]
    num_pr = first._p.pPr.numPr
    assert num_pr.ilvl.val == 0 and num_pr.numId.val > 0
    assert all(r.bold for r in first.runs)
    assert by_text["Kết quả đạt được"]._p.pPr.numPr.ilvl.val == 3
    assert "PHẦN I. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024" in by_text  # parts stay text
    assert not any(p.text.startswith(("I. ", "1. ", "1.1. ", "a) ")) for p in doc.paragraphs)


def test_table_has_repeating_bold_header_and_split_cells(built):
    doc = Document(built["bold"]["docx"])
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT")
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r.bold for c in header.cells for p in c.paragraphs for r in p.runs)
    assert all(p.alignment == 1 for c in header.cells for p in c.paragraphs)  # centred
    cell = table.rows[1].cells[1]
    assert [p.text for p in cell.paragraphs] == ["Xây dựng Kho dữ liệu dùng chung của tỉnh", "Giai đoạn 1: thiết kế"]
    widths = [c.width.cm for c in header.cells]
    assert widths[1] == max(widths) and widths[0] == min(widths)
    borders = doc.styles["Table Grid"].element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert table.style.name == "Table Grid" and borders is not None


def test_signature_block(built):
    doc = Document(built["bold"]["docx"])
    sig = doc.tables[-1]
    left, right = sig.rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:" and left.paragraphs[0].runs[0].italic
    assert [p.text for p in right.paragraphs if p.text] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def test_page_number_field_and_running_header(built):
    doc = Document(built["bold"]["docx"])
    sec = doc.sections[0]
    assert sec.different_first_page_header_footer
    assert "PAGE" in "".join(t.text for t in sec.header._element.iter(qn("w:instrText")))
    styled = Document(built["styled"]["docx"]).sections[0]
    assert styled.header.paragraphs[0].text == "Kế hoạch chuyển đổi số năm 2025"
    assert "PAGE" in "".join(t.text for t in styled.footer._element.iter(qn("w:instrText")))


def test_legacy_runs_use_legacy_fonts_and_decode_back(built, specs):
    from ingest.legacy_fonts import decode_run, from_unicode

    doc = Document(built["tcvn3"]["docx"])
    para = next(p for p in doc.paragraphs if p.runs and p.runs[0].text.startswith("N¨m 2024"))
    assert {r.font.name for r in para.runs} <= {".VnTime", ".VnTimeH"}
    assert "".join(decode_run(r.text, r.font.name)[0] for r in para.runs).startswith("Năm 2024, tỷ lệ hồ sơ")
    capitals = [p.runs[0] for p in doc.paragraphs if p.runs and p.runs[0].font.name == ".VnTimeH"]
    assert [decode_run(r.text, ".VnTimeH")[0] for r in capitals[:2]] == [
        "KẾ HOẠCH", "PHẦN I. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024"]
    lh = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert lh.font.name == ".VnTimeH" and lh.text != "ỦY BAN NHÂN DÂN"
    # legacy_scope "body": the letterhead stays Unicode, the body is VNI
    mixed = Document(built["vni"]["docx"])
    assert mixed.tables[0].rows[0].cells[0].paragraphs[0].text == "ỦY BAN NHÂN DÂN"
    source = next(el.paragraph for el in specs["vni"].body if isinstance(el, ParagraphEl))
    body = next(p for p in mixed.paragraphs if p.text == from_unicode(source, "vni"))
    assert {r.font.name for r in body.runs} == {"VNI-Times"}
    assert decode_run(body.text, "VNI-Times")[0] == source


# ---- PDF through LibreOffice ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["bold", "autonumber", "styled", "plain"])
def test_libreoffice_pdf_shows_every_heading_with_its_number(built, specs, name):
    text = _flat(" ".join(_pdf_pages(built[name]["pdf"])))
    for heading in _headings(specs[name]):
        assert _flat(heading) in text, heading


def test_libreoffice_pdf_keeps_vietnamese_letters_whole(built):
    first = _flat(_pdf_pages(built["bold"]["pdf"])[0])
    for phrase in ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "Quảng Trị, ngày 15 tháng 11 năm 2024", "Chuyển đổi số tỉnh Quảng Trị năm 2025"):
        assert phrase in first


def test_libreoffice_pdf_repeats_table_header_and_numbers_pages(built):
    pages = _pdf_pages(built["bold"]["pdf"])
    with_header = [i for i, t in enumerate(pages) if TABLE_HEADER in _flat(t)]
    assert len(with_header) >= 2 and with_header == list(range(with_header[0], with_header[-1] + 1))
    with pymupdf.open(built["bold"]["pdf"]) as doc:
        for page in doc:
            top = [w[4] for w in page.get_text("words") if w[3] < 2 * 72 / 2.54]
            assert top == ([] if page.number == 0 else [str(page.number + 1)])


def test_running_header_on_every_page_and_numbers_in_footer(built):
    with pymupdf.open(built["styled"]["pdf"]) as doc:
        assert doc.page_count >= 2
        for page in doc:
            words = page.get_text("words")
            top = _flat(" ".join(w[4] for w in words if w[3] < 2 * 72 / 2.54))
            bottom = [w[4] for w in words if w[1] > page.rect.height - 2 * 72 / 2.54]
            assert top == "Kế hoạch chuyển đổi số năm 2025"
            assert bottom == [str(page.number + 1)]


def test_legacy_pdf_extracts_as_legacy_bytes(built):
    text = _flat(_pdf_pages(built["tcvn3"]["pdf"])[0])
    assert "N¨m 2024, tû lÖ hå s¬" in text
    mixed = _flat(_pdf_pages(built["vni"]["pdf"])[0])
    assert "ỦY BAN NHÂN DÂN" in mixed and "Naêm 2024" in mixed


# ---- legacy fonts in PDFs --------------------------------------------------------------------

LEGACY_SPAN_FONTS = {
    "tcvn3": {f + s for f in (".VnTime", ".VnTimeH") for s in ("", "-Bold", "-Italic", "-BoldItalic")},
    "vni": {"VNI-Times" + s for s in ("", "-Bold", "-Italic", "-BoldItalic")},
}


def _span_fonts(path: Path) -> dict[str, list[str]]:
    """{span font name: texts of the spans set in it} over the whole PDF."""
    found: dict[str, list[str]] = {}
    with pymupdf.open(path) as doc:
        for page in doc:
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        if span["text"].strip():
                            found.setdefault(span["font"], []).append(span["text"])
    return found


def _check_legacy_pdf(path: Path, spec: DocSpec) -> None:
    """Spans name the legacy fonts (capitals font included) and the reader turns the
    text layer back into the spec's Unicode, capitals and ư restored."""
    from ingest.legacy_fonts import font_encoding, font_is_caps
    from ingest.normalize import clean
    from ingest.reader import read_document

    enc = spec.style.legacy
    spans = _span_fonts(path)
    assert set(spans) <= LEGACY_SPAN_FONTS[enc], set(spans) - LEGACY_SPAN_FONTS[enc]
    assert all(font_encoding(f) == enc and font_is_caps(f) == f.startswith(".VnTimeH") for f in spans)
    with pymupdf.open(path) as doc:  # embedded as subsets: "ABCDEF+.VnTimeH"
        for font in doc[0].get_fonts():
            prefix, _, name = font[3].partition("+")
            assert re.fullmatch("[A-Z]{6}", prefix) and name in LEGACY_SPAN_FONTS[enc], font
    if enc == "tcvn3":
        assert {".VnTime", ".VnTimeH", ".VnTimeH-Bold"} <= set(spans)
        assert "ñy ban nh©n d©n" in spans[".VnTimeH"]  # typed in lowercase codes, read as ỦY BAN NHÂN DÂN
    else:
        assert {"VNI-Times", "VNI-Times-Bold"} <= set(spans)

    raw = read_document(path)
    assert raw.legacy_encodings == [enc]
    text = _flat(clean(" ".join(b.text for b in raw.text_blocks)))
    expected = [*spec.letterhead.agency, spec.letterhead.place_date, *spec.title, *_headings(spec)]
    expected += [f"{el.bullet} {el.paragraph}" if el.bullet else el.paragraph
                 for el in spec.body if isinstance(el, ParagraphEl)]
    for line in expected:
        assert _flat(clean(line)) in text, line
    assert "ỦY BAN NHÂN DÂN" in text and "PHẦN I. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024" in text
    assert "được số hóa" in text  # TCVN3 ư is byte 0xAD, a soft hyphen to an office suite


@pytest.mark.parametrize("name", ["tcvn3", "vni_all"])
def test_libreoffice_legacy_pdf_names_legacy_fonts_and_reads_back(built, specs, name):
    _check_legacy_pdf(built[name]["pdf"], specs[name])


@pytest.mark.parametrize("name", ["tcvn3", "vni_all"])
def test_direct_legacy_pdf_names_legacy_fonts_and_reads_back(specs, tmp_path, name):
    spec = specs[name].model_copy(update={"style": specs[name].style.model_copy(
        update={"pdf": "direct", "running_header": "Kế hoạch chuyển đổi số năm 2025"})})
    path = render_direct_pdf(spec, tmp_path / f"{name}.pdf")
    _check_legacy_pdf(path, spec)


def test_legacy_font_copies_are_renamed_serif_fonts(tmp_path):
    from fontTools.ttLib import TTFont

    from fixtures import fonts

    env = fonts.legacy_fontconfig_env(tmp_path)
    listed = subprocess.run(["fc-list", ":", "family"], env={**os.environ, **env},
                            capture_output=True, text=True, check=True).stdout
    # the legacy families are added to the machine's own fonts, not put in their place
    assert {".VnTime", ".VnTimeH", "VNI\\-Times", fonts.serif().name} <= set(listed.splitlines())
    for family in fonts.LEGACY_FAMILIES:
        files = fonts.legacy_family(family).files
        assert set(files) == {"regular", "bold", "italic", "bolditalic"}
        names = TTFont(str(files["bold"]))["name"]
        assert (names.getDebugName(1), names.getDebugName(2), names.getDebugName(6)) == (
            family, "Bold", f"{family}-Bold")
        assert names.getDebugName(16) is None  # no typographic family left naming the source
        assert fonts.covers_vietnamese(files["regular"])  # glyphs of the serif family kept


def test_doc_is_an_ole_word_file(built):
    path = built["bold"]["doc"]
    assert path.suffix == ".doc" and path.read_bytes()[:8] == OLE_MAGIC


# ---- direct PDF ----------------------------------------------------------------------------

def test_direct_pdf_renders_the_same_text(specs, tmp_path):
    for name in ("bold", "styled", "plain"):
        spec = specs[name].model_copy(update={"style": specs[name].style.model_copy(update={"pdf": "direct"})})
        path = render_direct_pdf(spec, tmp_path / f"{name}.pdf")
        pages = _pdf_pages(path)
        text = _flat(" ".join(pages))
        for heading in _headings(spec):
            assert _flat(heading) in text, heading
        for el in spec.body:
            if isinstance(el, ParagraphEl):
                assert _flat(f"{el.bullet} {el.paragraph}" if el.bullet else el.paragraph) in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "PHÓ CHỦ TỊCH" in text
        if name == "bold":  # long table: header row on every page the table crosses
            with_header = [i for i, t in enumerate(pages) if TABLE_HEADER in _flat(t)]
            assert len(with_header) >= 2
            assert all(str(i + 1) in pages[i] for i in range(1, len(pages)))
        if name == "styled":  # the running header starts on page 2, as in real plans
            assert "Kế hoạch chuyển đổi số năm 2025" not in pages[0]
            assert all("Kế hoạch chuyển đổi số năm 2025" in t for t in pages[1:])


def test_direct_pdf_renders_a_long_plan(specs, tmp_path):
    spec = specs["bold"].model_copy(deep=True)
    spec.body = [el for _ in range(8) for el in spec.body]
    path = render_direct_pdf(spec, tmp_path / "long.pdf")
    last = next(el.paragraph for el in reversed(spec.body) if isinstance(el, ParagraphEl))
    with pymupdf.open(path) as doc:
        assert doc.page_count >= 25
        tail = " ".join((doc[-2].get_text() + doc[-1].get_text()).split())
        assert " ".join(last.split())[:40] in tail


# ---- scans -------------------------------------------------------------------------------

def test_rasterised_pdf_has_images_and_no_text(specs, tmp_path):
    src = render_direct_pdf(specs["plain"], tmp_path / "src.pdf")
    dst = rasterise_pdf(src, tmp_path / "scan.pdf", dpi=150, skew_degrees=0.6, noise=0.3, seed=4)
    with pymupdf.open(src) as a, pymupdf.open(dst) as b:
        assert b.page_count == a.page_count
        for page in b:
            assert page.get_text().strip() == ""
            assert len(page.get_images()) == 1
            assert page.get_fonts() == []


@pytest.mark.parametrize("engine", ["direct", "libreoffice"])
def test_write_pdf_honours_scan_flag(specs, tmp_path, engine):
    spec = specs["plain"].model_copy(update={"style": specs["plain"].style.model_copy(
        update={"pdf": engine, "scan": True})})
    path = write_pdf(spec, tmp_path / "scan.pdf")
    with pymupdf.open(path) as doc:
        assert doc.page_count >= 2
        assert all(not p.get_text().strip() and len(p.get_images()) == 1 for p in doc)


def test_verify_pdf_rejects_split_diacritics(specs, tmp_path):
    broken = pymupdf.open()
    broken.new_page().insert_text((72, 72), "Y BAN NHAN DAN")  # what a font without "Ủ" leaves
    broken.save(tmp_path / "broken.pdf")
    with pytest.raises(RuntimeError, match="cannot print Vietnamese"):
        verify_pdf(specs["bold"], tmp_path / "broken.pdf")


# ---- build CLI and errors -----------------------------------------------------------------

def test_build_cli_writes_files_named_after_the_spec(tmp_path, capsys):
    rc = build_main([str(EXAMPLE), "--out", str(tmp_path), "--formats", "docx"])
    assert rc == 0
    spec = load_spec(EXAMPLE)
    assert (tmp_path / f"{spec.id}.docx").exists()
    assert f"{spec.id}\tdocx" in capsys.readouterr().out
    assert build_main([str(EXAMPLE), "--out", str(tmp_path), "--formats", "odt"]) == 1


def test_missing_libreoffice_is_a_clear_error(tmp_path):
    docx = write_docx(load_spec(EXAMPLE), tmp_path / "x.docx")
    code = ("import sys; from pathlib import Path; from fixtures.pdf_writer import convert_with_libreoffice\n"
            f"convert_with_libreoffice([Path({str(docx)!r})], 'pdf', Path({str(tmp_path)!r}))")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode != 0
    assert "RuntimeError: LibreOffice (soffice) is not installed" in proc.stderr
