"""The contents of the review reports: which tables each page holds, row by row, with the colour
status and the source link of every cell. Rendering is left to `report_html` and `report_xlsx`."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from datetime import date

from corpus.report import (COMPARATORS, COLOURS, Cell, Chart, Column, Indicator, Page, PlanFacts, Sources,
                           Table, json_list, fetch, labels, number, plan_name, plan_stem, quantity, slug, task_lacks,
                           unaddressed, uses_catalogue, vn_date)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# ---------------------------------------------------------------- per-plan page
def _unit_format(unit: str | None) -> str | None:
    """Show the unit after the number in the spreadsheet while keeping the cell numeric."""
    return f'General"{unit}"' if unit == "%" else None


def _floor_cell(t: dict) -> Cell:
    if t["meets_floor"] is None:
        return Cell(labels()["floor_check"]["neutral"] if t["indicator_id"] else "", status=None)
    key = "meets" if t["meets_floor"] else "below"
    return Cell(labels()["floor_check"][key], status=key)


def plan_page(facts: PlanFacts, catalogue: list[Indicator], sources: Sources, generated: str) -> Page:
    L = labels()
    P, C = L["plan"], L["columns"]
    doc = facts.doc
    by_id = {i.id: i for i in catalogue}
    kind = doc["issuer_kind"]
    src = sources.page
    file_ = sources.file(doc)

    h = P["header"]
    facts_rows = [
        (h["issuer"], Cell(doc["issuer"] or "")),
        (h["kind"], Cell(L["kinds"].get(kind, kind or ""))),
        (h["doc_number"], Cell(doc["doc_number"] or "")),
        (h["issued_date"], Cell(vn_date(doc["issued_date"]))),
        (h["plan_year"], Cell(str(doc["plan_year"] or ""), value=doc["plan_year"])),
        (h["template"], Cell(doc["template"] or "")),
        (h["pages"], Cell(str(doc["pages"] or ""), value=doc["pages"])),
        (h["filename"], Cell(doc["filename"], href=file_.as_uri() if file_ else None, tip=doc["path"])),
        (h["status"], Cell(L["status"].get(doc["status"], doc["status"]),
                           status="empty" if doc["status"] == "partial" else None)),
        (h["ocr_pages"], Cell(", ".join(map(str, json_list(doc["ocr_pages"]))))),
        (h["unreadable_pages"], Cell(", ".join(map(str, json_list(doc["unreadable_pages"]))))),
        (h["legacy_encodings"], Cell(", ".join(map(str, json_list(doc["legacy_encodings"]))))),
        (h["warnings"], Cell("; ".join(map(str, json_list(doc["warnings"]))))),
        (h["document_id"], Cell(str(doc["id"]), value=doc["id"])),
    ]
    overview = Table("overview", P["sections"]["overview"]["title"], P["sections"]["overview"]["sheet"],
                     [Column(C["field"], 30), Column(C["value_text"], 80, wrap=True)],
                     [[Cell(k), v if v.text else Cell("—", value="")] for k, v in facts_rows], facts=True)

    # sections the template asks for that the plan lacks or leaves empty
    sec = P["sections"]["missing"]
    missing = Table("missing", sec["title"], sec["sheet"],
                    [Column(C["key"], 12), Column(C["section_title"], 70, wrap=True), Column(C["coverage"], 14),
                     Column(C["page"], 8)])
    for c in facts.coverage:
        if c["status"] in ("missing", "empty"):
            missing.rows.append([Cell(c["template_key"]), Cell(c["title"]),
                                 Cell(L["coverage"][c["status"]], status=c["status"]), src(doc, c["page"])])

    target_cols = [Column(C["indicator"], 9), Column(C["value"], 12), Column(C["comparator"], 8),
                   Column(C["floor"], 10), Column(C["page"], 8), Column(C["text"], 70, wrap=True)]
    sec = P["sections"]["below"]
    below = Table("below", sec["title"], sec["sheet"], target_cols)
    for t in facts.targets:
        if t["meets_floor"] == 0:
            ind = by_id.get(t["indicator_id"])
            below.rows.append([
                Cell(str(t["indicator_id"]), value=t["indicator_id"], tip=ind.text if ind else None),
                Cell(quantity(t["value"], t["unit"]), value=t["value"], status="below", fmt=_unit_format(t["unit"])),
                Cell(COMPARATORS.get(t["comparator"] or "", t["comparator"] or "")),
                Cell(quantity(t["floor"], t["unit"]), value=t["floor"], fmt=_unit_format(t["unit"])),
                src(doc, t["page"]), Cell(t["text"])])

    sec = P["sections"]["unaddressed"]
    kind_label = L["kinds"].get(kind, kind or "")
    applies = uses_catalogue(doc, catalogue)
    catalogue_name = next((i.catalogue for i in catalogue if i.catalogue), "")
    note = (sec["note"].format(catalogue=catalogue_name, kind=kind_label.lower()) if applies else
            P["sections"]["unaddressed_skipped"].format(catalogue=catalogue_name, template=doc["template"] or "?"))
    gaps = Table("unaddressed", sec["title"], sec["sheet"],
                 [Column(C["indicator"], 9), Column(C["indicator_text"], 90, wrap=True), Column(C["floor"], 22)],
                 note=note)
    if applies:
        for ind in unaddressed(doc, facts.targets, catalogue):
            gaps.rows.append([Cell(str(ind.id), value=ind.id), Cell(ind.text),
                              Cell(ind.floor_text(kind), status="absent")])

    sec = P["sections"]["incomplete"]
    incomplete = Table("incomplete", sec["title"], sec["sheet"],
                       [Column(C["row_no"], 6), Column(C["task"], 70, wrap=True), Column(C["lead"], 28, wrap=True),
                        Column(C["deadline_text"], 18, wrap=True), Column(C["lacks"], 24), Column(C["page"], 8)],
                       note=sec["note"])
    for n, t in enumerate(facts.tasks, 1):
        lacks = task_lacks(t)
        if lacks:
            incomplete.rows.append([
                Cell(str(n), value=n), Cell(t["text"]), Cell(t["lead_unit"] or "", status=None if t["lead_unit"] else "missing"),
                Cell(t["deadline_text"] or "", status="missing" if "deadline" in lacks else None),
                Cell(", ".join(L["lacks"][k] for k in lacks), status="below"), src(doc, t["page"])])

    sec = P["sections"]["targets"]
    all_targets = Table("targets", sec["title"], sec["sheet"],
                        [Column(C["row_no"], 6), Column(C["text"], 60, wrap=True), Column(C["value"], 10),
                         Column(C["unit"], 9), Column(C["comparator"], 8), Column(C["year"], 7), Column(C["level"], 9),
                         Column(C["indicator"], 9), Column(C["floor"], 9), Column(C["floor_check"], 18),
                         Column(C["page"], 8)])
    for n, t in enumerate(facts.targets, 1):
        ind = by_id.get(t["indicator_id"])
        all_targets.rows.append([
            Cell(str(n), value=n), Cell(t["text"]), Cell(number(t["value"]), value=t["value"]), Cell(t["unit"] or ""),
            Cell(COMPARATORS.get(t["comparator"] or "", t["comparator"] or "")),
            Cell(str(t["year"] or ""), value=t["year"]), Cell(t["level"] or ""),
            Cell(str(t["indicator_id"] or ""), value=t["indicator_id"], tip=ind.text if ind else None),
            Cell(number(t["floor"]), value=t["floor"]), _floor_cell(t), src(doc, t["page"])])

    sec = P["sections"]["tasks"]
    all_tasks = Table("tasks", sec["title"], sec["sheet"],
                      [Column(C["row_no"], 6), Column(C["task"], 60, wrap=True), Column(C["lead"], 26, wrap=True),
                       Column(C["coord"], 30, wrap=True), Column(C["deadline_text"], 16, wrap=True), Column(C["deadline_date"], 12),
                       Column(C["recurring"], 10), Column(C["source"], 9), Column(C["page"], 8)])
    for n, t in enumerate(facts.tasks, 1):
        lacks = task_lacks(t)
        all_tasks.rows.append([
            Cell(str(n), value=n), Cell(t["text"]),
            Cell(t["lead_unit"] or "", status="missing" if "lead" in lacks else None),
            Cell("; ".join(json_list(t["coordinating_units"]))),
            Cell(t["deadline_text"] or "", status="missing" if "deadline" in lacks else None),
            Cell(vn_date(t["deadline_date"])), Cell(L["yes_mark"] if t["recurring"] else ""),
            Cell(L["source"].get(t["source"], t["source"] or "")), src(doc, t["page"])])

    counts = P["counts"]
    return Page(
        stem=plan_stem(doc),
        title=f"{P['title']}: {plan_name(doc)}",
        subtitle=" · ".join(x for x in (doc["doc_number"], vn_date(doc["issued_date"]), doc["filename"]) if x),
        tables=[overview, missing, below, gaps, incomplete, all_targets, all_tasks],
        counts=[(counts["missing"], facts.missing, "missing", "missing"),
                (counts["empty"], facts.empty, "missing", "empty"),
                (counts["below"], len(below.rows), "below", "below"),
                (counts["unaddressed"], len(gaps.rows), "unaddressed", "absent"),
                (counts["incomplete"], len(incomplete.rows), "incomplete", "below"),
                (counts["targets"], len(facts.targets), "targets", None),
                (counts["tasks"], len(facts.tasks), "tasks", None)],
        back_href="corpus.html", generated=generated)


# ---------------------------------------------------------------- corpus page
def _quarter(iso: str) -> tuple[int, int] | None:
    try:
        d = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    return d.year, (d.month - 1) // 3 + 1


def _indicator_cell(doc: dict, ind: Indicator, targets: list[dict], applies: bool, sources: Sources) -> Cell:
    L = labels()["corpus"]["legend"]
    kind = doc["issuer_kind"]
    if not targets:
        if not ind.floors_for(kind) or not applies:
            return Cell("—", value="", status="na", tip=L["na"])
        return Cell("", status="absent", tip=L["absent"])
    parts = []
    for t in targets:
        q = quantity(t["value"], t["unit"], t["comparator"])
        parts.append(f"{q} ({t['level']})" if t["level"] else q)
    checks = [t["meets_floor"] for t in targets if t["meets_floor"] is not None]
    status = "below" if 0 in checks else "meets" if checks else "neutral"
    floor = ind.floor_text(kind)
    tip = f"{L[status]}" + (f"; {labels()['columns']['floor']}: {floor}" if floor else "") + f" — {targets[0]['text']}"
    first = sources.page(doc, targets[0]["page"])
    return Cell("; ".join(parts), status=status, href=first.href, tip=tip)


def corpus_page(plans: list[PlanFacts], latest: set[int], catalogue: list[Indicator], sources: Sources,
                conn: sqlite3.Connection, generated: str) -> Page:
    L = labels()
    P, C = L["corpus"], L["columns"]
    S = P["sections"]
    current = [p for p in plans if p.doc["id"] in latest]

    def plan_cells(doc: dict, with_id: bool = False) -> list[Cell]:
        name = f"{plan_name(doc)} (#{doc['id']})" if with_id else plan_name(doc)
        return [Cell(name, href=f"{plan_stem(doc)}.html", tip=doc["filename"]),
                Cell(L["kinds_short"].get(doc["issuer_kind"], doc["issuer_kind"] or ""))]

    plan_cols = [Column(C["plan"], 28, wrap=True), Column(C["kind"], 7)]

    # index of every plan with its headline counts and links to both files
    index = Table("index", S["index"]["title"], S["index"]["sheet"],
                  [Column(C["issuer"], 26, wrap=True), Column(C["kind"], 14), Column(C["year"], 7),
                   Column(C["doc_number"], 16), Column(C["issued_date"], 12), Column(C["filename"], 34, wrap=True),
                   Column(C["latest"], 9), Column(C["missing"], 9), Column(C["empty"], 9), Column(C["below"], 10),
                   Column(C["incomplete"], 11), Column("HTML", 9), Column("XLSX", 9)], freeze_cols=1)
    for p in plans:
        d = p.doc
        stem = plan_stem(d)
        index.rows.append([
            Cell(d["issuer"] or d["filename"], href=f"{stem}.html"),
            Cell(L["kinds"].get(d["issuer_kind"], d["issuer_kind"] or "")),
            Cell(str(d["plan_year"] or ""), value=d["plan_year"]), Cell(d["doc_number"] or ""),
            Cell(vn_date(d["issued_date"])), Cell(d["filename"], href=_file_href(sources, d), tip=d["path"]),
            Cell(L["yes_mark"] if d["id"] in latest else ""),
            Cell(str(p.missing), value=p.missing, status="missing" if p.missing else None),
            Cell(str(p.empty), value=p.empty, status="empty" if p.empty else None),
            Cell(str(p.below), value=p.below, status="below" if p.below else None),
            Cell(str(p.incomplete), value=p.incomplete, status="below" if p.incomplete else None),
            Cell(f"{stem}.html", href=f"{stem}.html"), Cell(f"{stem}.xlsx", href=f"{stem}.xlsx")])

    # issuers × indicators (latest plan per issuer and year)
    matrix = Table("indicators", S["indicators"]["title"], S["indicators"]["sheet"],
                   plan_cols + [Column(str(i.id), 11, tip=f"{i.id}. {i.text}") for i in catalogue],
                   note=S["indicators"]["note"], freeze_cols=2, matrix=True)
    for p in current:
        grouped: dict[int, list[dict]] = defaultdict(list)
        for t in p.targets:
            if t["indicator_id"] is not None:
                grouped[t["indicator_id"]].append(t)
        applies = uses_catalogue(p.doc, catalogue)
        matrix.rows.append(plan_cells(p.doc) + [_indicator_cell(p.doc, i, grouped.get(i.id, []), applies, sources)
                                                for i in catalogue])

    # coverage matrices, one per template
    coverage_tables = []
    templates = sorted({p.doc["template"] for p in plans if p.doc["template"]})
    for tpl in templates:
        keys = fetch(conn, "SELECT key, title FROM template_sections WHERE template = ? ORDER BY ordinal", (tpl,))
        tbl = Table(f"coverage-{slug(tpl)}", S["coverage"]["title"].format(template=tpl),
                    S["coverage"]["sheet"].format(template=tpl)[:31],
                    plan_cols + [Column(k["key"], 4.5, rotate=True, tip=f"{k['key']} {k['title']}") for k in keys]
                    + [Column(C["missing"], 8), Column(C["empty"], 8)],
                    note=S["coverage"]["note"], freeze_cols=2, matrix=True)
        for p in plans:
            if p.doc["template"] != tpl:
                continue
            status = {c["template_key"]: c for c in p.coverage}
            cells = []
            for k in keys:
                c = status.get(k["key"])
                st = c["status"] if c else None
                mark = {"missing": "✗", "empty": "○"}.get(st, "")
                tip = f"{k['key']} {k['title']}: {L['coverage'].get(st, '') if st else ''}"
                href = sources.page(p.doc, c["page"]).href if c and c["page"] else None
                cells.append(Cell(mark, status=st if st in ("missing", "empty") else None, tip=tip, href=href))
            tbl.rows.append(plan_cells(p.doc, with_id=True) + cells + [Cell(str(p.missing), value=p.missing),
                                                         Cell(str(p.empty), value=p.empty)])
        coverage_tables.append(tbl)

    # tasks by quarter of the deadline
    per_plan: list[Counter] = []
    quarters: set[tuple[int, int]] = set()
    for p in current:
        counter: Counter = Counter()
        for t in p.tasks:
            q = _quarter(t["deadline_date"]) if t["deadline_date"] else None
            key = q if q else "recurring" if t["recurring"] else "none"
            counter[key] += 1
            if q:
                quarters.add(q)
        per_plan.append(counter)
    qs = sorted(quarters)
    q_cols = [Column(P["quarter"].format(q=ROMAN[q], year=y), 11) for y, q in qs]
    by_quarter = Table("quarters", S["quarters"]["title"], S["quarters"]["sheet"],
                       plan_cols + q_cols + [Column(C["recurring"], 12), Column(C["no_deadline"], 12),
                                             Column(C["total"], 8)],
                       note=S["quarters"]["note"], freeze_cols=2)
    for p, counter in zip(current, per_plan):
        values = [counter.get(q, 0) for q in qs] + [counter["recurring"], counter["none"]]
        by_quarter.rows.append(plan_cells(p.doc) + [Cell(str(v), value=v) for v in values]
                               + [Cell(str(sum(values)), value=sum(values))])
    n_q = len(qs)
    by_quarter.chart = Chart(S["quarters"]["title"], series=list(range(2, 2 + n_q + 2)),
                             colours=gradient("BDD7EE", "08306B", n_q) + ["6AA84F", "C0504D"])

    # missing and empty sections per issuer
    missing_tbl = Table("missing", S["missing"]["title"], S["missing"]["sheet"],
                        plan_cols + [Column(C["missing"], 10), Column(C["empty"], 10), Column(C["total"], 8)],
                        note=S["missing"]["note"], freeze_cols=2,
                        chart=Chart(S["missing"]["title"], series=[2, 3],
                                    colours=[COLOURS["missing"][1], "E0A800"]))
    for p in current:
        missing_tbl.rows.append(plan_cells(p.doc) + [
            Cell(str(p.missing), value=p.missing, status="missing" if p.missing else None),
            Cell(str(p.empty), value=p.empty, status="empty" if p.empty else None),
            Cell(str(p.missing + p.empty), value=p.missing + p.empty)])

    cat = Table("catalogue", S["catalogue"]["title"], S["catalogue"]["sheet"],
                [Column(C["indicator"], 9), Column(C["indicator_text"], 90, wrap=True),
                 Column(C["floor_province"], 20, wrap=True), Column(C["floor_ministry"], 20, wrap=True)])
    for i in catalogue:
        cat.rows.append([Cell(str(i.id), value=i.id), Cell(i.text), Cell(i.floor_text("province") or "—"),
                         Cell(i.floor_text("ministry") or "—")])

    issuers = {p.doc["issuer"] or p.doc["filename"] for p in plans}
    summary = P["summary"].format(plans=len(plans), issuers=len(issuers), below=sum(p.below for p in plans),
                                  missing=sum(p.missing for p in plans), incomplete=sum(p.incomplete for p in plans))
    legend = [(k, P["legend"][k]) for k in ("meets", "below", "neutral", "absent", "na", "missing", "empty")]
    return Page(stem="corpus", title=P["title"], subtitle=summary,
                tables=[index, matrix, *coverage_tables, by_quarter, missing_tbl, cat],
                legend=legend, generated=generated)


def gradient(start: str, end: str, n: int) -> list[str]:
    """n colours from `start` to `end` (hex RGB): later quarters in darker blue."""
    a = [int(start[i:i + 2], 16) for i in (0, 2, 4)]
    b = [int(end[i:i + 2], 16) for i in (0, 2, 4)]
    steps = [k / (n - 1) if n > 1 else 1.0 for k in range(n)]
    return ["".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b)) for t in steps]


def _file_href(sources: Sources, doc: dict) -> str | None:
    f = sources.file(doc)
    return f.as_uri() if f else None
