"""The readers on real DOCX, PDF (Word export, direct, scan), DOC and legacy-font files."""

from __future__ import annotations

import re

import pymupdf
import pytest

from fixtures.spec import HeadingEl
from ingest.errors import IngestError
from ingest.reader import read_document
from models.raw import TableBlock, TextBlock

TEXT_FORMATS = [("bold", "docx"), ("bold", "pdf"), ("styled", "docx"), ("styled", "pdf"), ("autonumber", "docx"),
                ("autonumber", "pdf"), ("autonumber", "doc"), ("plain", "docx"), ("plain", "pdf"),
                ("direct", "pdf"), ("tcvn3", "docx"), ("tcvn3", "pdf")]


def _texts(raw) -> list[str]:
    return [b.text for b in raw.blocks if isinstance(b, TextBlock)]


def _numbered(b: TextBlock) -> str:
    return f"{b.list_label} {b.text}" if b.list_label else b.text


@pytest.mark.parametrize("variant,fmt", TEXT_FORMATS)
def test_every_heading_is_read_with_its_number(documents, read_cache, base_spec, variant, fmt):
    raw = read_cache(documents[variant][fmt])
    lines = [re.sub(r"\s+", " ", _numbered(b)).lower() for b in raw.blocks if isinstance(b, TextBlock)]
    joined = "\n".join(lines)
    for el in base_spec.body:
        if isinstance(el, HeadingEl):
            assert el.heading.lower() in joined, f"{variant}/{fmt}: heading {el.heading!r} not read"


@pytest.mark.parametrize("variant,fmt", TEXT_FORMATS)
def test_text_is_nfc_with_one_tone_convention(documents, read_cache, variant, fmt):
    import unicodedata

    raw = read_cache(documents[variant][fmt])
    for t in _texts(raw):
        assert unicodedata.is_normalized("NFC", t)
        assert not re.search(r"\b(hoà|thuỷ|hoá|khoẻ)\b", t.lower())
        assert "  " not in t


def test_word_automatic_numbers_are_rebuilt(documents, read_cache):
    raw = read_cache(documents["autonumber"]["docx"])
    labelled = {b.text.split(".")[0].strip().upper(): b.list_label for b in raw.blocks
                if isinstance(b, TextBlock) and b.list_label}
    # the numbers are not in the paragraph text, only in numbering.xml
    assert labelled.get("MỤC TIÊU") == "II." or labelled.get("MỤC TIÊU") == "II"
    labels = [b.list_label for b in raw.blocks if isinstance(b, TextBlock) and b.list_label]
    assert "III." in labels and "1." in labels and "2." in labels
    assert not any(b.text.startswith(("I. ", "II. ")) for b in raw.blocks if isinstance(b, TextBlock) and b.list_label)


def test_docx_heading_styles_and_bold(documents, read_cache):
    styled = read_cache(documents["styled"]["docx"])
    assert any(b.outline_level for b in styled.blocks if isinstance(b, TextBlock))
    bold = read_cache(documents["bold"]["docx"])
    mt = next(b for b in bold.blocks if isinstance(b, TextBlock) and b.text.startswith("II. MỤC TIÊU"))
    assert mt.bold and mt.outline_level is None


@pytest.mark.parametrize("variant,fmt", [("bold", "docx"), ("bold", "pdf"), ("plain", "docx"), ("plain", "pdf")])
def test_letterhead_columns_are_read_apart(documents, read_cache, variant, fmt):
    raw = read_cache(documents[variant][fmt])
    head = [b.text for b in raw.blocks[:8] if isinstance(b, TextBlock)]
    assert any(t.startswith("Số: 318/KH-UBND") or t == "Số: 318/KH-UBND" for t in head)
    assert not any("318/KH-UBND" in t and "Quảng Bình, ngày" in t for t in head), head


@pytest.mark.parametrize("variant,fmt", [("bold", "docx"), ("bold", "pdf"), ("direct", "pdf")])
def test_task_table_is_one_table_in_document_order(documents, read_cache, variant, fmt):
    raw = read_cache(documents[variant][fmt])
    tables = [b for b in raw.blocks if isinstance(b, TableBlock)]
    task_tables = [t for t in tables if "Đơn vị chủ trì" in " ".join(t.rows[0])]
    assert len(task_tables) == 1
    rows = task_tables[0].rows
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, 13)]
    assert rows[4][1] == "Triển khai phần mềm quản lý học bạ số"
    # the table comes after the heading of the task list
    idx = raw.blocks.index(task_tables[0])
    before = [b.text for b in raw.blocks[:idx] if isinstance(b, TextBlock)]
    assert before[-1].endswith("DANH MỤC NHIỆM VỤ, DỰ ÁN") or "Danh mục nhiệm vụ" in before[-1]


