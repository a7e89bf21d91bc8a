"""Full-text search over sections, tasks and targets (SQLite FTS5).

Two indexes over the same passages: `search_exact` keeps diacritics, `search_folded`
holds the accent-free form (đ → d, which no Unicode tokenizer does). A query written with
accents ranks exact hits first; a query without accents finds both spellings. Snippets
are cut from the original text and highlight the words found, accents or not.
"""

from __future__ import annotations

import re

import sqlite_utils

from ingest.normalize import fold, fold_aligned

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """User words → an FTS5 query: quoted phrases kept, other words ANDed, no syntax errors."""
    parts = []
    for m in re.finditer(r'"([^"]+)"|(\S+)', text):
        phrase = m.group(1) or m.group(2)
        words = _WORD.findall(phrase)
        if not words:
            continue
        parts.append('"' + " ".join(words) + '"')
    return " AND ".join(parts)


def _terms(query: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(query)]


def snippet(text: str, query: str, width: int = 180, mark: tuple[str, str] = ("[", "]")) -> str:
    """A window of the original text around the first hit, hits marked, accents kept."""
    folded = fold_aligned(text)
    terms = [t for t in _terms(query) if t]
    spans = []
    if len(terms) > 1:
        # the words as a phrase first: "[trợ lý ảo]" rather than "hỗ [trợ]"
        phrase = r"\s+".join(re.escape(t) for t in terms)
        spans = [(m.start(), m.end()) for m in re.finditer(r"(?<!\w)" + phrase + r"(?!\w)", folded)]
    if not spans:
        for t in terms:
            for m in re.finditer(r"(?<!\w)" + re.escape(t) + r"(?!\w)", folded):
                spans.append((m.start(), m.end()))
    if not spans:
        return text[:width] + ("…" if len(text) > width else "")
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:  # neighbouring hits read as one: "[định danh]" not "[định] [danh]"
        if merged and (a <= merged[-1][1] or not text[merged[-1][1]:a].strip()):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    spans = merged
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start > 0:  # begin and end on word boundaries
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    out, pos = [], start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out.append(text[pos:a])
        out.append(mark[0] + text[a:b] + mark[1])
        pos = b
    out.append(text[pos:end])
    body = "".join(out).replace("\n", " ")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def search(db: sqlite_utils.Database, query: str, *, kind: str | None = None, issuer: str | None = None,
           year: int | None = None, limit: int = 20) -> list[dict]:
    q_exact = fts_query(query)
    q_folded = fts_query(fold(query))
    if not q_folded:
        return []
    has_accents = fold(query) != query.lower()
    filters, params = [], []
    if kind:
        filters.append("s.kind = ?")
        params.append(kind)
    if year:
        filters.append("d.plan_year = ?")
        params.append(year)
    if issuer:
        from corpus.queries import register_functions

        register_functions(db)
        filters.append("dxplan_fold(d.issuer) LIKE ?")
        params.append(f"%{fold(issuer)}%")
    where = (" AND " + " AND ".join(filters)) if filters else ""
    rows: dict[int, dict] = {}
    plans = []
    if has_accents and q_exact:
        plans.append(("search_exact", q_exact, 0))
    plans.append(("search_folded", q_folded, 1))
    for table, q, tier in plans:
        sql = f"""
            SELECT s.id, s.document_id, s.kind, s.ref_id, s.page, s.text, d.issuer, d.issuer_kind, d.plan_year,
                   d.filename, bm25({table}) AS rank
            FROM {table} JOIN search_items s ON s.id = {table}.rowid JOIN documents d ON d.id = s.document_id
            WHERE {table} MATCH ? {where}
            ORDER BY rank LIMIT ?
        """
        for r in db.query(sql, [q, *params, limit]):
            if r["id"] in rows:
                continue
            rows[r["id"]] = {**r, "tier": tier}
    out = sorted(rows.values(), key=lambda r: (r["tier"], r["rank"]))[:limit]
    return [{
        "issuer": r["issuer"], "issuer_kind": r["issuer_kind"], "plan_year": r["plan_year"],
        "document_id": r["document_id"], "filename": r["filename"], "kind": r["kind"], "ref_id": r["ref_id"],
        "page": r["page"], "snippet": snippet(r["text"], query), "rank": round(r["rank"], 3),
    } for r in out]
