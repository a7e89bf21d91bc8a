"""`dxplan demo`: ingest the bundled sample plans and show what a reviewer looks at first."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from corpus.formats import render

SAMPLES = Path(str(resources.files("corpus") / "samples"))


def run_demo(db_path: Path, jobs: int = 2) -> None:
    from corpus.batch import ingest_paths
    from corpus.cli import _floor_text, _meets, _value, missing_summary
    from corpus.commitments import by_indicator
    from corpus.queries import missing_rows, plan_documents
    from corpus.store import connect

    files = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in (".pdf", ".docx", ".doc"))
    if not files:
        raise click.ClickException(f"no sample plans in {SAMPLES}")
    click.echo(f"Ingesting {len(files)} sample plans from {SAMPLES} into {db_path} …")
    summary = ingest_paths(db_path, files, jobs=jobs, progress=False)
    click.echo(summary.line() + f" ({summary.pages} pages in {summary.seconds:.1f} s)\n")

    db = connect(db_path, readonly=True)
    docs = [dict(r) for r in db.query(
        "SELECT id, issuer, issuer_kind, plan_year, doc_number, issued_date, pages, format, status, filename "
        "FROM documents ORDER BY issuer_kind, issuer, id")]
    click.secho("Plans in the corpus", bold=True)
    click.echo(render(docs, "table") + "\n")

    click.secho("Template sections each plan lacks (dxplan missing shows the full matrix)", bold=True)
    click.echo(missing_summary(plan_documents(db), missing_rows(db)) + "\n")

    year, rows, silent = by_indicator(db, 1)
    click.secho(f"Indicator 1 — eligible procedures online end-to-end (plans for {year})", bold=True)
    view = [{**r, "value": _value(r), "floor": _floor_text(r), "meets": _meets(r)} for r in rows]
    click.echo(render(view, "table", ["issuer", "issuer_kind", "value", "floor", "meets", "page"]))
    if silent:
        click.echo("silent: " + ", ".join(r["issuer"] for r in silent))
    click.echo()

    below = [dict(r) for r in db.query(
        "SELECT issuer, indicator_id, comparator || ' ' || value || CASE unit WHEN '%' THEN '%' ELSE ' ' || unit END AS committed, "
        "floor, page FROM targets_below_floor ORDER BY issuer, indicator_id")]
    click.secho("Targets below the catalogue floor", bold=True)
    click.echo(render(below, "table") + "\n")

    owners = [dict(r) for r in db.query(
        "SELECT d.issuer, COUNT(*) AS tasks, SUM(t.lead_unit IS NULL) AS no_lead_unit, "
        "SUM(t.deadline_date IS NULL AND t.recurring = 0) AS no_deadline "
        "FROM tasks t JOIN documents d ON d.id = t.document_id GROUP BY d.issuer ORDER BY d.issuer")]
    click.secho("Tasks without a lead unit or a deadline", bold=True)
    click.echo(render(owners, "table") + "\n")
    click.echo(f"Next: dxplan search \"trợ lý ảo\" --db {db_path}   ·   dxplan report --db {db_path}   ·   "
               f"dxplan serve --db {db_path}")
