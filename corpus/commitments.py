"""Which issuers commit to X — one row per issuer, from its latest plan for the year.

X is a catalogue indicator (targets matched to it; a task that names the subject without
a number is reported too) or free text (targets first, then tasks, then section text,
accents optional). Issuers whose plan says nothing on the subject are "silent".
"""

from __future__ import annotations

import sqlite_utils

from corpus.search import fts_query, snippet
from extract.catalogue import catalogue
from ingest.normalize import fold

_EVIDENCE_ORDER = {"target": 0, "task": 1, "section": 2}


def latest_plans(db: sqlite_utils.Database, year: int | None, kind: str | None = None) -> tuple[int | None, list[dict]]:
    if year is None:
        row = db.execute("SELECT MAX(plan_year) FROM documents WHERE status != 'error' AND plan_year IS NOT NULL").fetchone()
        year = row[0] if row else None
    if year is None:
        return None, []
    params: list = [year]
    extra = ""
    if kind:
        extra = " AND issuer_kind = ?"
        params.append(kind)
    rows = [dict(r) for r in db.query(
        f"SELECT id AS document_id, issuer, issuer_kind, plan_year, doc_number, issued_date, filename "
        f"FROM latest_plans WHERE plan_year = ?{extra} ORDER BY issuer_kind, issuer", params)]
    return year, rows


def _floor(indicator_id: int | None, kind: str | None) -> float | None:
    if indicator_id is None:
        return None
    ind = catalogue().get(indicator_id)
    if ind is None:
        return None
    scope = kind if kind in ("province", "ministry") else "national"
    return ind.floor_for(scope)


def _row(plan: dict, *, evidence: str | None, text: str | None, page: int | None, value=None, unit=None,
         comparator=None, indicator_id=None, floor=None, meets_floor=None, others: str | None = None) -> dict:
    return {
        "issuer": plan["issuer"], "issuer_kind": plan["issuer_kind"], "plan_year": plan["plan_year"],
        "document_id": plan["document_id"], "doc_number": plan["doc_number"], "evidence": evidence,
        "text": text, "value": value, "unit": unit, "comparator": comparator, "indicator_id": indicator_id,
        "floor": floor, "meets_floor": None if meets_floor is None else bool(meets_floor), "page": page,
        "other_values": others, "silent": evidence is None,
    }


def by_indicator(db: sqlite_utils.Database, indicator_id: int, *, year: int | None = None,
                 kind: str | None = None) -> tuple[int | None, list[dict], list[dict]]:
    """(year, rows of committing issuers, rows of silent issuers).

    Three queries whatever the corpus size: the latest plans, their targets for the
    indicator, and their tasks working towards it (matched at extraction time).
    """
    if catalogue().get(indicator_id) is None:
        raise ValueError(f"no indicator {indicator_id} in the catalogue (1–{len(catalogue().indicators)})")
    year, plans = latest_plans(db, year, kind)
    if not plans:
        return year, [], []
    ids = [p["document_id"] for p in plans]
    marks = ",".join("?" * len(ids))
    targets: dict[int, list[dict]] = {}
    for t in db.query(f"SELECT * FROM targets WHERE indicator_id = ? AND document_id IN ({marks}) "
                      "ORDER BY document_id, page, id", [indicator_id, *ids]):
        targets.setdefault(t["document_id"], []).append(dict(t))
    tasks: dict[int, dict] = {}
    for t in db.query(f"SELECT document_id, text, page FROM tasks WHERE indicator_id = ? AND document_id IN ({marks}) "
                      "ORDER BY document_id, page, id", [indicator_id, *ids]):
        tasks.setdefault(t["document_id"], dict(t))
    found, silent = [], []
    for plan in plans:
        doc = plan["document_id"]
        floor = _floor(indicator_id, plan["issuer_kind"])
        if doc in targets:
            first, rest = targets[doc][0], targets[doc][1:]
            others = "; ".join(
                f"{t['level'] + ' ' if t['level'] else ''}{t['comparator']} {t['value']:g}"
                f"{t['unit'] if t['unit'] == '%' else ' ' + t['unit']}" for t in rest) or None
            found.append(_row(plan, evidence="target", text=first["text"], page=first["page"], value=first["value"],
                              unit=first["unit"], comparator=first["comparator"], indicator_id=indicator_id,
                              floor=first["floor"] if first["floor"] is not None else floor,
                              meets_floor=first["meets_floor"], others=others))
        elif doc in tasks:
            found.append(_row(plan, evidence="task", text=tasks[doc]["text"], page=tasks[doc]["page"],
                              indicator_id=indicator_id, floor=floor))
        else:
            silent.append(_row(plan, evidence=None, text=None, page=None, indicator_id=indicator_id, floor=floor))
    return year, found, silent


def by_text(db: sqlite_utils.Database, query: str, *, year: int | None = None,
            kind: str | None = None) -> tuple[int | None, list[dict], list[dict]]:
    year, plans = latest_plans(db, year, kind)
    # the subject as a phrase ("trợ lý ảo"), unless the user quoted parts of it
    q = fts_query(fold(query) if '"' in query else f'"{fold(query)}"')
    if not q:
        raise ValueError("the query has no words to search for")
    found, silent = [], []
    for plan in plans:
        hits = [dict(r) for r in db.query(
            "SELECT s.kind, s.ref_id, s.page, s.text, bm25(search_folded) AS rank FROM search_folded "
            "JOIN search_items s ON s.id = search_folded.rowid "
            "WHERE search_folded MATCH ? AND s.document_id = ? ORDER BY rank", [q, plan["document_id"]])]
        if not hits:
            silent.append(_row(plan, evidence=None, text=None, page=None))
            continue
        best = min(hits, key=lambda h: (_EVIDENCE_ORDER.get(h["kind"], 9), h["rank"]))
        if best["kind"] == "target":
            t = next(db.query("SELECT * FROM targets WHERE id = ?", [best["ref_id"]]))
            found.append(_row(plan, evidence="target", text=snippet(t["text"], query, 240), page=t["page"],
                              value=t["value"], unit=t["unit"], comparator=t["comparator"],
                              indicator_id=t["indicator_id"], floor=t["floor"], meets_floor=t["meets_floor"]))
        else:
            found.append(_row(plan, evidence=best["kind"], text=snippet(best["text"], query, 240), page=best["page"]))
    return year, found, silent
