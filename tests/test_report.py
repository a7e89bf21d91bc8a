"""`dxplan report`: per-plan and corpus review files (HTML and XLSX) from a real ingested corpus.

Three plans are built from `fixtures/examples/minimal.yaml`: Quảng Trị as it is (DOCX), Tuyên Quang
(PDF) committing 40 % for indicator 2 where provinces must reach 60 %, without the
"Tổ chức thực hiện" section and with a task row that names neither lead unit nor deadline,
and Bộ Tư pháp (PDF, a ministry) committing 90 % where ministries must reach 85 %.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from corpus.batch import ingest_paths
from corpus.cli import main
from corpus.report import COLOURS, write_reports
from fixtures.build import build_many
from fixtures.spec import HeadingEl, ParagraphEl, TableEl, TargetLabel, TaskLabel, load_spec

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "examples" / "minimal.yaml"
TRAINING_ROW = "Tập huấn kỹ năng số cho cán bộ, công chức cấp xã"


def _target_paragraph(text: str, value: float) -> ParagraphEl:
    return ParagraphEl(paragraph=text, bullet="-", targets=[TargetLabel(value=value, year=2025, indicator=2)])


def _specs():
    base = load_spec(EXAMPLE)

    def swap_target(body, new):
        return [new if isinstance(e, ParagraphEl) and e.paragraph.startswith("Tỷ lệ hồ sơ trực tuyến") else e
                for e in body]

    tq_body = []
    for e in swap_target(base.body, _target_paragraph("Tỷ lệ hồ sơ trực tuyến toàn trình đạt 40%.", 40)):
        if isinstance(e, HeadingEl) and e.heading == "Tổ chức thực hiện":
            continue
        if isinstance(e, ParagraphEl) and e.paragraph.startswith("Các sở, ban, ngành, UBND"):
            continue
        if isinstance(e, TableEl):
            e = e.model_copy(update={"rows": [*e.rows, ["4", TRAINING_ROW, "", "", ""]],
                                     "row_tasks": [*e.row_tasks, TaskLabel()]})
        tq_body.append(e)
    tuyen_quang = base.model_copy(update={
        "id": "tuyen-quang-2025", "formats": ["pdf"], "body": tq_body,
        "meta": base.meta.model_copy(update={"issuer": "Tuyên Quang", "doc_number": "112/KH-UBND",
                                             "issued_date": date(2024, 11, 20)}),
        "letterhead": base.letterhead.model_copy(update={
            "agency": ["ỦY BAN NHÂN DÂN", "TỈNH TUYÊN QUANG"], "number": "Số: 112/KH-UBND",
            "place_date": "Tuyên Quang, ngày 20 tháng 11 năm 2024"}),
        "title": ["KẾ HOẠCH", "Chuyển đổi số tỉnh Tuyên Quang năm 2025"]})
    ministry = base.model_copy(update={
        "id": "bo-tu-phap-2025", "formats": ["pdf"],
        "body": swap_target(base.body, _target_paragraph("Tỷ lệ hồ sơ trực tuyến toàn trình đạt tối thiểu 90%.", 90)),
        "meta": base.meta.model_copy(update={"issuer": "Bộ Tư pháp", "issuer_kind": "ministry",
                                             "doc_number": "3120/KH-BTP", "issued_date": date(2024, 12, 2)}),
        "letterhead": base.letterhead.model_copy(update={
            "agency": ["BỘ TƯ PHÁP"], "number": "Số: 3120/KH-BTP", "place_date": "Hà Nội, ngày 02 tháng 12 năm 2024"}),
        "title": ["KẾ HOẠCH", "Chuyển đổi số của Bộ Tư pháp năm 2025"]})
    quang_tri = base.model_copy(update={"formats": ["docx"]})
    return [quang_tri, tuyen_quang, ministry]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    build_many(_specs(), root / "plans")
    db = root / "corpus.db"
    summary = ingest_paths(db, [root / "plans"], jobs=1, progress=False)
    assert summary.failed == 0, summary.outcomes
    with sqlite3.connect(db) as conn:
        ids = {issuer: i for i, issuer in conn.execute("SELECT id, issuer FROM documents")}
    paths = write_reports(db, root / "outputs")
    return {"root": root, "db": db, "ids": ids, "paths": paths, "reports": root / "outputs" / "reports"}


def _plan_file(corpus, issuer: str, slug: str, suffix: str) -> Path:
    return corpus["reports"] / f"{slug}-2025-{corpus['ids'][issuer]}.{suffix}"


def _rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper() if cell.fill and cell.fill.fill_type == "solid" else ""


# ---------------------------------------------------------------- HTML helpers
class _Page(HTMLParser):
    """Headings, and every table as rows of cells (text, href, classes), keyed by its section id."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tables: dict[str, list[list[dict]]] = {}
        self.links: list[str] = []
        self.lang = None
        self.svgs = 0
        self._section = None
        self._heading = None
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "section":
            self._section = a.get("id")
        elif tag in ("h1", "h2"):
            self._heading = [tag, ""]
        elif tag == "svg":
            self.svgs += 1
        elif tag == "table":
            self.tables[self._section] = []
        elif tag == "tr":
            self._row = []
            self.tables[self._section].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = {"text": "", "href": None, "class": (a.get("class") or "").split()}
            self._row.append(self._cell)
        elif tag == "a":
            self.links.append(a.get("href"))
            if self._cell is not None:
                self._cell["href"] = a.get("href")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2") and self._heading:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "table":
            self._row = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._cell is not None:
            self._cell["text"] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _body(table: list[list[dict]]) -> list[list[dict]]:
    return table[1:]


