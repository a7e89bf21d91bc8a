"""The reviewers' questions as SQL over the corpus."""

from __future__ import annotations

import sqlite_utils


def _where(clauses: list[str], params: list, column: str, value) -> None:
    if value is not None:
        clauses.append(f"{column} = ?")
        params.append(value)


def missing_rows(db: sqlite_utils.Database, *, kind: str | None = None, section: str | None = None,
                 year: int | None = None, issuer: str | None = None,
                 statuses: tuple[str, ...] = ("missing", "empty")) -> list[dict]:
    """One row per (plan, template section) that is missing or empty."""
    clauses = ["c.status IN (%s)" % ",".join("?" * len(statuses))]
    params: list = list(statuses)
    _where(clauses, params, "d.issuer_kind", kind)
    _where(clauses, params, "d.plan_year", year)
    if issuer:
        from ingest.normalize import fold

        clauses.append("dxplan_fold(d.issuer) LIKE ?")
        params.append(f"%{fold(issuer)}%")
    if section:
        clauses.append("(c.template_key = ? OR c.template_key LIKE ?)")
        params += [section, section.rstrip("/") + "/%"]
    register_functions(db)
    sql = f"""
        SELECT d.issuer, d.issuer_kind, d.plan_year, c.document_id, d.filename, c.template, c.template_key,
               t.title, c.status, t.ordinal
        FROM section_coverage c
        JOIN documents d ON d.id = c.document_id
        JOIN template_sections t ON t.template = c.template AND t.key = c.template_key
        WHERE {' AND '.join(clauses)}
        ORDER BY d.issuer_kind, d.issuer, c.document_id, t.ordinal
    """
    return [dict(r) for r in db.query(sql, params)]


def plan_documents(db: sqlite_utils.Database, *, kind: str | None = None, year: int | None = None) -> list[dict]:
    clauses, params = ["d.template IS NOT NULL", "d.status != 'error'"], []
    _where(clauses, params, "d.issuer_kind", kind)
    _where(clauses, params, "d.plan_year", year)
    return [dict(r) for r in db.query(
        f"SELECT d.id AS document_id, d.issuer, d.issuer_kind, d.plan_year, d.template, d.filename "
        f"FROM documents d WHERE {' AND '.join(clauses)} ORDER BY d.issuer_kind, d.issuer, d.id", params)]


def register_functions(db: sqlite_utils.Database) -> None:
    from ingest.normalize import fold

    db.conn.create_function("dxplan_fold", 1, lambda s: fold(s) if s else s, deterministic=True)
