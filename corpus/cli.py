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
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="Parallel worker processes.")
@click.option("--max-pages", default=1000, show_default=True, type=click.IntRange(1), help="Refuse longer documents.")
@click.option("--max-file-mb", default=200.0, show_default=True, type=float, help="Refuse larger files.")
@click.option("--timeout", "timeout_s", default=300.0, show_default=True, type=float, help="Seconds allowed per file.")
@click.option("--no-ocr", is_flag=True, help="Do not OCR image-only pages (they are reported unreadable).")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), help="Append one JSON line per file to this log.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no per-file lines.")
def ingest(paths, db_path, force, jobs, max_pages, max_file_mb, timeout_s, no_ocr, log_path, quiet):
    """Ingest plan files (.pdf, .docx, .doc), folders (recursively) and .zip archives.

    Unchanged files (same sha256) are skipped; a file that cannot be read is stored
    with status 'error' and a message, and the others go on. Exits 3 when some failed.

    \b
    Examples:
      dxplan ingest received/2025/ --jobs 2
      dxplan ingest ke-hoach-quang-tri.pdf --force
      dxplan ingest intake.zip --log outputs/ingest.log
    """
    from corpus.batch import ingest_paths
    from ingest.limits import Limits

    limits = Limits(max_pages=max_pages, max_file_mb=max_file_mb, ocr=not no_ocr)

    def show(o):
        if quiet or o.status == "ingested" and sys.stderr.isatty():
            return
        if o.status == "failed":
            click.echo(f"failed     {o.display}: {o.message}", err=True)

    summary = ingest_paths(db_path, list(paths), jobs=jobs, force=force, limits=limits, progress=not quiet,
                           log_path=log_path, timeout_s=timeout_s, on_outcome=show)
    click.echo(summary.line() + f" ({summary.pages} pages in {summary.seconds:.1f} s) → {db_path}")
    if summary.failed:
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


def missing_matrix(plans: list[dict], rows: list[dict]) -> str:
    """Plans as rows, template keys that some plan lacks as columns."""
    if not plans:
        return "(no plans in the corpus match)"
    keys: list[str] = []
    for r in rows:
        if r["template_key"] not in keys:
            keys.append(r["template_key"])
    mark = {(r["document_id"], r["template_key"]): ("✗" if r["status"] == "missing" else "○") for r in rows}
    table_rows = []
    for p in plans:
        row = {"plan": f"{p['issuer'] or p['filename']} {p['plan_year'] or ''} (#{p['document_id']})".strip()}
        n = 0
        for k in keys:
            row[k] = mark.get((p["document_id"], k), "")
            n += bool(row[k])
        row["lacking"] = n
        table_rows.append(row)
    legend = "✗ missing   ○ empty (heading without real content)   blank: present"
    if not keys:
        return render(table_rows, "table") + "\n\nEvery plan has every template section."
    return render(table_rows, "table", ["plan", *keys, "lacking"]) + "\n\n" + legend


@main.command()
@click.option("--db", "db_path", default="outputs/demo.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--jobs", "-j", default=2, show_default=True, type=click.IntRange(1, 64))
def demo(db_path, jobs):
    """Ingest the bundled sample plans into outputs/demo.db and show what a reviewer looks at first."""
    from corpus.demo import run_demo

    run_demo(Path(db_path), jobs)


if __name__ == "__main__":
    main()