# ---------------------------------------------------------------- files
def test_one_pair_per_plan_and_one_for_the_corpus(corpus):
    names = sorted(p.name for p in corpus["paths"])
    expected = []
    for issuer, slug in (("Quảng Trị", "quang-tri"), ("Tuyên Quang", "tuyen-quang"), ("Bộ Tư pháp", "bo-tu-phap")):
        expected += [_plan_file(corpus, issuer, slug, s).name for s in ("html", "xlsx")]
    assert names == sorted(expected + ["corpus.html", "corpus.xlsx"])
    assert all(p.is_file() and p.stat().st_size > 1000 for p in corpus["paths"])


# ---------------------------------------------------------------- per-plan XLSX
def test_plan_workbook_sheets_header_and_layout(corpus):
    wb = load_workbook(_plan_file(corpus, "Tuyên Quang", "tuyen-quang", "xlsx"))
    assert wb.sheetnames == ["Thông tin chung", "Mục còn thiếu", "Chỉ tiêu thấp hơn mức sàn", "Chỉ tiêu chưa đề cập",
                             "Nhiệm vụ thiếu thông tin", "Toàn bộ chỉ tiêu", "Toàn bộ nhiệm vụ"]
    facts = {r[0]: r[1] for r in _rows(wb["Thông tin chung"])[1:]}
    assert facts["Cơ quan ban hành"] == "Tuyên Quang"
    assert facts["Loại cơ quan"] == "Tỉnh, thành phố"
    assert facts["Số hiệu"] == "112/KH-UBND"
    assert facts["Ngày ban hành"] == "20/11/2024"
    assert facts["Năm kế hoạch"] == 2025
    assert facts["Tệp"] == "tuyen-quang-2025.pdf"
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.bold
    tasks = wb["Toàn bộ nhiệm vụ"]
    assert [c.value for c in tasks[1]] == ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp",
                                           "Thời hạn (theo văn bản)", "Hạn cuối", "Thường xuyên", "Nguồn", "Trang"]
    assert tasks.column_dimensions["B"].width > 40


def test_target_below_the_floor_row_links_to_its_page(corpus):
    wb = load_workbook(_plan_file(corpus, "Tuyên Quang", "tuyen-quang", "xlsx"))
    ws = wb["Chỉ tiêu thấp hơn mức sàn"]
    assert [c.value for c in ws[1]] == ["Chỉ tiêu số", "Giá trị cam kết", "So sánh", "Mức sàn", "Trang", "Trích văn bản"]
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value == 2]
    assert len(rows) == 1
    indicator, value, comparator, floor, page, text = rows[0]
    assert (value.value, comparator.value, floor.value) == (40, "≥", 60)
    assert "40%" in text.value
    assert _fill(value) == COLOURS["below"][0]
    target = urlparse(page.hyperlink.target)
    assert target.scheme == "file" and target.fragment == f"page={page.value.split()[-1]}"
    assert Path(unquote(target.path)).name == "tuyen-quang-2025.pdf" and Path(unquote(target.path)).is_file()
    # the ministry meets its own floor (85 %) and Quảng Trị meets the provinces' (60 %)
    for issuer, slug in (("Bộ Tư pháp", "bo-tu-phap"), ("Quảng Trị", "quang-tri")):
        other = load_workbook(_plan_file(corpus, issuer, slug, "xlsx"))["Chỉ tiêu thấp hơn mức sàn"]
        assert other.max_row == 1


