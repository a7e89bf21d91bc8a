"""Write plans into the SQLite corpus: one transaction per document, idempotent by sha256.

Rows are written with plain executemany inside an explicit `BEGIN IMMEDIATE` … `COMMIT`
(sqlite-utils' own inserts commit as they go, which would break all-or-nothing writes).
WAL and a busy timeout let two ingest runs share the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from corpus.schema import ADDED_COLUMNS, LATE_INDEXES, SCHEMA_VERSION, TABLES, VIEWS
from extract.catalogue import catalogue
from extract.templates import all_templates
from ingest.normalize import fold
from models.plan import Plan
from models.raw import RawDocument

BUSY_TIMEOUT_MS = 60_000


def connect(path: str | Path, readonly: bool = False) -> sqlite_utils.Database:
    path = Path(path)
    if readonly:
        if not path.exists():
            raise FileNotFoundError(f"no corpus at {path} (run `dxplan ingest` first)")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        if _schema_version(conn) != SCHEMA_VERSION:
            # a corpus made by an earlier dxplan: bring its schema up to date once, then read
            conn.close()
            connect(path).conn.close()
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        return sqlite_utils.Database(conn)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    ensure_schema(db)
    return db


def _schema_version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT value FROM dxplan_meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return int(row[0]) if row else None


def _statements(script: str) -> list[str]:
    """The script's statements one by one (comment lines dropped)."""
    out = []
    for chunk in script.split(";\n"):
        body = "\n".join(line for line in chunk.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            out.append(body)
    return out


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or bring up to date, in one transaction, so concurrent runs cannot collide."""
    conn = db.conn
    if _schema_version(conn) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _schema_version(conn) != SCHEMA_VERSION:  # another run may have done it meanwhile
            for statement in _statements(TABLES):
                conn.execute(statement)
            for table, column, kind in ADDED_COLUMNS:
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            for statement in _statements(LATE_INDEXES + VIEWS):
                conn.execute(statement)
            _load_reference(conn)
            conn.execute("INSERT OR REPLACE INTO dxplan_meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def _load_reference(conn: sqlite3.Connection) -> None:
    """Templates and the indicator catalogue, so SQL users can join against them."""
    conn.execute("DELETE FROM template_sections")
    for t in all_templates().values():
        conn.executemany(
            "INSERT INTO template_sections VALUES (?, ?, ?, ?, ?, ?)",
            [(t.template, s.key, s.parent_key, s.title, s.depth, i) for i, s in enumerate(t.sections)],
        )
    # upsert: targets refer to the indicators, so rows are updated in place, never deleted
    cat = catalogue()
    for ind in cat.indicators:
        conn.execute(
            "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "catalogue=excluded.catalogue, text=excluded.text, floor_national=excluded.floor_national, "
            "floor_province=excluded.floor_province, floor_ministry=excluded.floor_ministry, "
            "comparator=excluded.comparator, unit=excluded.unit, floors=excluded.floors",
            (ind.id, cat.catalogue, ind.text, ind.floor_for("national"), ind.floor_for("province"),
             ind.floor_for("ministry"), ind.floors[0].comparator if ind.floors else None,
             ind.floors[0].unit if ind.floors else None,
             json.dumps([f.model_dump(exclude_none=True) for f in ind.floors], ensure_ascii=False)),
        )


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> int:
    cols = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cur = conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
    return cur.lastrowid


def _insert_many(conn: sqlite3.Connection, table: str, rows: Iterable[dict]) -> None:
    rows = list(rows)
    if not rows:
        return
    cols = list(rows[0])
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [[r[c] for c in cols] for r in rows],
    )


def _delete_document(conn: sqlite3.Connection, doc_id: int) -> None:
    conn.execute("INSERT INTO search_exact(search_exact, rowid, text) "
                 "SELECT 'delete', id, text FROM search_items WHERE document_id = ?", (doc_id,))
    conn.execute("INSERT INTO search_folded(search_folded, rowid, text_folded) "
                 "SELECT 'delete', id, text_folded FROM search_items WHERE document_id = ?", (doc_id,))
    for table in ("search_items", "results", "targets", "tasks", "section_coverage"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
    conn.execute("UPDATE sections SET parent_id = NULL WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM sections WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def _json(value) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def page_ranges(pages: list[int]) -> str:
    """[3, 4, 5, 9] → "3-5, 9"."""
    runs: list[list[int]] = []
    for p in sorted(pages):
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def unreadable_message(raw: RawDocument) -> str:
    """"unreadable pages: 18-52 (content lost: …)": which pages, and why the first one failed."""
    bad = [p for p in raw.page_info if not p.readable]
    why = next((p.note for p in bad if p.note), None)
    return f"unreadable pages: {page_ranges([p.number for p in bad])}" + (f" ({why})" if why else "")


def store_plan(db: sqlite_utils.Database, raw: RawDocument, plan: Plan, *, size_bytes: int | None = None,
               seconds: float | None = None, replace: bool = False) -> tuple[int, bool]:
    """Write one document and everything extracted from it. Returns (document id, written?)."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        existing = conn.execute("SELECT id FROM documents WHERE sha256 = ?", (raw.sha256,)).fetchone()
        if existing and not replace:
            conn.execute("ROLLBACK")
            return existing[0], False
        if existing:
            _delete_document(conn, existing[0])
        m = plan.metadata
        unreadable = raw.unreadable_pages
        status = "partial" if unreadable else "ok"
        warnings = list(raw.warnings)
        if unreadable:
            warnings.insert(0, unreadable_message(raw))
        doc_id = _insert(conn, "documents", {
            "path": raw.path, "filename": raw.filename, "sha256": raw.sha256, "format": raw.format,
            "pages": raw.pages, "status": status, "error": "; ".join(warnings[:1]) if unreadable else None,
            "issuer": m.issuer, "issuer_kind": m.issuer_kind, "doc_number": m.doc_number,
            "issued_date": m.issued_date.isoformat() if m.issued_date else None, "plan_year": m.plan_year,
            "title": m.title, "template": m.template, "ingested_at": _now(), "doc_type": m.doc_type,
            "issuer_text": m.issuer_text, "place": m.place, "size_bytes": size_bytes,
            "ocr_pages": _json(raw.ocr_pages), "unreadable_pages": _json(unreadable),
            "legacy_encodings": _json(raw.legacy_encodings), "warnings": _json(warnings),
            "seconds": round(seconds, 3) if seconds is not None else None,
        })
        section_ids: dict[int, int] = {}
        search: list[dict] = []
        for s in plan.sections:
            sid = _insert(conn, "sections", {
                "document_id": doc_id, "parent_id": section_ids.get(s.parent) if s.parent is not None else None,
                "ordinal": s.ordinal, "level": s.level, "number": s.number, "title": s.title,
                "template_key": s.template_key, "page": s.page, "text": s.text, "match_score": s.match_score,
            })
            section_ids[s.ordinal] = sid
            body = f"{s.title}\n{s.text}".strip()
            search.append({"document_id": doc_id, "kind": "section", "ref_id": sid, "page": s.page,
                           "text": body, "text_folded": fold(body)})
        _insert_many(conn, "section_coverage", (
            {"document_id": doc_id, "template": m.template, "template_key": c.template_key, "status": c.status,
             "section_id": section_ids.get(c.section) if c.section is not None else None}
            for c in plan.coverage
        ))
        for t in plan.tasks:
            tid = _insert(conn, "tasks", {
                "document_id": doc_id, "section_id": section_ids.get(t.section) if t.section is not None else None,
                "text": t.text, "lead_unit": t.lead_unit, "coordinating_units": json.dumps(t.coordinating_units, ensure_ascii=False),
                "deadline_text": t.deadline_text, "deadline_date": t.deadline_date.isoformat() if t.deadline_date else None,
                "recurring": int(t.recurring), "page": t.page, "source": t.source, "lead_unit_text": t.lead_unit_text,
                "lead_unit_successor": t.lead_unit_successor, "budget": t.budget,
                "indicator_id": t.indicator_id,
            })
            search.append({"document_id": doc_id, "kind": "task", "ref_id": tid, "page": t.page,
                           "text": t.text, "text_folded": fold(t.text)})
        for g in plan.targets:
            gid = _insert(conn, "targets", {
                "document_id": doc_id, "section_id": section_ids.get(g.section) if g.section is not None else None,
                "text": g.text, "value": g.value, "unit": g.unit, "comparator": g.comparator, "year": g.year,
                "level": g.level, "indicator_id": g.indicator_id, "match_score": g.match_score, "page": g.page,
                "source": g.source, "floor": g.floor,
                "meets_floor": None if g.meets_floor is None else int(g.meets_floor),
            })
            search.append({"document_id": doc_id, "kind": "target", "ref_id": gid, "page": g.page,
                           "text": g.text, "text_folded": fold(g.text)})
        _insert_many(conn, "results", (
            {"document_id": doc_id, "section_id": section_ids.get(r.section) if r.section is not None else None,
             "text": r.text, "value": r.value, "unit": r.unit, "year": r.year, "page": r.page}
            for r in plan.results
        ))
        for row in search:
            rid = _insert(conn, "search_items", row)
            conn.execute("INSERT INTO search_exact(rowid, text) VALUES (?, ?)", (rid, row["text"]))
            conn.execute("INSERT INTO search_folded(rowid, text_folded) VALUES (?, ?)", (rid, row["text_folded"]))
        conn.execute("COMMIT")
        return doc_id, True
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def store_error(db: sqlite_utils.Database, path: Path, sha256: str, fmt: str | None, message: str,
                *, size_bytes: int | None = None, replace: bool = False) -> tuple[int, bool]:
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        existing = conn.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        if existing and not replace:
            conn.execute("ROLLBACK")
            return existing[0], False
        if existing:
            _delete_document(conn, existing[0])
        doc_id = _insert(conn, "documents", {
            "path": str(path), "filename": path.name, "sha256": sha256, "format": fmt, "pages": None,
            "status": "error", "error": message, "ingested_at": _now(), "size_bytes": size_bytes,
            "issuer_kind": None,
        })
        conn.execute("COMMIT")
        return doc_id, True
    except BaseException:
        conn.execute("ROLLBACK")
        raise
