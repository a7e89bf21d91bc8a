"""Render a report page as one self-contained HTML file (inline CSS and SVG charts, no scripts),
readable straight from the disk and printable."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import jinja2
from markupsafe import Markup

from corpus.report import COLOURS, TEMPLATES, Page, Table, labels

ROW_H, BAR_H, PLOT_W, CHAR_W = 24, 16, 460, 6.6


def _nice_step(top: float) -> float:
    """A round tick step giving about five ticks up to `top`."""
    raw = max(top, 1) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _number(cell) -> float:
    v = cell.value
    return float(v) if isinstance(v, (int, float)) else 0.0


def bar_chart_svg(table: Table) -> str:
    """Horizontal stacked bars, one per table row, one colour per chart series, with a legend."""
    chart = table.chart
    cats = [row[chart.label_column].text for row in table.rows]
    series = [(table.columns[i].label, colour, [_number(row[i]) for row in table.rows])
              for i, colour in zip(chart.series, chart.colours)]
    series = [s for s in series if any(s[2])] or series[:1]
    totals = [sum(vals[r] for _, _, vals in series) for r in range(len(cats))]
    step = _nice_step(max(totals, default=0))
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    label_w = int(min(240, max(80, CHAR_W * max((len(c) for c in cats), default=0) + 14)))

    # legend: items flow left to right, wrapping at the chart width
    width = label_w + PLOT_W + 50
    legend, x, y = [], 0.0, 14
    for name, colour, _ in series:
        w = CHAR_W * len(name) + 30
        if x and x + w > width:
            x, y = 0.0, y + 18
        legend.append(f'<rect x="{x:.0f}" y="{y - 10}" width="12" height="12" fill="#{colour}"/>'
                      f'<text x="{x + 17:.0f}" y="{y}" class="lg">{escape(name)}</text>')
        x += w
    plot_top = y + 16
    height = plot_top + ROW_H * len(cats) + 26

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>{escape(chart.title)}</title>', *legend]
    scale = PLOT_W / top
    ticks = int(round(top / step))
    axis_y = plot_top + ROW_H * len(cats)
    for k in range(ticks + 1):
        tx = label_w + k * step * scale
        parts.append(f'<line x1="{tx:.1f}" y1="{plot_top}" x2="{tx:.1f}" y2="{axis_y}" class="grid"/>'
                     f'<text x="{tx:.1f}" y="{axis_y + 15}" class="tick">{k * step:g}</text>')
    for r, cat in enumerate(cats):
        by = plot_top + r * ROW_H + (ROW_H - BAR_H) / 2
        parts.append(f'<text x="{label_w - 8}" y="{by + BAR_H - 4:.1f}" class="cat">{escape(cat)}</text>')
        x = float(label_w)
        for name, colour, vals in series:
            v = vals[r]
            if v <= 0:
                continue
            w = v * scale
            parts.append(f'<rect x="{x:.1f}" y="{by:.1f}" width="{w:.1f}" height="{BAR_H}" fill="#{colour}">'
                         f'<title>{escape(cat)} — {escape(name)}: {v:g}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 5:.1f}" y="{by + BAR_H - 4:.1f}" class="tot">{totals[r]:g}</text>')
    parts.append(f'<line x1="{label_w}" y1="{plot_top}" x2="{label_w}" y2="{axis_y}" class="axis"/></svg>')
    return "".join(parts)


def _css() -> str:
    status = "\n".join(
        f".s-{k} {{ background: #{bg}; color: #{fg}; }}" for k, (bg, fg) in COLOURS.items())
    return (TEMPLATES / "report.css").read_text(encoding="utf-8") + "\n" + status


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["chart"] = lambda table: Markup(bar_chart_svg(table))
    env.filters["short"] = lambda text, n=34: text if len(text) <= n else text[: n - 1].rstrip() + "…"
    env.tests["number"] = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    return env


def render_html(page: Page) -> str:
    template = _environment().get_template("page.html.j2")
    return template.render(page=page, L=labels(), css=Markup(_css()))


def write_html(page: Page, path: Path) -> Path:
    path.write_text(render_html(page), encoding="utf-8")
    return path
