"""Review reports: one HTML and one XLSX file per plan, and one pair for the whole corpus.

The reports are built once as renderer-neutral pages (tables of cells with a colour status
and a source link), then written by `corpus.report_html` and `corpus.report_xlsx`, so the
browser file and the spreadsheet always say the same thing in the same colours.

    write_reports("outputs/corpus.db", "outputs")   # → outputs/reports/*.html, *.xlsx
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import yaml

from corpus.store import connect
from ingest.normalize import fold

TEMPLATES = Path(__file__).parent / "templates" / "report"

# Colour of each cell status, shared by the HTML (CSS) and the XLSX (fills): (background, text).
COLOURS: dict[str, tuple[str, str]] = {
    "meets": ("D4EDDA", "155724"),
    "below": ("F8D7DA", "842029"),
    "missing": ("F8D7DA", "842029"),
    "empty": ("FFF3CD", "7A5B00"),
    "absent": ("E2E3E5", "495057"),
    "na": ("FFFFFF", "9AA0A6"),
    "neutral": ("E7F1FB", "1F3B57"),
}
COMPARATORS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


# ---------------------------------------------------------------- page model
@dataclass
class Cell:
    text: str = ""
    value: object = None  # what the spreadsheet cell holds; None → `text`
    href: str | None = None  # link to the source (file URI with #page) or to another report
    status: str | None = None  # a key of COLOURS
    tip: str | None = None  # hover text (HTML title, not written to XLSX)
    fmt: str | None = None  # XLSX number format

    @property
    def xlsx_value(self):
        return self.text if self.value is None else self.value


@dataclass
class Column:
    label: str
    width: float = 14  # in characters (XLSX); the HTML uses it as a relative hint
    wrap: bool = False
    rotate: bool = False  # narrow matrix column with a vertical header
    tip: str | None = None


@dataclass
class Chart:
    """A horizontal stacked bar chart of some numeric columns of a table, one bar per row."""

    title: str
    series: list[int]  # column indexes
    colours: list[str]  # hex RGB per series
    label_column: int = 0


@dataclass
class Table:
    key: str  # HTML anchor
    title: str
    sheet: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str | None = None
    freeze_cols: int = 0
    chart: Chart | None = None
    facts: bool = False  # a two-column "field: value" table (no header row in HTML)
    matrix: bool = False  # rows × categories grid of short coloured marks


@dataclass
class Page:
    stem: str  # file name without suffix
    title: str
    subtitle: str
    tables: list[Table]
    counts: list[tuple[str, int, str, str | None]] = field(default_factory=list)  # label, n, anchor, status
    legend: list[tuple[str, str]] = field(default_factory=list)  # status, label
    back_href: str | None = None
    generated: str = ""


@dataclass
class ReportRun:
    paths: list[Path]
    plans: int
    below: int
    missing: int
    incomplete: int
    folder: Path | None = None

    def line(self) -> str:
        text = (f"{_n(len(self.paths), 'file')} written for {_n(self.plans, 'plan')}: "
                f"{_n(self.below, 'target')} below the floor, {_n(self.missing, 'missing section')}, "
                f"{_n(self.incomplete, 'task')} without a lead unit or deadline")
        return text + (f" → {self.folder}" if self.folder else "")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------- helpers
@lru_cache(maxsize=1)
def labels() -> dict:
    return yaml.safe_load((TEMPLATES / "labels.yaml").read_text(encoding="utf-8"))


def slug(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text or "")).strip("-") or "khong-ro"


def number(value: float | None) -> str:
    """Vietnamese decimal comma: 87.5 → '87,5'."""
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


def quantity(value: float | None, unit: str | None, comparator: str | None = None) -> str:
    if value is None:
        return ""
    sign = COMPARATORS.get(comparator or "", comparator or "")
    unit = unit or ""
    amount = number(value) + (unit if unit == "%" else f" {unit}" if unit else "")
    return f"{sign}\u00a0{amount}" if sign else amount  # no line break inside "≥ 60%"


def vn_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def json_list(text: str | None) -> list:
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return [text]
    return value if isinstance(value, list) else [value]


def local_file(path: str | None, base: Path) -> Path | None:
    """The document's file when it is a readable local file (not an archive member)."""
    if not path:
        return None
    p = Path(path)
    for candidate in ([p] if p.is_absolute() else [Path.cwd() / p, base / p]):
        if candidate.is_file():
            return candidate.resolve()
    return None