def test_missing_section_and_unaddressed_indicators(corpus):
    wb = load_workbook(_plan_file(corpus, "Tuyên Quang", "tuyen-quang", "xlsx"))
    missing = {r[0]: r for r in _rows(wb["Mục còn thiếu"])[1:]}
    assert missing["P2/V"][1] == "Tổ chức thực hiện"
    assert missing["P2/V"][2] == "✗ Thiếu"
    gaps = [r[0] for r in _rows(wb["Chỉ tiêu chưa đề cập"])[1:]]
    assert 1 in gaps and 2 not in gaps  # indicator 2 is addressed (below the floor, but addressed)
    assert 6 not in gaps  # indicator 6 binds ministries only
    ministry = load_workbook(_plan_file(corpus, "Bộ Tư pháp", "bo-tu-phap", "xlsx"))
    assert 6 in [r[0] for r in _rows(ministry["Chỉ tiêu chưa đề cập"])[1:]]
    assert "P2/V" not in [r[0] for r in _rows(ministry["Mục còn thiếu"])[1:]]


def test_task_without_lead_or_deadline_is_listed(corpus):
    wb = load_workbook(_plan_file(corpus, "Tuyên Quang", "tuyen-quang", "xlsx"))
    rows = _rows(wb["Nhiệm vụ thiếu thông tin"])
    assert rows[0] == ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn (theo văn bản)", "Còn thiếu", "Trang"]
    training = [r for r in rows[1:] if TRAINING_ROW in r[1]]
    assert training and training[0][4] == "đơn vị chủ trì, thời hạn"
    # "Thường xuyên" is a deadline of its own kind: the recurring task is not listed
    assert not [r for r in rows[1:] if r[1].startswith("Số hóa hồ sơ")]
    all_tasks = _rows(wb["Toàn bộ nhiệm vụ"])[1:]
    assert len(all_tasks) >= len(rows) - 1 + 3


# ---------------------------------------------------------------- corpus XLSX
def test_corpus_workbook_matrices_and_charts(corpus):
    wb = load_workbook(corpus["reports"] / "corpus.xlsx")
    assert wb.sheetnames == ["Danh sách kế hoạch", "Chỉ tiêu theo cơ quan", "Độ phủ khung 2025", "Nhiệm vụ theo quý",
                             "Mục thiếu theo cơ quan", "Danh mục chỉ tiêu"]
    ind = wb["Chỉ tiêu theo cơ quan"]
    header = [c.value for c in ind[1]]
    assert header[:3] == ["Kế hoạch", "Loại", "1"] and header[-1] == "22"
    assert ind.freeze_panes == "C2"
    rows = {r[0].value: r for r in ind.iter_rows(min_row=2)}
    col2, col6 = header.index("2"), header.index("6")
    assert rows["Tuyên Quang 2025"][col2].value == "≥\u00a040%"
    assert _fill(rows["Tuyên Quang 2025"][col2]) == COLOURS["below"][0]
    assert _fill(rows["Quảng Trị 2025"][col2]) == COLOURS["meets"][0]
    assert _fill(rows["Bộ Tư pháp 2025"][col2]) == COLOURS["meets"][0]
    assert _fill(rows["Tuyên Quang 2025"][col6]) == COLOURS["na"][0]  # ministry-only indicator
    assert _fill(rows["Bộ Tư pháp 2025"][col6]) == COLOURS["absent"][0]
    assert rows["Tuyên Quang 2025"][col2].hyperlink.target.startswith("file://")

    cov = wb["Độ phủ khung 2025"]
    keys = [c.value.split()[0] if c.value else None for c in cov[1]]
    p2v = keys.index("P2/V")
    cov_rows = {r[0].value.split(" (#")[0]: r for r in cov.iter_rows(min_row=2)}
    assert cov_rows["Tuyên Quang 2025"][p2v].value == "✗"
    assert _fill(cov_rows["Tuyên Quang 2025"][p2v]) == COLOURS["missing"][0]
    assert cov_rows["Quảng Trị 2025"][p2v].value in (None, "")
    rules = [(str(cf.sqref), r.formula) for cf in cov.conditional_formatting for r in cf.rules]
    assert any(f == ['"✗"'] for _, f in rules)

    quarters = wb["Nhiệm vụ theo quý"]
    qhead = [c.value for c in quarters[1]]
    assert "Quý II/2025" in qhead and "Quý III/2025" in qhead and qhead[-3:] == ["Thường xuyên", "Không có thời hạn", "Tổng"]
    qrows = {r[0]: r for r in _rows(quarters)[1:]}
    assert qrows["Tuyên Quang 2025"][qhead.index("Không có thời hạn")] >= 1
    assert qrows["Quảng Trị 2025"][qhead.index("Thường xuyên")] >= 1
    assert len(quarters._charts) == 1 and len(wb["Mục thiếu theo cơ quan"]._charts) == 1
    missing = {r[0]: r for r in _rows(wb["Mục thiếu theo cơ quan"])[1:]}
    assert missing["Tuyên Quang 2025"][2] == missing["Quảng Trị 2025"][2] + 1  # the dropped "Tổ chức thực hiện"

    index = wb["Danh sách kế hoạch"]
    links = [c.hyperlink.target for row in index.iter_rows(min_row=2) for c in row if c.hyperlink]
    for issuer, slug in (("Quảng Trị", "quang-tri"), ("Tuyên Quang", "tuyen-quang"), ("Bộ Tư pháp", "bo-tu-phap")):
        assert _plan_file(corpus, issuer, slug, "xlsx").name in links


