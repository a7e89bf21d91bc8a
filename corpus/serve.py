"""`dxplan serve`: the corpus in a browser, read-only, through Datasette running in-process.

The Datasette instance gets Vietnamese metadata and canned queries from
`corpus/serve/metadata.yaml`, a home page listing the ingested plans
(`corpus/serve/templates/index.html`), and this module as a plugin:

- `prepare_connection`: SQL functions for accent-insensitive search (`dxplan_fold`,
  `dxplan_match`, `dxplan_highlight`) and `dxplan_quarter`;
- `register_routes`: `/-/dxplan/document/{id}` serves the source file of a document, and
  only files that `documents.path` lists;
- `render_cell`: `page` cells link to that route at `#page=N`; snippets keep their marks;
- `extra_template_vars` / `extra_css_urls`: the home page's data and style;
- `extra_js_urls` / `extra_body_script`: Vietnamese labels on the query forms.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import socket
import sqlite3
import sys
import threading
import webbrowser
import zipfile
from pathlib import Path
from urllib.parse import quote

import markupsafe
import yaml
from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm
from datasette.utils.asgi import Response, asgi_send_file

from corpus.search import fts_query, snippet
from ingest.detect import zip_member_name
from ingest.normalize import fold

SERVE_DIR = Path(__file__).with_name("serve")
DB_NAME = "corpus"  # URL name of the database, whatever the file is called
PLUGIN = "dxplan"
DOCUMENT_ROUTE = "/-/dxplan/document/"
SETTINGS = {
    "default_page_size": 50,
    "truncate_cells_html": 600,
    "sql_time_limit_ms": 5000,
    "suggest_facets": False,
    "facet_time_limit_ms": 500,
}
KIND_LABELS = {"province": "Tỉnh, thành phố", "ministry": "Bộ, ngành", "other": "Khác"}
STATUS_LABELS = {"ok": "Đọc đầy đủ", "partial": "Đọc được một phần", "error": "Lỗi"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
}


# ---------------------------------------------------------------- the app
def load_metadata() -> dict:
    return yaml.safe_load((SERVE_DIR / "metadata.yaml").read_text(encoding="utf-8"))


def make_app(db_path: str | Path, *, immutable: bool = False) -> Datasette:
    """A Datasette over the corpus file, opened read-only (SQLite `mode=ro`).

    Read-only rather than immutable by default: a `dxplan ingest` running alongside then
    shows up on reload instead of confusing a reader that assumes the file never changes.
    """
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no corpus at {path} (run `dxplan ingest` first)")
    _check_corpus(path)
    if not pm.is_registered(_plugin_module()):
        pm.register(_plugin_module(), name=PLUGIN)
    # Datasette 0.65 prints a rich traceback (with locals) for every error page, and for a
    # URL no route matches that call itself fails and turns the 404 into a 500. Imported
    # here, after datasette.app: imported first it would load before Datasette registers it.
    import datasette.handle_exception as datasette_errors

    datasette_errors.rich = None
    ds = Datasette(
        files=[],
        metadata=load_metadata(),
        template_dir=str(SERVE_DIR / "templates"),
        static_mounts=[("dxplan-static", str(SERVE_DIR / "static"))],
        settings=SETTINGS,
    )
    ds.add_database(Database(ds, path=str(path.resolve()), is_mutable=not immutable), name=DB_NAME)
    ds._dxplan_db_path = path.resolve()  # where relative document paths are looked up
    return ds


def _check_corpus(path: Path) -> None:
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            conn.execute("SELECT id, issuer, path FROM documents LIMIT 1").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path} is not a dxplan corpus ({exc})") from None


def _plugin_module():
    return sys.modules[__name__]


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, open_browser: bool = False) -> None:
    """Serve until interrupted. The socket is bound first so a busy port is a clear error."""
    import uvicorn

    ds = make_app(db_path)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); try --port") from None
    sock.listen(128)
    url = f"http://{host}:{port}/"
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="off"))
    print(f"Serving {db_path} at {url} (read-only; Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    server.run(sockets=[sock])


def _open_when_started(server, url: str) -> None:
    import time

    for _ in range(100):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.1)


# ---------------------------------------------------------------- SQL functions
def match_query(query: str | None) -> str:
    """The FTS5 expression for `search_folded`: folded words, quoted; no words match nothing."""
    return fts_query(fold(query or "")) or '""'


def highlight(text: str | None, query: str | None) -> str | None:
    """An excerpt of the original text (accents kept) with <mark> around the words found."""
    return snippet(text, query or "", mark=("<mark>", "</mark>")) if text else text


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def quarter(value: str | None) -> int | None:
    """'II', '2', 'Quý II', 'quy 2/2025', 'Q3' → the quarter number; anything else → None."""
    m = re.match(r"^\s*(?:quy|q)?\s*(iv|iii|ii|i|[1-4])\b", fold(value or ""))
    if not m:
        return None
    return int(m.group(1)) if m.group(1).isdigit() else _ROMAN[m.group(1)]


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("dxplan_fold", 1, lambda s: fold(s) if isinstance(s, str) else s, deterministic=True)
    conn.create_function("dxplan_match", 1, match_query, deterministic=True)
    conn.create_function("dxplan_highlight", 2, highlight, deterministic=True)
    conn.create_function("dxplan_quarter", 1, quarter, deterministic=True)


# ---------------------------------------------------------------- cells
def _enabled(datasette, database: str | None = None) -> bool:
    """Hooks are global to the process: act only inside an app made by `make_app`."""
    name = (datasette.plugin_config(PLUGIN) or {}).get("database")
    return name is not None and (database is None or database == name)


def _row_value(row, key: str):
    """A column of the row; foreign keys expanded by the table view arrive as {value, label}."""
    try:
        value = row[key]
    except (IndexError, KeyError):
        return None
    return value.get("value") if isinstance(value, dict) else value


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database is None or not _enabled(datasette, database):
        return None
    if column == "page" and isinstance(value, int):
        doc = _row_value(row, "document_id")
        if isinstance(doc, int):
            href = datasette.urls.path(f"{DOCUMENT_ROUTE}{doc}#page={value}")
            return markupsafe.Markup('<a class="dxplan-page" href="{}" title="Mở tài liệu gốc tại trang {}">{}</a>').format(
                href, value, value)
    if table == "documents" and column in ("path", "filename") and isinstance(value, str):
        doc = _row_value(row, "id")
        if isinstance(doc, int):
            href = datasette.urls.path(f"{DOCUMENT_ROUTE}{doc}")
            return markupsafe.Markup('<a class="dxplan-source" href="{}">{}</a>').format(href, value)
    if table is None and column == "document_id" and isinstance(value, int):
        href = datasette.urls.row(DB_NAME, "documents", str(value))
        return markupsafe.Markup('<a href="{}">{}</a>').format(href, value)
    if column == "snippet" and isinstance(value, str):
        escaped = str(markupsafe.escape(value))
        return markupsafe.Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))
    if column == "meets_floor" and value in (0, 1):
        return markupsafe.Markup('<span class="dxplan-{}">{}</span>').format(
            "ok" if value else "low", "✓ đạt" if value else "✗ thấp hơn mức sàn")
    return None


# ---------------------------------------------------------------- source documents
class _FileResponse:
    """Streams a file from disk in 64 KiB chunks (Datasette's own download uses 4 KiB)."""

    def __init__(self, path: Path, content_type: str, headers: dict[str, str]):
        self.path, self.content_type, self.headers = path, content_type, headers

    async def asgi_send(self, send) -> None:
        await asgi_send_file(send, self.path, content_type=self.content_type, chunk_size=1 << 16,
                             headers=dict(self.headers))


_HASHES: dict[tuple[str, int, int], str] = {}


def _sha256_file(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        h = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


def _candidates(recorded: str, db_path: Path) -> list[Path]:
    """Where a recorded path may be: as is, or relative to the working directory or the corpus."""
    p = Path(recorded)
    if p.is_absolute():
        return [p]
    return [Path.cwd() / p, db_path.parent / p, db_path.parent.parent / p]


def _zip_member(recorded: str, db_path: Path) -> bytes | None:
    """Bytes of an archive member recorded as 'plans.zip/folder/file.pdf' (as `ingest` names them)."""
    parts = Path(recorded).parts
    for i in range(1, len(parts)):
        if not parts[i - 1].lower().endswith(".zip"):
            continue
        for archive in _candidates(str(Path(*parts[:i])), db_path):
            if archive.is_file():
                return _read_member(archive, "/".join(parts[i:]))
    return None


def _read_member(archive: Path | io.BytesIO, name: str) -> bytes | None:
    """The member called `name`, looking into archives inside the archive as ingest does."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                member = zip_member_name(info)
                if member == name:
                    return zf.read(info)
                if member.lower().endswith(".zip") and name.startswith(member + "/"):
                    return _read_member(io.BytesIO(zf.read(info)), name[len(member) + 1:])
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return None
    return None


def _disposition(kind: str, filename: str) -> str:
    ascii_name = re.sub(r'[^A-Za-z0-9._ -]', "_", fold(filename)) or "document"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def document_view(datasette, request):
    doc_id = int(request.url_vars["id"])
    db = datasette.get_database(DB_NAME)
    rows = (await db.execute("SELECT path, filename, format, sha256 FROM documents WHERE id = ?", [doc_id])).rows
    if not rows:
        return await _error(datasette, request, 404, f"Không có tài liệu số {doc_id} trong kho.")
    recorded, filename, fmt, sha = rows[0]
    fmt = (fmt or Path(filename).suffix.lstrip(".")).lower()
    headers = {
        "content-disposition": _disposition("inline" if fmt == "pdf" else "attachment", filename),
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
    }
    content_type = CONTENT_TYPES.get(fmt, "application/octet-stream")
    db_path = datasette._dxplan_db_path
    # hashing and unzipping can take a moment on large files: keep the server responsive
    for path in _candidates(recorded, db_path):
        if path.is_file():
            if await asyncio.to_thread(_sha256_file, path) != sha:
                return await _error(datasette, request, 409, _changed(filename))
            return _FileResponse(path, content_type, headers)
    data = await asyncio.to_thread(_zip_member, recorded, db_path)
    if data is not None:
        if hashlib.sha256(data).hexdigest() != sha:
            return await _error(datasette, request, 409, _changed(filename))
        return Response(data, headers=headers, content_type=content_type)
    return await _error(datasette, request, 404,
                        f"Không tìm thấy tệp gốc của tài liệu số {doc_id} ({recorded}) trên máy này.")


def _changed(filename: str) -> str:
    return (f"Tệp {filename} đã thay đổi kể từ khi nạp vào kho nên số trang có thể không còn đúng. "
            "Hãy chạy lại dxplan ingest.")


async def _error(datasette, request, status: int, message: str) -> Response:
    """Datasette's error page, without the traceback it logs for raised exceptions."""
    title = "Không tìm thấy tài liệu" if status == 404 else "Tài liệu đã thay đổi"
    html = await datasette.render_template("error.html", {"error": message, "status": status, "title": title},
                                           request=request)
    return Response.html(html, status=status)


@hookimpl
def register_routes(datasette):
    if not _enabled(datasette):
        return []
    return [(r"^/-/dxplan/document/(?P<id>\d+)$", document_view)]


# ---------------------------------------------------------------- home page
_PLANS_SQL = """
SELECT d.id, d.issuer, d.issuer_kind, d.plan_year, d.doc_number, d.issued_date, d.pages, d.status,
       d.template, d.filename, d.format, d.error,
       (SELECT count(*) FROM sections s WHERE s.document_id = d.id) AS n_sections,
       (SELECT count(*) FROM tasks t WHERE t.document_id = d.id) AS n_tasks,
       (SELECT count(*) FROM targets g WHERE g.document_id = d.id) AS n_targets,
       (SELECT count(*) FROM section_coverage c WHERE c.document_id = d.id AND c.status != 'present') AS n_missing
FROM documents d
ORDER BY d.status = 'error', d.issuer_kind, d.issuer, d.plan_year, d.id
"""
_INDICATORS_SQL = """
SELECT i.id, i.text, i.floor_province, i.floor_ministry,
       (SELECT count(DISTINCT p.issuer) FROM targets t JOIN latest_plans p ON p.id = t.document_id
        WHERE t.indicator_id = i.id) AS n_issuers
FROM indicators i ORDER BY i.id
"""


def _number(value) -> str:
    """95.0 → '95', 0.5 → '0.5', None → ''."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


async def _home_vars(datasette) -> dict:
    db = datasette.get_database(DB_NAME)
    plans = [dict(r) for r in (await db.execute(_PLANS_SQL)).rows]
    for p in plans:
        p["kind_label"] = KIND_LABELS.get(p["issuer_kind"], p["issuer_kind"] or "")
        p["status_label"] = STATUS_LABELS.get(p["status"], p["status"])
        p["source_url"] = datasette.urls.path(f"{DOCUMENT_ROUTE}{p['id']}")
    indicators = [dict(r) for r in (await db.execute(_INDICATORS_SQL)).rows]
    for i in indicators:
        for key in ("floor_province", "floor_ministry"):
            i[key] = _number(i[key])
    queries = datasette.metadata("queries", database=DB_NAME) or {}
    tables = datasette.metadata("tables", database=DB_NAME) or {}
    ok = [p for p in plans if p["status"] != "error"]
    return {
        "dxplan_plans": ok,
        "dxplan_failed": [p for p in plans if p["status"] == "error"],
        "dxplan_issuers": sorted({p["issuer"] for p in ok if p["issuer"]}),
        "dxplan_queries": [{"name": k, "title": v.get("title", k), "description": v.get("description", "")}
                           for k, v in queries.items()],
        "dxplan_indicators": indicators,
        "dxplan_tables": [{"name": k, "title": v["title"]} for k, v in tables.items()
                          if v.get("title") and not v.get("hidden")],
        "dxplan_db": DB_NAME,
    }


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html" or not _enabled(datasette):
        return {}

    async def inner():
        return await _home_vars(datasette)

    return inner


@hookimpl
def extra_css_urls(datasette):
    if not _enabled(datasette):
        return []
    return [datasette.urls.path("/dxplan-static/dxplan.css")]


@hookimpl
def extra_js_urls(template, datasette):
    if template != "query.html" or not _enabled(datasette):
        return []
    return [datasette.urls.path("/dxplan-static/query-labels.js")]


@hookimpl
def extra_body_script(template, datasette):
    if template != "query.html" or not _enabled(datasette):
        return None
    config = datasette.plugin_config(PLUGIN) or {}
    words = {k: config.get(k, {}) for k in ("params", "ui", "columns")}
    return "dxplanLabels(" + json.dumps(words, ensure_ascii=False).replace("</", "<\\/") + ");"