class Sources:
    """Links to pages of the plans' files: `file:///…pdf#page=N` for local PDFs, plain text otherwise."""

    def __init__(self, base: Path):
        self.base = base
        self._files: dict[int, Path | None] = {}

    def file(self, doc: dict) -> Path | None:
        if doc["id"] not in self._files:
            self._files[doc["id"]] = local_file(doc["path"], self.base)
        return self._files[doc["id"]]

    def page(self, doc: dict, page: int | None) -> Cell:
        if page is None:
            return Cell("")
        text = labels()["page"].format(n=page)
        f = self.file(doc)
        if f is not None and (doc["format"] == "pdf" or f.suffix.lower() == ".pdf"):
            return Cell(text, value=text, href=f"{f.as_uri()}#page={page}")
        return Cell(text)


# ---------------------------------------------------------------- catalogue
@dataclass
class Indicator:
    id: int
    text: str
    catalogue: str | None
    floors: list[dict]

    def floors_for(self, kind: str | None) -> list[dict]:
        """Floors for an issuer of this kind; the national ones when the kind has none of its own.
        Empty when the indicator only binds the other kind (indicator 6 binds ministries only)."""
        own = [f for f in self.floors if f.get("scope") == kind]
        return own or [f for f in self.floors if f.get("scope") == "national"]

    def floor_text(self, kind: str | None) -> str:
        parts = []
        for f in self.floors_for(kind):
            q = quantity(f.get("value"), f.get("unit") or "%", f.get("comparator"))
            qual = f.get("level") or f.get("part")
            parts.append(f"{q} ({qual})" if qual else q)
        return "; ".join(parts)

    def short(self, n: int = 90) -> str:
        return self.text if len(self.text) <= n else self.text[: n - 1].rstrip() + "…"


def load_catalogue(conn: sqlite3.Connection) -> list[Indicator]:
    rows = conn.execute("SELECT id, text, catalogue, floors FROM indicators ORDER BY id").fetchall()
    return [Indicator(r[0], r[1], r[2], json_list(r[3])) for r in rows]