# ---------------------------------------------------------------- HTML
def test_plan_html_headings_tables_and_page_links(corpus):
    page = _parse(_plan_file(corpus, "Tuyên Quang", "tuyen-quang", "html"))
    assert page.lang == "vi"
    h2 = [t for tag, t in page.headings if tag == "h2"]
    for heading in ("Thông tin chung", "Mục còn thiếu hoặc để trống so với khung", "Chỉ tiêu thấp hơn mức sàn",
                    "Chỉ tiêu trong danh mục chưa được đề cập", "Nhiệm vụ chưa có đơn vị chủ trì / thời hạn",
                    "Toàn bộ chỉ tiêu", "Toàn bộ nhiệm vụ"):
        assert heading in h2
    below = _body(page.tables["below"])
    assert len(below) == 1
    assert below[0][1]["text"] == "40%" and "s-below" in below[0][1]["class"]
    href = urlparse(below[0][4]["href"])
    assert href.scheme == "file" and href.fragment.startswith("page=")
    assert Path(unquote(href.path)).is_file()
    missing = {r[0]["text"]: r for r in _body(page.tables["missing"])}
    assert "s-missing" in missing["P2/V"][2]["class"]
    incomplete = [r for r in _body(page.tables["incomplete"]) if TRAINING_ROW in r[1]["text"]]
    assert incomplete
    assert "corpus.html" in page.links


def test_docx_plan_shows_pages_without_links(corpus):
    page = _parse(_plan_file(corpus, "Quảng Trị", "quang-tri", "html"))
    pages = [r[-1] for r in _body(page.tables["tasks"])]
    assert pages and all(c["text"].startswith("tr. ") and c["href"] is None for c in pages)


def test_corpus_html_tables_charts_and_index(corpus):
    path = corpus["reports"] / "corpus.html"
    page = _parse(path)
    h2 = [t for tag, t in page.headings if tag == "h2"]
    assert h2[:3] == ["Danh sách kế hoạch và báo cáo chi tiết", "Cam kết chỉ tiêu theo cơ quan",
                      "Mức độ đầy đủ các mục theo khung 2025"]
    assert "Nhiệm vụ theo quý hoàn thành" in h2 and "Số mục còn thiếu theo cơ quan" in h2
    assert page.svgs == 2
    matrix = {r[0]["text"]: r for r in _body(page.tables["indicators"])}
    assert "s-below" in matrix["Tuyên Quang 2025"][3]["class"]  # column 3 is indicator 2
    assert "s-meets" in matrix["Bộ Tư pháp 2025"][3]["class"]
    cov = {r[0]["text"].split(" (#")[0]: r for r in _body(page.tables["coverage-2025"])}
    assert any(c["text"] == "✗" and "s-missing" in c["class"] for c in cov["Tuyên Quang 2025"])
    for link in {h for h in page.links if h and h.endswith(".html") and not h.startswith("#")}:
        assert (path.parent / link).is_file()
    assert len({h for h in page.links if h and h.endswith(".xlsx")}) == 3


# ---------------------------------------------------------------- CLI
def test_cli_report_lists_files_and_summary(corpus, tmp_path):
    result = CliRunner().invoke(main, ["report", "--db", str(corpus["db"]), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 9 and all(Path(p).is_file() for p in lines[:8])
    assert lines[-1].startswith("8 files written for 3 plans: 1 target below the floor")

    one = CliRunner().invoke(main, ["report", "--db", str(corpus["db"]), "--out", str(tmp_path / "one"),
                                    "--document", str(corpus["ids"]["Bộ Tư pháp"])])
    assert one.exit_code == 0, one.output
    assert sorted(Path(p).suffix for p in one.output.splitlines()[:-1]) == [".html", ".xlsx"]
    assert not (tmp_path / "one" / "reports" / "corpus.html").exists()

    none = CliRunner().invoke(main, ["report", "--db", str(corpus["db"]), "--out", str(tmp_path / "y"), "--year", "2024"])
    assert none.exit_code == 0 and "for 0 plans" in none.output
    assert (tmp_path / "y" / "reports" / "corpus.html").is_file()


def test_cli_report_without_corpus_fails_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "absent.db"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "absent.db" in result.output
    assert not (tmp_path / "absent.db").exists()


def test_cli_report_unknown_document_fails(corpus, tmp_path):
    result = CliRunner().invoke(main, ["report", "--db", str(corpus["db"]), "--out", str(tmp_path), "--document", "999"])
    assert result.exit_code == 1 and "999" in result.output