def test_pdf_table_crossing_pages_is_merged_and_header_not_repeated(documents, read_cache, base_spec, tmp_path):
    from fixtures.build import build

    spec = base_spec.model_copy(update={"id": "qb-long-table", "formats": ["pdf"]}, deep=True)
    for el in spec.body:
        if getattr(el, "table", False):
            el.rows = [[str(i + 1)] + r[1:] for i, r in enumerate(el.rows * 5)]
            el.row_tasks = el.row_tasks * 5
    pdf = build(spec, tmp_path)["pdf"]
    raw = read_document(pdf)
    table = next(b for b in raw.blocks if isinstance(b, TableBlock) and "Đơn vị chủ trì" in " ".join(b.rows[0]))
    assert table.page_end > table.page, "the table should cross a page"
    assert [r[0] for r in table.rows[1:]] == [str(i) for i in range(1, 61)]
    assert sum("Đơn vị chủ trì" in " ".join(r) for r in table.rows) == 1
    assert sorted(set(table.row_pages)) == list(range(table.page, table.page_end + 1))


def test_running_header_and_page_numbers_are_dropped(documents, read_cache):
    raw = read_cache(documents["styled"]["pdf"])
    texts = _texts(raw)
    assert not any(t.startswith("Kế hoạch chuyển đổi số tỉnh Quảng Bình năm 2025") and len(t) < 60 for t in texts)
    assert not any(re.fullmatch(r"-?\s*\d{1,2}\s*-?", t) for t in texts)
    assert raw.pages >= 3


def test_pdf_fonts_give_bold_and_size(documents, read_cache):
    raw = read_cache(documents["bold"]["pdf"])
    heading = next(b for b in raw.blocks if isinstance(b, TextBlock) and b.text.startswith("III. NHIỆM VỤ"))
    body = next(b for b in raw.blocks if isinstance(b, TextBlock) and b.text.startswith("- Giao Sở Nội vụ"))
    assert heading.bold and not body.bold
    assert heading.page >= 2 and heading.font_size and abs(heading.font_size - body.font_size) < 1.5


def test_legacy_tcvn3_is_converted(documents, read_cache):
    for fmt in ("docx", "pdf"):
        raw = read_cache(documents["tcvn3"][fmt])
        assert raw.legacy_encodings == ["tcvn3"]
        texts = _texts(raw)
        assert any("ỦY BAN NHÂN DÂN" in t for t in texts)
        assert any("Giao Sở Nội vụ chủ trì rà soát" in t for t in texts)


def test_doc_is_converted_with_libreoffice(documents, read_cache):
    raw = read_cache(documents["autonumber"]["doc"])
    assert raw.format == "doc"
    assert any("Giao Sở Nội vụ chủ trì" in t for t in _texts(raw))


def test_scanned_pdf_is_read_by_ocr(documents, read_cache):
    raw = read_cache(documents["scan"]["pdf"])
    assert raw.ocr_pages == list(range(1, raw.pages + 1))
    texts = " ".join(_texts(raw))
    assert "KẾ HOẠCH" in texts and "Nhiệm vụ" in texts or "NHIỆM VỤ" in texts
    assert all(b.ocr for b in raw.blocks if isinstance(b, TextBlock))


def test_pages_of_docx_are_estimated_and_said_so(documents, read_cache):
    raw = read_cache(documents["bold"]["docx"])
    assert raw.pages >= 3
    assert any("estimated" in w for w in raw.warnings)
    pages = [b.page for b in raw.blocks]
    assert pages == sorted(pages)


def test_fallback_font_placeholders_are_merged(tmp_path):
    """A Vietnamese letter drawn in a fallback font over a placeholder space reads as one word."""
    pdf = tmp_path / "fallback.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    font = pymupdf.Font("tiro")
    page.insert_text((72, 100), "T NH QU NG TR", fontname="tiro", fontsize=13)
    x = 72 + font.text_length("T", 13)
    page.insert_font(fontname="djv", fontfile="/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    page.insert_text((x, 100), "Ỉ", fontname="djv", fontsize=13)
    x2 = 72 + font.text_length("T NH QU", 13)
    page.insert_text((x2, 100), "Ả", fontname="djv", fontsize=13)
    page.insert_text((72, 180), "Đây là một đoạn văn bản thử nghiệm đủ dài để có nội dung.", fontname="djv", fontsize=13)
    doc.save(pdf)
    raw = read_document(pdf)
    assert _texts(raw)[0] == "TỈNH QUẢNG TR"


def test_unreadable_inputs_raise_clear_errors(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="empty file"):
        read_document(empty)
    fake = tmp_path / "plan.docx"
    fake.write_bytes(b"%PDF-1.7\n" + b"0" * 100)
    with pytest.raises(IngestError, match="does not match the extension"):
        read_document(fake)


def test_ruling_grid_tables_agree_with_pdfplumber(documents, read_cache):
    """dxplan rebuilds tables from the ruling lines (~1 ms a page); pdfplumber's table finder
    (~60 ms a page) must find the same cells on a page of the task table."""
    import pdfplumber

    pdf = documents["bold"]["pdf"]
    raw = read_cache(pdf)
    table = next(b for b in raw.blocks if isinstance(b, TableBlock) and "Đơn vị chủ trì" in " ".join(b.rows[0]))
    page_rows = [r for r, p in zip(table.rows, table.row_pages) if p == table.page]
    with pdfplumber.open(pdf) as doc:
        found = doc.pages[table.page - 1].extract_tables()
    theirs = max(found, key=len)
    norm = lambda rows: [[re.sub(r"\s+", " ", c or "").strip() for c in r] for r in rows]  # noqa: E731
    assert norm(page_rows) == norm(theirs)