# ---------------------------------------------------------------- queries
def fetch(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def select_documents(conn: sqlite3.Connection, document_ids: list[int] | None = None,
                     year: int | None = None) -> list[dict]:
    """Readable plans (status ok or partial), in reading order: kind, issuer, year, id."""
    clauses, params = ["status IN ('ok', 'partial')"], []
    if document_ids:
        clauses.append(f"id IN ({','.join('?' * len(document_ids))})")
        params += list(document_ids)
    if year is not None:
        clauses.append("plan_year = ?")
        params.append(year)
    docs = fetch(conn, f"SELECT * FROM documents WHERE {' AND '.join(clauses)} "
                       "ORDER BY issuer_kind, issuer IS NULL, issuer, plan_year, id", params)
    if document_ids:
        found = {d["id"] for d in docs}
        absent = [str(i) for i in document_ids if i not in found]
        if absent:
            raise ValueError(f"no readable plan with id {', '.join(absent)}"
                             + (f" for year {year}" if year is not None else ""))
    return docs


def latest_ids(conn: sqlite3.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT id FROM latest_plans")}


def coverage_rows(conn: sqlite3.Connection, doc_id: int) -> list[dict]:
    return fetch(conn, """
        SELECT c.template_key, c.status, t.title, t.ordinal, s.page
        FROM section_coverage c
        JOIN template_sections t ON t.template = c.template AND t.key = c.template_key
        LEFT JOIN sections s ON s.id = c.section_id
        WHERE c.document_id = ? ORDER BY t.ordinal""", (doc_id,))


def target_rows(conn: sqlite3.Connection, doc_id: int) -> list[dict]:
    return fetch(conn, "SELECT * FROM targets WHERE document_id = ? ORDER BY page, id", (doc_id,))


def task_rows(conn: sqlite3.Connection, doc_id: int) -> list[dict]:
    return fetch(conn, "SELECT * FROM tasks WHERE document_id = ? ORDER BY page, id", (doc_id,))


def task_lacks(task: dict) -> list[str]:
    """What a task lacks: the lead unit, and a deadline unless it is a recurring task."""
    lacks = []
    if not task["lead_unit"]:
        lacks.append("lead")
    if not task["deadline_date"] and not task["recurring"]:
        lacks.append("deadline")
    return lacks


def uses_catalogue(doc: dict, catalogue: list[Indicator]) -> bool:
    """The indicator catalogue belongs to one template (the 2025 one); older plans answer another."""
    names = {i.catalogue for i in catalogue if i.catalogue}
    return not names or doc["template"] in names


def unaddressed(doc: dict, targets: list[dict], catalogue: list[Indicator]) -> list[Indicator]:
    matched = {t["indicator_id"] for t in targets if t["indicator_id"] is not None}
    return [i for i in catalogue if i.id not in matched and i.floors_for(doc["issuer_kind"])]


# ---------------------------------------------------------------- plans
def plan_stem(doc: dict) -> str:
    return f"{slug(doc['issuer'])}-{doc['plan_year'] or 'khong-nam'}-{doc['id']}"


def plan_name(doc: dict) -> str:
    name = doc["issuer"] or doc["filename"]
    return f"{name} {doc['plan_year']}" if doc["plan_year"] else name


@dataclass
class PlanFacts:
    """What the corpus page needs to know about each plan."""

    doc: dict
    coverage: list[dict]
    targets: list[dict]
    tasks: list[dict]

    @property
    def missing(self) -> int:
        return sum(c["status"] == "missing" for c in self.coverage)

    @property
    def empty(self) -> int:
        return sum(c["status"] == "empty" for c in self.coverage)

    @property
    def below(self) -> int:
        return sum(t["meets_floor"] == 0 for t in self.targets)

    @property
    def incomplete(self) -> int:
        return sum(bool(task_lacks(t)) for t in self.tasks)


def load_facts(conn: sqlite3.Connection, doc: dict) -> PlanFacts:
    return PlanFacts(doc, coverage_rows(conn, doc["id"]), target_rows(conn, doc["id"]), task_rows(conn, doc["id"]))


# ---------------------------------------------------------------- entry points
def _open(db_path: Path) -> sqlite3.Connection:
    db = connect(db_path, readonly=True)
    conn = db.conn
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    if not {"documents", "targets", "tasks", "section_coverage", "indicators", "latest_plans"} <= tables:
        raise FileNotFoundError(f"{db_path} is not a dxplan corpus (run `dxplan ingest` first)")
    return conn


def generate(db_path: str | Path, out_dir: str | Path, document_ids: list[int] | None = None,
             year: int | None = None) -> ReportRun:
    """Write the per-plan reports of the selected plans and, unless plans were picked by id,
    the corpus report, into `out_dir/reports/`."""
    from corpus.report_html import write_html
    from corpus.report_pages import corpus_page, plan_page
    from corpus.report_xlsx import write_xlsx

    db_path = Path(db_path)
    conn = _open(db_path)
    try:
        docs = select_documents(conn, list(document_ids) if document_ids else None, year)
        catalogue = load_catalogue(conn)
        latest = latest_ids(conn)
        sources = Sources(db_path.resolve().parent)
        generated = labels()["generated"].format(db=db_path.name, time=datetime.now().strftime("%d/%m/%Y %H:%M"))
        plans = [load_facts(conn, d) for d in docs]
        pages: list[Page] = [plan_page(p, catalogue, sources, generated) for p in plans]
        if not document_ids:
            pages.append(corpus_page(plans, latest, catalogue, sources, conn, generated))
    finally:
        conn.close()
    folder = Path(out_dir) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for page in pages:
        paths.append(write_html(page, folder / f"{page.stem}.html"))
        paths.append(write_xlsx(page, folder / f"{page.stem}.xlsx"))
    return ReportRun(paths, len(plans), sum(p.below for p in plans), sum(p.missing for p in plans),
                     sum(p.incomplete for p in plans), folder)


def write_reports(db_path: str | Path, out_dir: str | Path, document_ids: list[int] | None = None,
                  year: int | None = None) -> list[Path]:
    return generate(db_path, out_dir, document_ids, year).paths
