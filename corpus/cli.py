"""The `dxplan` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from corpus.formats import FORMATS, render

DEFAULT_DB = "outputs/corpus.db"

db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False), help="SQLite corpus file.")
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="table for reading, csv/json for other tools.")


class _Group(click.Group):
    """Turn unexpected failures into a one-line message and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except (FileNotFoundError, PermissionError, ValueError, RuntimeError, OSError) as exc:
            click.echo(f"dxplan: error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dxplan")
def main() -> None:
    """Read Vietnamese digital-transformation plans into a SQLite corpus and answer
    reviewers' questions about them.

    \b
    Typical session:
      dxplan ingest plans/ --jobs 2          # PDF, DOCX, DOC, folders and .zip
      dxplan missing --kind province         # which plans lack which template sections
      dxplan demo                            # the bundled sample plans, end to end
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@db_option
@click.option("--force", is_flag=True, help="Re-process files already in the corpus (same sha256).")
@click.option("--retry-failed", is_flag=True, help="Re-process files stored with status 'error'.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="Parallel worker processes.")
@click.option("--max-pages", default=1000, show_default=True, type=click.IntRange(1), help="Refuse longer documents.")
@click.option("--max-file-mb", default=200.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Refuse larger files (also inside .zip archives).")
@click.option("--max-table-depth", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Refuse DOCX files with tables nested deeper.")
@click.option("--timeout", "timeout_s", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds allowed per file; a file taking longer is stopped and recorded as failed.")
@click.option("--max-memory-mb", default=4096, show_default=True, type=click.IntRange(64),
              help="Memory a worker may use for one file beyond its start-up size.")
@click.option("--no-ocr", is_flag=True, help="Do not OCR image-only pages (they are reported unreadable).")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), help="Append one JSON line per input to this log.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no per-file lines.")
def ingest(paths, db_path, force, retry_failed, jobs, max_pages, max_file_mb, max_table_depth, timeout_s,
           max_memory_mb, no_ocr, log_path, quiet):
    """Ingest plan files (.pdf, .docx, .doc), folders (recursively) and .zip archives.

    Unchanged files (same sha256) are skipped; a file that cannot be read is stored
    with status 'error' and a message, and the others go on; other files are skipped
    and counted. Each document is stored in one transaction: an interrupted run loses
    nothing already stored, and running it again finishes the job.

    Exits 3 when some inputs failed (now or in an earlier run; --retry-failed reads
    those again), 130 when interrupted.

    \b
    Examples:
      dxplan ingest received/2025/ --jobs 2
      dxplan ingest ke-hoach-quang-tri.pdf --force
      dxplan ingest intake.zip --log outputs/ingest.log
    """
    import sqlite3

    from corpus.batch import ingest_paths
    from ingest.limits import Limits

    limits = Limits(max_pages=max_pages, max_file_mb=max_file_mb, max_table_depth=max_table_depth, ocr=not no_ocr)

    def show(o):
        if not quiet and o.status == "failed":
            click.echo(f"failed     {o.display}: {o.message}", err=True)

    try:
        summary = ingest_paths(db_path, list(paths), jobs=jobs, force=force, retry_failed=retry_failed,
                               limits=limits, progress=not quiet, log_path=log_path, timeout_s=timeout_s,
                               max_memory_mb=max_memory_mb, on_outcome=show)
    except KeyboardInterrupt:
        click.echo("\ndxplan: interrupted; every document stored so far is complete: run the same command "
                   "again to go on", err=True)
        sys.exit(130)
    except sqlite3.Error as exc:
        click.echo(f"dxplan: error: corpus {db_path}: {exc}", err=True)
        sys.exit(1)
    click.echo(summary.line() + f" ({summary.pages} pages in {summary.seconds:.1f} s) → {db_path}")
    if summary.any_failed:
        sys.exit(3)


@main.command()
@db_option
@format_option
@click.option("--kind", type=click.Choice(["province", "ministry", "other"]), help="Only this kind of issuer.")
@click.option("--section", help="Only this template key or branch, e.g. P2/III or P2/II/2.")
@click.option("--year", type=int, help="Only plans for this year.")
@click.option("--issuer", help="Only issuers whose name contains this (accents optional).")
@click.option("--status", "statuses", type=click.Choice(["missing", "empty"]), multiple=True,
              help="Only this status (repeatable). Default: both.")
@click.option("--list", "as_list", is_flag=True, help="One line per plan and section instead of the matrix.")
def missing(db_path, fmt, kind, section, year, issuer, statuses, as_list):
    """Plans × template sections: which plans lack (✗) or leave empty (○) which sections.

    \b
    Examples:
      dxplan missing
      dxplan missing --kind ministry --section P2/III
      dxplan missing --format json > missing.json
    """
    from corpus.queries import missing_rows, plan_documents
    from corpus.store import connect

    db = connect(db_path, readonly=True)
    rows = missing_rows(db, kind=kind, section=section, year=year, issuer=issuer,
                        statuses=tuple(statuses) or ("missing", "empty"))
    if fmt != "table" or as_list:
        cols = ["issuer", "document_id", "template", "template_key", "title", "status"]
        if fmt == "table":
            cols = ["issuer", "document_id", "template_key", "status", "title"]
        click.echo(render(rows, fmt, cols))
        return
    plans = plan_documents(db, kind=kind, year=year)
    if issuer:
        from ingest.normalize import fold

        plans = [p for p in plans if fold(issuer) in fold(p["issuer"] or "")]
    click.echo(missing_matrix(plans, rows))


def _plan_label(p: dict) -> str:
    return f"{p['issuer'] or p['filename']} {p['plan_year'] or ''}".strip()


def missing_summary(plans: list[dict], rows: list[dict]) -> str:
    """One line per plan: the template keys it lacks and those it leaves empty."""
    by_doc: dict[int, dict[str, list[str]]] = {}
    for r in rows:
        by_doc.setdefault(r["document_id"], {"missing": [], "empty": []})[r["status"]].append(r["template_key"])
    table_rows = [{"#": p["document_id"], "plan": _plan_label(p),
                   "missing": ", ".join(by_doc.get(p["document_id"], {}).get("missing", [])) or "—",
                   "empty": ", ".join(by_doc.get(p["document_id"], {}).get("empty", [])) or "—"} for p in plans]
    return render(table_rows, "table")


def missing_matrix(plans: list[dict], rows: list[dict]) -> str:
    """Plans as rows, template keys that some plan lacks as columns."""
    if not plans:
        return "(no plans in the corpus match)"
    order: dict[str, tuple] = {}
    for r in rows:
        order.setdefault(r["template_key"], (r["template"], r["ordinal"]))
    keys = sorted(order, key=order.get)
    mark = {(r["document_id"], r["template_key"]): ("✗" if r["status"] == "missing" else "○") for r in rows}
    table_rows = []
    for p in plans:
        row = {"#": p["document_id"], "plan": _plan_label(p)}
        n = 0
        for k in keys:
            row[k] = mark.get((p["document_id"], k), "")
            n += bool(row[k])
        row["lacking"] = n
        table_rows.append(row)
    legend = "✗ missing   ○ empty (heading without real content)   blank: present"
    if not keys:
        return render(table_rows, "table") + "\n\nEvery plan has every template section."
    return render(table_rows, "table", ["#", "plan", "lacking", *keys]) + "\n\n" + legend


COMMITMENT_COLUMNS = ["issuer", "issuer_kind", "plan_year", "document_id", "text", "value", "unit", "comparator",
                      "indicator_id", "floor", "meets_floor", "page", "evidence", "other_values", "doc_number", "silent"]


@main.command()
@click.argument("query", required=False)
@db_option
@format_option
@click.option("--indicator", "-i", type=int, help="One of the 22 catalogue indicators (1-22).")
@click.option("--year", type=int, help="Plan year (default: the latest in the corpus).")
@click.option("--kind", type=click.Choice(["province", "ministry"]), help="Only provinces or only ministries.")
@click.option("--show-silent", is_flag=True, help="Also list issuers whose plan says nothing on the subject.")
def commitments(query, db_path, fmt, indicator, year, kind, show_silent):
    """Which issuers commit to X: an indicator (--indicator N) or free text (accents optional).

    One row per issuer, from its latest plan for the year: the committed value and
    comparator, the catalogue floor for its kind (province or ministry), whether it meets
    it, and the page it is written on.

    \b
    Examples:
      dxplan commitments --indicator 1
      dxplan commitments "trợ lý ảo" --show-silent
      dxplan commitments "dinh danh VNeID" --kind province --format csv
    """
    from corpus.commitments import by_indicator, by_text
    from corpus.store import connect

    if (query is None) == (indicator is None):
        raise click.UsageError("give either a QUERY or --indicator N")
    db = connect(db_path, readonly=True)
    if indicator is not None:
        year, rows, silent = by_indicator(db, indicator, year=year, kind=kind)
    else:
        year, rows, silent = by_text(db, query, year=year, kind=kind)
    if fmt != "table":
        click.echo(render(rows + (silent if show_silent else []), fmt, COMMITMENT_COLUMNS))
        return
    subject = f"indicator {indicator}" if indicator is not None else f"“{query}”"
    n = len(rows)
    click.echo(f"Plans for {year}: {n} issuer{'s' if n != 1 else ''} commit{'' if n != 1 else 's'} to {subject}, "
               f"{len(silent)} say{'s' if len(silent) == 1 else ''} nothing.\n")
    view = [{**r, "value": _value(r), "floor": _floor_text(r), "meets": _meets(r),
             "text": r["text"]} for r in rows]
    click.echo(render(view, "table", ["issuer", "issuer_kind", "value", "floor", "meets", "page", "evidence",
                                      "document_id", "text"]))
    if show_silent and silent:
        click.echo(f"\nSilent ({len(silent)}): " + ", ".join(r["issuer"] for r in silent))


def _value(r: dict) -> str:
    if r["value"] is None:
        return ""
    unit = "%" if r["unit"] == "%" else f" {r['unit']}"
    extra = f" (+ {r['other_values']})" if r.get("other_values") else ""
    return f"{r['comparator']} {r['value']:g}{unit}{extra}"


def _floor_text(r: dict) -> str:
    return "" if r["floor"] is None else f"{r['floor']:g}"


def _meets(r: dict) -> str:
    return {True: "yes", False: "BELOW", None: ""}[r["meets_floor"]]


@main.command()
@click.argument("query")
@db_option
@format_option
@click.option("--kind", type=click.Choice(["section", "task", "target"]), help="Only this kind of passage.")
@click.option("--issuer", help="Only issuers whose name contains this (accents optional).")
@click.option("--year", type=int, help="Only plans for this year.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def search(query, db_path, fmt, kind, issuer, year, limit):
    """Full-text search over sections, tasks and targets, with document, page and snippet.

    Words are ANDed; "quoted words" are a phrase; accents are optional ("dinh danh" finds
    "định danh"), and a query with accents ranks exact spellings first.

    \b
    Examples:
      dxplan search "trợ lý ảo"
      dxplan search "ha tang so" --kind task --issuer "quang tri"
    """
    from corpus.search import search as run_search
    from corpus.store import connect

    db = connect(db_path, readonly=True)
    rows = run_search(db, query, kind=kind, issuer=issuer, year=year, limit=limit)
    cols = ["issuer", "plan_year", "document_id", "page", "kind", "snippet"]
    if fmt != "table":
        cols = ["issuer", "issuer_kind", "plan_year", "document_id", "filename", "page", "kind", "ref_id", "snippet", "rank"]
    click.echo(render(rows, fmt, cols))


@main.command()
@db_option
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (local only by default).")
@click.option("--open", "open_browser", is_flag=True, help="Open the home page in a web browser.")
def serve(db_path, port, host, open_browser):
    """Serve the corpus read-only in a web browser (Datasette), with the plans on the home
    page, the reviewers' questions as ready-made queries, and links to each source page.

    \b
    Examples:
      dxplan serve                          # http://127.0.0.1:8001/
      dxplan serve --db outputs/demo.db --port 8080 --open
    """
    from corpus.serve import serve as run_server

    run_server(db_path, host=host, port=port, open_browser=open_browser)


@main.command()
@db_option
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Output folder; the files go into its reports/ subfolder.")
@click.option("--document", "document_ids", type=int, multiple=True,
              help="Only this document id (repeatable); the corpus report is then not rewritten.")
@click.option("--year", type=int, help="Only plans for this year.")
def report(db_path, out_dir, document_ids, year):
    """Write review files: per plan (HTML + XLSX) and for the whole corpus.

    \b
    Examples:
      dxplan report                          # outputs/reports/corpus.html and one pair per plan
      dxplan report --year 2025 --out review/
      dxplan report --document 12 --document 15
    """
    from corpus.report import generate

    run = generate(db_path, out_dir, list(document_ids) or None, year)
    for path in run.paths:
        click.echo(str(path))
    click.echo(run.line())


@main.command()
@click.option("--db", "db_path", default="outputs/demo.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--jobs", "-j", default=2, show_default=True, type=click.IntRange(1, 64))
def demo(db_path, jobs):
    """Ingest the bundled sample plans into outputs/demo.db and show what a reviewer looks at first."""
    from corpus.demo import run_demo

    run_demo(Path(db_path), jobs)


if __name__ == "__main__":
    main()
