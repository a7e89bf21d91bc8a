"""Render a report page as an XLSX workbook: one sheet per table, frozen header row, column widths,
autofilter, status fills in the HTML colours, hyperlinks to the sources, native bar charts."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from corpus.report import COLOURS, Page, Table, labels

HEAD_FILL = PatternFill("solid", fgColor="EEF2F6")
THIN = Side(style="thin", color="C9D1DA")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LINK = "0B5CAD"


def _fill(status: str) -> PatternFill:
    return PatternFill("solid", fgColor=COLOURS[status][0])


def _font(status: str | None, link: bool, bold: bool = False) -> Font:
    colour = COLOURS[status][1] if status else (LINK if link else None)
    return Font(color=colour, underline="single" if link else None, bold=bold)


def _status_words() -> set[str]:
    """Cell texts that name their own status: the ✗/○ marks and the coverage and floor verdicts."""
    L = labels()
    return {"✗", "○", *L["coverage"].values(), *L["floor_check"].values()}


def _status_rules(ws: Worksheet, table: Table) -> None:
    """Conditional fills for columns of status words (✗/○ marks, 'Thấp hơn mức sàn'…), so the
    colours follow the values when a reviewer edits a cell. A matrix gets one rule set for its block."""
    words = _status_words()
    last = len(table.rows) + 1
    n = len(table.columns)
    groups = [list(range(table.freeze_cols, n))] if table.matrix else [[j] for j in range(n)]
    for cols in groups:
        seen: dict[str, str | None] = {}
        consistent = True
        for row in table.rows:
            for j in cols:
                c = row[j]
                if not isinstance(c.xlsx_value, str) or not c.text:
                    continue
                if c.text not in words or seen.setdefault(c.text, c.status) != c.status:
                    consistent = False
                    break
        coloured = {t: s for t, s in seen.items() if s}
        if not consistent or not coloured:
            continue
        area = f"{get_column_letter(cols[0] + 1)}2:{get_column_letter(cols[-1] + 1)}{last}"
        for text, status in coloured.items():
            ws.conditional_formatting.add(
                area, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=_fill(status),
                                 font=Font(color=COLOURS[status][1])))


def _chart(ws: Worksheet, table: Table) -> None:
    spec = table.chart
    n = len(table.rows)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = spec.title
    chart.style = 10
    for i, colour in zip(spec.series, spec.colours):
        if not any(isinstance(r[i].value, (int, float)) and r[i].value for r in table.rows):
            continue  # an all-zero series only crowds the legend
        chart.add_data(Reference(ws, min_col=i + 1, min_row=1, max_row=n + 1), titles_from_data=True)
        series = chart.series[-1]
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    if not chart.series:
        return
    chart.set_categories(Reference(ws, min_col=spec.label_column + 1, min_row=2, max_row=n + 1))
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width = 20
    chart.height = max(7.5, 0.8 * n + 4)
    ws.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}2")


def _sheet(ws: Worksheet, table: Table) -> None:
    ws.title = table.sheet[:31]
    rotated = any(c.rotate for c in table.columns)
    for j, col in enumerate(table.columns, 1):
        head = ws.cell(row=1, column=j, value=col.tip if col.rotate and col.tip else col.label)
        head.font = Font(bold=True)
        head.fill = HEAD_FILL
        head.border = BORDER
        head.alignment = Alignment(wrap_text=not col.rotate, vertical="bottom",
                                   text_rotation=90 if col.rotate else 0)
        ws.column_dimensions[get_column_letter(j)].width = col.width
    if rotated:
        ws.row_dimensions[1].height = 260
    if table.note:
        ws.cell(row=1, column=1).comment = Comment(table.note, "dxplan", width=420, height=120)
    for i, row in enumerate(table.rows, 2):
        for j, (c, col) in enumerate(zip(row, table.columns), 1):
            cell = ws.cell(row=i, column=j, value=c.xlsx_value)
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=col.wrap, vertical="top",
                                       horizontal="center" if table.matrix and j > table.freeze_cols else None)
            if c.href:
                cell.hyperlink = c.href
            if c.fmt:
                cell.number_format = c.fmt
            if c.status:
                cell.fill = _fill(c.status)
            if c.status or c.href or (table.facts and j == 1):
                cell.font = _font(c.status, bool(c.href), bold=table.facts and j == 1)
    last_col = get_column_letter(len(table.columns))
    ws.freeze_panes = ws.cell(row=2, column=table.freeze_cols + 1)
    ws.auto_filter.ref = f"A1:{last_col}{len(table.rows) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _status_rules(ws, table)
    if table.chart and table.rows:
        _chart(ws, table)


def write_xlsx(page: Page, path: Path) -> Path:
    wb = Workbook()
    wb.properties.title = page.title
    wb.properties.creator = "dxplan"
    used: set[str] = set()
    for k, table in enumerate(page.tables):
        ws = wb.active if k == 0 else wb.create_sheet()
        _sheet(ws, table)
        if ws.title in used:  # two templates can share a truncated name
            ws.title = f"{ws.title[:28]} {k}"
        used.add(ws.title)
    wb.save(path)
    return path
