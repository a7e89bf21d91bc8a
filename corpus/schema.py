"""The SQLite schema of the corpus (the contract's core tables, plus results and search)."""

from __future__ import annotations

SCHEMA_VERSION = 2

# Columns added after a schema version, for corpora created by an earlier dxplan.
ADDED_COLUMNS = [
    ("tasks", "indicator_id", "INTEGER"),
]

# Indexes on columns that an earlier corpus may have to gain first (see ADDED_COLUMNS).
LATE_INDEXES = """
CREATE INDEX IF NOT EXISTS tasks_indicator ON tasks (indicator_id);
"""

TABLES = """
CREATE TABLE IF NOT EXISTS dxplan_meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    format TEXT,
    pages INTEGER,
    status TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'error')),
    error TEXT,
    issuer TEXT,
    issuer_kind TEXT,
    doc_number TEXT,
    issued_date TEXT,
    plan_year INTEGER,
    title TEXT,
    template TEXT,
    ingested_at TEXT NOT NULL,
    doc_type TEXT,
    issuer_text TEXT,
    place TEXT,
    size_bytes INTEGER,
    ocr_pages TEXT,
    unreadable_pages TEXT,
    legacy_encodings TEXT,
    warnings TEXT,
    seconds REAL
);
CREATE INDEX IF NOT EXISTS documents_issuer ON documents (issuer, plan_year);

CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES sections(id),
    ordinal INTEGER NOT NULL,
    level INTEGER NOT NULL,
    number TEXT,
    title TEXT NOT NULL,
    template_key TEXT,
    page INTEGER,
    text TEXT,
    match_score REAL
);
CREATE INDEX IF NOT EXISTS sections_document ON sections (document_id, ordinal);

CREATE TABLE IF NOT EXISTS section_coverage (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    template TEXT NOT NULL,
    template_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('present', 'empty', 'missing')),
    section_id INTEGER REFERENCES sections(id),
    PRIMARY KEY (document_id, template_key)
);

CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id INTEGER REFERENCES sections(id),
    text TEXT NOT NULL,
    lead_unit TEXT,
    coordinating_units TEXT,
    deadline_text TEXT,
    deadline_date TEXT,
    recurring INTEGER NOT NULL DEFAULT 0,
    page INTEGER,
    source TEXT,
    lead_unit_text TEXT,
    lead_unit_successor TEXT,
    budget TEXT
);
CREATE INDEX IF NOT EXISTS tasks_document ON tasks (document_id);

CREATE TABLE IF NOT EXISTS targets (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id INTEGER REFERENCES sections(id),
    text TEXT NOT NULL,
    value REAL,
    unit TEXT,
    comparator TEXT,
    year INTEGER,
    level TEXT,
    indicator_id INTEGER REFERENCES indicators(id),
    match_score REAL,
    page INTEGER,
    source TEXT,
    floor REAL,
    meets_floor INTEGER
);
CREATE INDEX IF NOT EXISTS targets_document ON targets (document_id);
CREATE INDEX IF NOT EXISTS targets_indicator ON targets (indicator_id);

CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id INTEGER REFERENCES sections(id),
    text TEXT NOT NULL,
    value REAL,
    unit TEXT,
    year INTEGER,
    page INTEGER
);

CREATE TABLE IF NOT EXISTS indicators (
    id INTEGER PRIMARY KEY,
    catalogue TEXT,
    text TEXT NOT NULL,
    floor_national REAL,
    floor_province REAL,
    floor_ministry REAL,
    comparator TEXT,
    unit TEXT,
    floors TEXT
);

CREATE TABLE IF NOT EXISTS template_sections (
    template TEXT NOT NULL,
    key TEXT NOT NULL,
    parent_key TEXT,
    title TEXT NOT NULL,
    depth INTEGER,
    ordinal INTEGER,
    PRIMARY KEY (template, key)
);

-- One row per searchable passage (section text, task, target); two FTS5 indexes over it:
-- exact (diacritics kept) and folded (accents and đ removed) for accent-free queries.
CREATE TABLE IF NOT EXISTS search_items (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ref_id INTEGER,
    page INTEGER,
    text TEXT NOT NULL,
    text_folded TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS search_items_document ON search_items (document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS search_exact USING fts5(
    text, content='search_items', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS search_folded USING fts5(
    text_folded, content='search_items', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
"""

VIEWS = """
CREATE VIEW IF NOT EXISTS plans AS
    SELECT id, issuer, issuer_kind, plan_year, doc_number, issued_date, title, template, pages, status,
           filename, ingested_at
    FROM documents WHERE status != 'error';

CREATE VIEW IF NOT EXISTS latest_plans AS
    SELECT d.* FROM documents d
    WHERE d.status != 'error' AND d.plan_year IS NOT NULL AND d.issuer IS NOT NULL
      AND d.id = (SELECT d2.id FROM documents d2
                  WHERE d2.issuer = d.issuer AND d2.plan_year = d.plan_year AND d2.status != 'error'
                  ORDER BY COALESCE(d2.issued_date, '') DESC, d2.id DESC LIMIT 1);

CREATE VIEW IF NOT EXISTS missing_sections AS
    SELECT d.issuer, d.issuer_kind, d.plan_year, c.document_id, c.template, c.template_key, t.title, c.status
    FROM section_coverage c
    JOIN documents d ON d.id = c.document_id
    JOIN template_sections t ON t.template = c.template AND t.key = c.template_key
    WHERE c.status != 'present';

CREATE VIEW IF NOT EXISTS tasks_without_owner AS
    SELECT t.id, d.issuer, t.document_id, t.page, t.text, t.lead_unit, t.deadline_text
    FROM tasks t JOIN documents d ON d.id = t.document_id
    WHERE t.lead_unit IS NULL OR (t.deadline_date IS NULL AND t.recurring = 0);

CREATE VIEW IF NOT EXISTS targets_below_floor AS
    SELECT d.issuer, d.issuer_kind, d.plan_year, t.document_id, t.page, t.indicator_id, t.value, t.unit,
           t.comparator, t.floor, t.text
    FROM targets t JOIN documents d ON d.id = t.document_id
    WHERE t.meets_floor = 0;
"""
