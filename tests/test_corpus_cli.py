"""The corpus through the command line, on a real SQLite file: ingest, idempotency,
missing, commitments, search — the contract's commands and JSON fields."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from corpus.cli import main
from fixtures.build import build_many
from fixtures.spec import ParagraphEl, Style, TargetLabel


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory, base_spec):
    """Three provinces and a ministry: one commits below the floor of indicator 1, one says nothing."""
    folder = tmp_path_factory.mktemp("intake")
    specs = []
    for sid, issuer, doc_no, value in (("qb", "Quảng Bình", "318/KH-UBND", 95), ("ht", "Hà Tĩnh", "45/KH-UBND", 90),
                                       ("qt", "Quảng Trị", "77/KH-UBND", None)):
        spec = base_spec.model_copy(deep=True)
        spec.id = f"cli-{sid}"
        spec.formats = ["pdf"] if sid != "ht" else ["docx"]
        spec.style = Style(pdf="direct")
        spec.meta.issuer = issuer
        spec.letterhead.agency = ["ỦY BAN NHÂN DÂN", f"TỈNH {issuer.upper()}"]
        spec.letterhead.number = f"Số: {doc_no}"
        spec.letterhead.place_date = f"{issuer}, ngày 05 tháng 12 năm 2024"
        spec.title = ["KẾ HOẠCH", f"Chuyển đổi số tỉnh {issuer} năm 2025"]
        body = []
        for el in spec.body:
            if isinstance(el, ParagraphEl) and any(t.indicator == 1 for t in el.targets):
                if value is None:
                    continue
                el = ParagraphEl(paragraph=f"Tỷ lệ thủ tục hành chính có đủ điều kiện được cung cấp dịch vụ công "
                                           f"trực tuyến toàn trình đạt tối thiểu {value}%.", bullet="-",
                                 targets=[TargetLabel(value=value, indicator=1, year=2025)])
            if isinstance(el, ParagraphEl) and "trợ lý ảo" in el.paragraph and sid == "qt":
                continue
            body.append(el)
        spec.body = body
        specs.append(spec)
    ministry = base_spec.model_copy(deep=True)
    ministry.id, ministry.formats, ministry.style = "cli-btp", ["pdf"], Style(pdf="direct")
    ministry.meta.issuer, ministry.meta.issuer_kind = "Bộ Tư pháp", "ministry"
    ministry.letterhead.agency = ["BỘ TƯ PHÁP"]
    ministry.letterhead.number = "Số: 3120/KH-BTP"
    ministry.letterhead.place_date = "Hà Nội, ngày 02 tháng 12 năm 2024"
    ministry.title = ["KẾ HOẠCH", "Chuyển đổi số của Bộ Tư pháp năm 2025"]
    specs.append(ministry)
    build_many(specs, folder)
    (folder / "ghi-chu.txt").write_text("not a plan")
    return folder


@pytest.fixture(scope="module")
def db(plan_folder, tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "corpus.db"
    result = CliRunner().invoke(main, ["ingest", str(plan_folder), "--db", str(path), "-q"])
    assert result.exit_code == 0, result.output
    assert "4 ingested, 0 unchanged, 0 failed, 1 skipped" in result.output
    return path


def _json(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_reingest_changes_nothing_and_force_redoes(db, plan_folder):
    con = sqlite3.connect(db)
    before = con.execute("SELECT COUNT(*), MAX(id) FROM documents").fetchone()
    counts = [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("sections", "tasks", "targets")]
    result = CliRunner().invoke(main, ["ingest", str(plan_folder), "--db", str(db), "-q"])
    assert "0 ingested, 4 unchanged, 0 failed" in result.output
    assert con.execute("SELECT COUNT(*), MAX(id) FROM documents").fetchone() == before
    result = CliRunner().invoke(main, ["ingest", str(plan_folder / "cli-qb.pdf"), "--db", str(db), "-q", "--force"])
    assert "1 ingested" in result.output
    assert con.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 4
    assert [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("sections", "tasks", "targets")] == counts
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_documents_rows_follow_the_contract(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = {r["issuer"]: dict(r) for r in con.execute("SELECT * FROM documents")}
    qb = rows["Quảng Bình"]
    assert (qb["format"], qb["status"], qb["issuer_kind"], qb["doc_number"]) == ("pdf", "ok", "province", "318/KH-UBND")
    assert (qb["issued_date"], qb["plan_year"], qb["template"]) == ("2024-12-05", 2025, "2025")
    assert len(qb["sha256"]) == 64 and qb["pages"] >= 3
    assert rows["Bộ Tư pháp"]["issuer_kind"] == "ministry"
    task = con.execute("SELECT * FROM tasks WHERE text LIKE '%học bạ số%'").fetchone()
    assert json.loads(task["coordinating_units"]) == ["Sở Thông tin và Truyền thông"]
    assert (task["deadline_date"], task["source"]) == ("2026-12-31", "table")


def test_missing_json_names_exactly_the_lacking_sections(db, base_spec):
    from extract.templates import template_for_year

    rows = _json(["missing", "--db", str(db), "--format", "json"])
    want = {k: v for k, v in base_spec.coverage(template_for_year(2025).keys).items() if v != "present"}
    qb = {r["template_key"]: r["status"] for r in rows if r["issuer"] == "Quảng Bình"}
    assert qb == want
    assert set(rows[0]) >= {"issuer", "document_id", "template", "template_key", "title", "status"}
    only_ministry = _json(["missing", "--db", str(db), "--format", "json", "--kind", "ministry"])
    assert {r["issuer"] for r in only_ministry} == {"Bộ Tư pháp"}
    branch = _json(["missing", "--db", str(db), "--format", "json", "--section", "P2/III"])
    assert branch and all(r["template_key"].startswith("P2/III") for r in branch)


def test_missing_matrix_for_people(db):
    result = CliRunner().invoke(main, ["missing", "--db", str(db)])
    assert result.exit_code == 0
    assert "Quảng Bình 2025" in result.output and "P1/II/5" in result.output and "○" in result.output


def test_commitments_by_indicator_with_floors(db):
    rows = _json(["commitments", "--indicator", "1", "--db", str(db), "--format", "json", "--show-silent"])
    by_issuer = {r["issuer"]: r for r in rows}
    qb, ht = by_issuer["Quảng Bình"], by_issuer["Hà Tĩnh"]
    assert (qb["value"], qb["comparator"], qb["floor"], qb["meets_floor"]) == (95, ">=", 95, True)
    assert (ht["value"], ht["floor"], ht["meets_floor"]) == (90, 95, False)
    assert by_issuer["Bộ Tư pháp"]["floor"] == 80 and by_issuer["Bộ Tư pháp"]["meets_floor"] is True
    assert by_issuer["Quảng Trị"]["silent"] is True and by_issuer["Quảng Trị"]["value"] is None
    for r in rows:
        assert set(r) >= {"issuer", "issuer_kind", "plan_year", "document_id", "text", "value", "unit", "comparator",
                          "indicator_id", "floor", "meets_floor", "page"}
    table = CliRunner().invoke(main, ["commitments", "--indicator", "1", "--db", str(db)])
    assert "BELOW" in table.output and "1 says nothing" in table.output


def test_commitments_free_text_accents_optional(db):
    with_accents = _json(["commitments", "trợ lý ảo", "--db", str(db), "--format", "json", "--show-silent"])
    without = _json(["commitments", "tro ly ao", "--db", str(db), "--format", "json", "--show-silent"])
    assert [(r["issuer"], r["silent"]) for r in with_accents] == [(r["issuer"], r["silent"]) for r in without]
    silent = {r["issuer"] for r in with_accents if r["silent"]}
    assert silent == {"Quảng Trị"}
    hit = next(r for r in with_accents if r["issuer"] == "Quảng Bình")
    assert "[trợ lý ảo]" in hit["text"].lower() and hit["page"] >= 1


def test_search_accent_free_with_snippet_and_page(db):
    rows = _json(["search", "dinh danh", "--db", str(db), "--format", "json"])
    assert rows and all("[" in r["snippet"] for r in rows)
    assert any("[định danh]" in r["snippet"] for r in rows)
    assert {"issuer", "document_id", "page", "kind", "snippet"} <= set(rows[0])
    tasks_only = _json(["search", "hạ tầng số", "--kind", "task", "--db", str(db), "--format", "json"])
    assert all(r["kind"] == "task" for r in tasks_only)
    csv_out = CliRunner().invoke(main, ["search", "VNeID", "--db", str(db), "--format", "csv"])
    assert csv_out.output.splitlines()[0].startswith("issuer,")


def test_errors_are_one_line_and_exit_nonzero(tmp_path):
    result = CliRunner().invoke(main, ["missing", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no corpus" in result.output
    result = CliRunner().invoke(main, ["commitments", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2


def test_failed_file_is_recorded_and_exit_code_is_3(tmp_path, plan_folder):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(plan_folder / "cli-qb.pdf", folder / "good.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")
    db = tmp_path / "c.db"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db), "-q"])
    assert result.exit_code == 3
    assert "1 ingested, 0 unchanged, 1 failed" in result.output
    con = sqlite3.connect(db)
    status, error = con.execute("SELECT status, error FROM documents WHERE filename = 'broken.pdf'").fetchone()
    assert status == "error" and "PDF" in error


def test_a_corpus_from_an_earlier_schema_is_upgraded(db, tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    con = sqlite3.connect(old)
    con.execute("DROP INDEX tasks_indicator")
    con.execute("ALTER TABLE tasks DROP COLUMN indicator_id")
    con.execute("UPDATE dxplan_meta SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    rows = _json(["commitments", "--indicator", "1", "--db", str(old), "--format", "json"])
    assert {r["issuer"] for r in rows} >= {"Quảng Bình", "Hà Tĩnh"}
    con = sqlite3.connect(old)
    assert "indicator_id" in {r[1] for r in con.execute("PRAGMA table_info(tasks)")}
    assert con.execute("SELECT value FROM dxplan_meta WHERE key = 'schema_version'").fetchone()[0] == "2"
