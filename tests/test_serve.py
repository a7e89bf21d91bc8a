"""`dxplan serve`: the Datasette app over a small real corpus (two issuers, PDF and DOCX).

The corpus is built from `fixtures/examples/minimal.yaml` (Quảng Trị, DOCX and PDF) and a
variant for Tuyên Quang (PDF) that commits below the floor of indicator 2, has a task with
neither lead unit nor deadline about "định danh điện tử", and lacks "Tổ chức thực hiện".
Requests go through `datasette.client` (in-process, no socket).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.batch import ingest_paths
from corpus.cli import main
from corpus.serve import DB_NAME, load_metadata, make_app, match_query, quarter
from fixtures.build import build_many
from fixtures.spec import DocSpec, HeadingEl, ParagraphEl, TargetLabel, load_spec

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "fixtures" / "examples" / "minimal.yaml"
OWNERLESS = "Triển khai ứng dụng định danh điện tử trong giải quyết thủ tục hành chính."


def tuyen_quang_variant(spec: DocSpec) -> DocSpec:
    """Same plan for another province: 50% where the floor is 60%, an ownerless task, no P2/V."""
    body = []
    for el in spec.body:
        if isinstance(el, HeadingEl) and el.key == "P2/V":
            break  # drop "Tổ chức thực hiện" and what follows
        if isinstance(el, ParagraphEl) and "toàn trình đạt tối thiểu 60%" in el.paragraph:
            el = el.model_copy(update={"paragraph": el.paragraph.replace("60%", "50%"),
                                       "targets": [TargetLabel(value=50, year=2025, indicator=2)]})
        body.append(el)
        if isinstance(el, HeadingEl) and el.key == "P2/III":
            body.append(ParagraphEl(paragraph=OWNERLESS, bullet="-"))
    return spec.model_copy(update={
        "id": "minimal-tuyen-quang-2025", "formats": ["pdf"], "body": body,
        "meta": spec.meta.model_copy(update={"issuer": "Tuyên Quang"}),
        "letterhead": spec.letterhead.model_copy(update={
            "agency": ["ỦY BAN NHÂN DÂN", "TỈNH TUYÊN QUANG"],
            "place_date": "Tuyên Quang, ngày 15 tháng 11 năm 2024"}),
        "title": ["KẾ HOẠCH", "Chuyển đổi số tỉnh Tuyên Quang năm 2025"],
    })


def build_corpus(folder: Path) -> Path:
    """Write the three documents (one LibreOffice run) and ingest them; returns the corpus path."""
    spec = load_spec(MINIMAL)
    build_many([spec, tuyen_quang_variant(spec)], folder / "plans")
    db = folder / "corpus.db"
    summary = ingest_paths(db, [folder / "plans"], jobs=1, progress=False)
    assert (summary.ingested, summary.failed) == (3, 0), summary.line()
    return db


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def app(corpus):
    return make_app(corpus)


@pytest.fixture(scope="module")
def doc_ids(corpus) -> dict[str, int]:
    with sqlite3.connect(corpus) as conn:
        return {name: i for i, name in conn.execute("SELECT id, filename FROM documents")}


def get(app, path: str):
    return asyncio.run(app.client.get(path, follow_redirects=True))


def rows(app, query: str, **params) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    r = get(app, f"/{DB_NAME}/{query}.json?_shape=array&{qs}")
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- home page
def test_home_page_lists_plans_by_issuer(app, doc_ids):
    r = get(app, "/")
    assert r.status_code == 200
    html = r.text
    assert "Các kế hoạch đã nạp" in html
    for issuer in ("Quảng Trị", "Tuyên Quang"):
        assert f">{issuer}</a>" in html
    assert "245/KH-UBND" in html and "Tỉnh, thành phố" in html
    pdf = doc_ids["minimal-tuyen-quang-2025.pdf"]
    assert f'href="/-/dxplan/document/{pdf}"' in html
    assert f'/{DB_NAME}/tasks?document_id={pdf}' in html
    assert "/corpus/cam_ket_theo_chi_tieu?indicator=2" in html


def test_every_table_page_renders_with_its_facets(app):
    """Facet and column names in metadata.yaml must exist, or Datasette shows an error."""
    for table, meta in load_metadata()["databases"][DB_NAME]["tables"].items():
        if meta.get("hidden"):
            continue
        r = get(app, f"/{DB_NAME}/{table}")
        assert r.status_code == 200, (table, r.text[:300])
        if meta.get("title"):
            assert meta["title"] in r.text


# ---------------------------------------------------------------- canned queries
def test_every_canned_query_has_vietnamese_title_and_runs_blank(app):
    queries = load_metadata()["databases"][DB_NAME]["queries"]
    assert len(queries) == 6
    for name, q in queries.items():
        assert q["title"] and q["description"], name
        blank = {p: "" for p in q.get("params", [])}
        rows(app, name, **blank)  # blank parameters mean "all" and must not be an error


def test_missing_sections_names_a_template_section_absent_from_one_plan(app, doc_ids):
    tq = doc_ids["minimal-tuyen-quang-2025.pdf"]
    found = rows(app, "muc_con_thieu", kind="", section="P2/V", issuer="")
    assert [(r["document_id"], r["template_key"], r["title"], r["status"]) for r in found] == [
        (tq, "P2/V", "Tổ chức thực hiện", "missing")]
    by_title = rows(app, "muc_con_thieu", kind="province", section="to chuc thuc hien", issuer="tuyen quang")
    assert {r["template_key"] for r in by_title} == {"P2/V"}
    assert rows(app, "muc_con_thieu", kind="ministry", section="", issuer="") == []
    branch = rows(app, "muc_con_thieu", kind="", section="P2/IV", issuer="quang tri")
    assert branch and {r["issuer"] for r in branch} == {"Quảng Trị"}
    assert all(r["template_key"].startswith("P2/IV") for r in branch)


def test_commitments_by_indicator_use_latest_plan_and_floor(app, doc_ids):
    found = rows(app, "cam_ket_theo_chi_tieu", indicator="2", kind="")
    by_issuer = {r["issuer"]: r for r in found}
    assert sorted(by_issuer) == ["Quảng Trị", "Tuyên Quang"] and len(found) == 2  # one plan each
    tq = by_issuer["Tuyên Quang"]
    assert (tq["value"], tq["comparator"], tq["floor"], tq["meets_floor"]) == (50, ">=", 60, 0)
    assert tq["page"] == 2 and "50%" in tq["text"]
    assert by_issuer["Quảng Trị"]["meets_floor"] == 1
    assert by_issuer["Quảng Trị"]["document_id"] == doc_ids["minimal-quang-tri-2025.pdf"]
    by_words = rows(app, "cam_ket_theo_chi_tieu", indicator="ho so truc tuyen toan trinh", kind="")
    assert {r["issuer"] for r in by_words} == {"Quảng Trị", "Tuyên Quang"}
    assert rows(app, "cam_ket_theo_chi_tieu", indicator="17", kind="") == []


def test_targets_below_floor(app):
    found = rows(app, "chi_tieu_thap_hon_muc_san", kind="", indicator="")
    assert [(r["issuer"], r["value"], r["floor"]) for r in found] == [("Tuyên Quang", 50, 60)]


def test_tasks_without_lead_or_deadline(app):
    found = rows(app, "nhiem_vu_thieu_chu_tri_thoi_han", issuer="")
    assert [(r["issuer"], r["missing"]) for r in found] == [("Tuyên Quang", "thiếu chủ trì và thời hạn")]
    assert "định danh điện tử" in found[0]["text"]
    assert rows(app, "nhiem_vu_thieu_chu_tri_thoi_han", issuer="quang tri") == []


def test_tasks_by_quarter(app):
    q2 = rows(app, "nhiem_vu_theo_quy", quarter="II", year="2025")
    assert len(q2) == 3 and {r["deadline_date"] for r in q2} == {"2025-06-30"}
    assert all("Kho dữ liệu dùng chung" in r["text"] and r["quarter"] == "Quý II/2025" for r in q2)
    q3 = rows(app, "nhiem_vu_theo_quy", quarter="Quý III", year="")
    assert len(q3) == 6 and {r["lead_unit"] for r in q3} == {"Sở Thông tin và Truyền thông"}
    assert rows(app, "nhiem_vu_theo_quy", quarter="IV", year="2025") == []
    assert rows(app, "nhiem_vu_theo_quy", quarter="", year="2024") == []


def test_search_without_accents_finds_accented_text(app):
    found = rows(app, "tim_kiem_toan_van", q="dinh danh")
    assert {r["issuer"] for r in found} == {"Tuyên Quang"}
    assert all("<mark>định danh</mark>" in r["snippet"] for r in found)
    assert {(r["kind"], r["page"]) for r in found} >= {("nhiệm vụ", 2)}
    infra = rows(app, "tim_kiem_toan_van", q="ha tang so")
    assert len({r["document_id"] for r in infra}) == 3
    assert all("<mark>Hạ tầng số</mark>" in r["snippet"] for r in infra)
    assert rows(app, "tim_kiem_toan_van", q="định danh") == found
    assert rows(app, "tim_kiem_toan_van", q="") == []
    assert rows(app, "tim_kiem_toan_van", q='"(* TT%26TT') == []  # FTS syntax characters are harmless


def test_search_page_shows_highlight_and_page_link(app, doc_ids):
    html = get(app, f"/{DB_NAME}/tim_kiem_toan_van?q=dinh+danh").text
    assert "<mark>định danh</mark>" in html and "&lt;mark&gt;" not in html
    tq = doc_ids["minimal-tuyen-quang-2025.pdf"]
    assert f'href="/-/dxplan/document/{tq}#page=2"' in html


def test_table_page_cells_link_to_source_page(app, doc_ids):
    pdf = doc_ids["minimal-quang-tri-2025.pdf"]
    for table in ("tasks", "targets", "sections", "results", "search_items"):
        html = get(app, f"/{DB_NAME}/{table}?document_id={pdf}").text
        assert f'href="/-/dxplan/document/{pdf}#page=' in html, table
    html = get(app, f"/{DB_NAME}/targets?document_id={pdf}").text
    assert "✓ đạt" in html


# ---------------------------------------------------------------- source documents
def test_document_route_serves_the_pdf_inline(app, corpus, doc_ids):
    pdf = doc_ids["minimal-tuyen-quang-2025.pdf"]
    r = get(app, f"/-/dxplan/document/{pdf}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.content == (corpus.parent / "plans" / "minimal-tuyen-quang-2025.pdf").read_bytes()
    assert r.content.startswith(b"%PDF")


def test_document_route_serves_docx_as_download(app, doc_ids):
    r = get(app, f"/-/dxplan/document/{doc_ids['minimal-quang-tri-2025.docx']}")
    assert r.status_code == 200
    assert r.headers["content-type"].endswith("wordprocessingml.document")
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.content[:2] == b"PK"


def test_document_route_refuses_what_the_corpus_does_not_list(app):
    assert get(app, "/-/dxplan/document/999").status_code == 404
    assert "Không có tài liệu số 999" in get(app, "/-/dxplan/document/999").text
    for path in ("/-/dxplan/document/abc", "/-/dxplan/document/..%2F..%2Fetc%2Fpasswd",
                 "/-/dxplan/document/1/../../../etc/passwd"):
        r = get(app, path)
        assert r.status_code == 404 and b"root:" not in r.content, path


def test_document_route_serves_a_member_of_an_ingested_zip(corpus, tmp_path):
    pdf = (corpus.parent / "plans" / "minimal-tuyen-quang-2025.pdf").read_bytes()
    archive = tmp_path / "hồ sơ.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2025/Kế hoạch Tuyên Quang.pdf", pdf)
    db = tmp_path / "zip.db"
    assert ingest_paths(db, [archive], jobs=1, progress=False).ingested == 1
    with sqlite3.connect(db) as conn:
        doc_id, path = conn.execute("SELECT id, path FROM documents").fetchone()
    assert path.endswith("hồ sơ.zip/2025/Kế hoạch Tuyên Quang.pdf")
    r = get(make_app(db), f"/-/dxplan/document/{doc_id}")
    assert r.status_code == 200 and r.content == pdf
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch" in r.headers["content-disposition"]


def test_document_route_refuses_a_file_changed_since_ingest(corpus, doc_ids, tmp_path):
    copy = tmp_path / "copy.db"
    shutil.copy(corpus, copy)
    pdf = doc_ids["minimal-quang-tri-2025.pdf"]
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE documents SET sha256 = ? WHERE id = ?", (hashlib.sha256(b"other").hexdigest(), pdf))
        conn.execute("UPDATE documents SET path = ? WHERE id = ?", (str(tmp_path / "gone.pdf"), pdf + 1))
    app = make_app(copy)
    assert get(app, f"/-/dxplan/document/{pdf}").status_code == 409
    gone = get(app, f"/-/dxplan/document/{pdf + 1}")
    assert gone.status_code == 404 and "Không tìm thấy tệp gốc" in gone.text


# ---------------------------------------------------------------- export and read-only
def test_json_and_csv_export(app):
    docs = rows(app, "documents", _sort="id")
    assert [d["issuer"] for d in docs] == ["Quảng Trị", "Quảng Trị", "Tuyên Quang"]
    r = get(app, f"/{DB_NAME}/targets.csv?_labels=off")
    assert r.status_code == 200
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert sorted(float(t["value"]) for t in table) == [50.0, 60.0, 60.0]
    assert get(app, f"/{DB_NAME}/cam_ket_theo_chi_tieu.csv?indicator=2&kind=").status_code == 200


def test_corpus_is_read_only(app, corpus):
    before = hashlib.sha256(corpus.read_bytes()).hexdigest()
    r = get(app, f"/{DB_NAME}.json?sql=DELETE+FROM+documents")
    assert r.status_code == 400
    assert len(rows(app, "documents")) == 3
    assert hashlib.sha256(corpus.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------- helpers and CLI
def test_quarter_and_match_query():
    assert [quarter(v) for v in ("II", "2", "Quý III", "quy 4/2025", "q1", "V", "", None)] == [2, 2, 3, 4, 1, None, None, None]
    assert match_query("Định danh điện tử") == '"dinh" AND "danh" AND "dien" AND "tu"'
    assert match_query('"Hạ tầng số" TT&TT') == '"ha tang so" AND "tt tt"'
    assert match_query('"(') == '""'


def test_make_app_refuses_missing_or_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_app(tmp_path / "none.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ValueError, match="not a dxplan corpus"):
        make_app(other)


def test_cli_serve_without_corpus_fails_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db"), "--port", "8001"])
    assert result.exit_code == 1
    assert "no corpus at" in result.output and len(result.output.strip().splitlines()) == 1


def test_immutable_mode_serves_the_same_pages(corpus):
    app = make_app(corpus, immutable=True)
    assert "Tuyên Quang" in get(app, "/").text
    assert [r["issuer"] for r in rows(app, "chi_tieu_thap_hon_muc_san", kind="", indicator="")] == ["Tuyên Quang"]
