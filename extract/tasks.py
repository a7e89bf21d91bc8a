"""Tasks (nhiệm vụ): from the tasks part's bullets and paragraphs, and from task tables.

Roles are read from the spans the pipeline marks: a LEAD word ("chủ trì", "giao",
"Đơn vị chủ trì:") takes the unit it governs, a COORD word ("phối hợp với") takes the
units that follow it in its clause; a paragraph that opens with a unit ("Sở Y tế triển
khai …") names its performer. Deadlines are the deadline spans that a cue introduces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.deadlines import Deadline, parse_deadline
from extract.nlp import analyse, spans
from extract.template_align import is_boilerplate
from extract.units import canonical_unit, find_units, unit_successor
from ingest.normalize import fold
from models.plan import Task
from models.raw import TableBlock, TextBlock

_BULLET = re.compile(r"^\s*(?:[-+•*–▪●○]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ][).])\s*")
_CLAUSE_END = re.compile(r"[;.)\n]")
_CONTINUATION = re.compile(
    r"^\s*[-+•]?\s*(đơn vị|cơ quan)?\s*(chủ trì|phối hợp|thời gian|thời hạn|tiến độ|sản phẩm|kết quả dự kiến|kinh phí)\s*(thực hiện|hoàn thành)?\s*:",
    re.IGNORECASE,
)
_NOT_TASK = re.compile(r"^\s*(căn cứ|trong đó|cụ thể|bao gồm|gồm)\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"[\s,;:]*(?:(?:và|với|cùng|cùng với|các|và các)\s*)*[\s,;:]*", re.IGNORECASE)
_GAP_BEFORE_LEAD = re.compile(r"^[\s,]*(là|làm)?\s*(cơ quan|đơn vị)?\s*$", re.IGNORECASE)


@dataclass
class _Unit:
    start: int
    end: int
    canonical: str
    text: str


def _units(doc) -> list[_Unit]:
    return [_Unit(m.start, m.end, m.canonical, m.text) for m in doc.user_data.get("units", [])]


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END.search(text, pos)
    return m.start() if m else len(text)


def _after_label(text: str, end: int) -> bool:
    return text[end:end + 3].lstrip().startswith(":")


def roles_from_text(text: str, year: int | None) -> tuple[_Unit | None, list[_Unit], Deadline | None, object]:
    doc = analyse(text, year)
    units = _units(doc)
    lead: _Unit | None = None
    coord: list[_Unit] = []
    cues = spans(doc, "DEADLINE_CUE")
    for sp in spans(doc, "LEAD"):
        word = fold(sp.text)
        if _after_label(text, sp.end_char) or word.startswith("giao"):
            end = _clause_end(text, sp.end_char + 1)
            after = [u for u in units if sp.end_char <= u.start < end]
            if after:
                lead = lead or after[0]
                if _after_label(text, sp.end_char):
                    coord += [u for u in after[1:] if u not in coord]
                continue
        before = [u for u in units if u.end <= sp.start_char and _GAP_BEFORE_LEAD.match(text[u.end:sp.start_char])]
        if before:
            # "Sở A, Sở B chủ trì": the first of the list leads
            first = before[-1]
            for u in reversed(before[:-1]):
                if re.fullmatch(r"[\s,]*(và)?\s*", text[u.end:first.start]):
                    first = u
            lead = lead or first
            continue
        end = _clause_end(text, sp.end_char)
        after = [u for u in units if sp.end_char <= u.start < end and u.start - sp.end_char < 40]
        if after:
            lead = lead or after[0]
    for sp in spans(doc, "COORD"):
        labelled = _after_label(text, sp.end_char)
        end = _clause_end(text, sp.end_char + (1 if labelled else 0))
        stops = [s.start_char for s in spans(doc, "LEAD") + cues if s.start_char > sp.end_char]
        if stops:
            end = min(end, min(stops))
        # the units listed right after "phối hợp với": a list joined by commas and "và";
        # a unit after other words ("… tham mưu UBND tỉnh") is the object of the task
        prev_end = sp.end_char
        for u in units:
            if u.start < sp.end_char or u.start >= end:
                continue
            gap = text[prev_end:u.start]
            if not _LIST_GAP.fullmatch(gap):
                break
            if u not in coord and (lead is None or u.canonical != lead.canonical):
                coord.append(u)
            prev_end = u.end
    if lead is None and units:
        body = _BULLET.sub("", text, count=1)
        offset = len(text) - len(body)
        first = units[0]
        if first.start - offset <= 2 and not _after_label(text, first.end) and not text[first.end:first.end + 2].strip().startswith(","):
            lead = first  # "Sở Y tế triển khai …"
        else:
            m = re.search(r"\bdo\s+$", fold(text[max(0, first.start - 4):first.start]))
            if m:
                lead = first
            else:
                # a closing parenthesis that holds only units: "(Sở TT&TT, Công an tỉnh)"
                par = re.search(r"\(([^()]*)\)\s*[.;]?\s*$", text)
                if par:
                    # "(Sở TT&TT, Công an tỉnh)", "(Cục CNTT; hằng năm)": units, maybe a time, nothing else
                    inside = [u for u in units if par.start(1) <= u.start and u.end <= par.end(1)]
                    leftover = text[par.start(1):par.end(1)]
                    for u in inside:
                        leftover = leftover.replace(u.text, "")
                    for d in doc.user_data.get("deadlines", []):
                        if par.start(1) <= d.start and d.end <= par.end(1):
                            leftover = leftover.replace(d.text, "")
                    if inside and not re.sub(r"[\s,;và]+", "", leftover):
                        lead, coord = inside[0], inside[1:]
    deadline = _labelled_deadline(text, cues, year) or _pick_deadline(text, doc.user_data.get("deadlines", []), cues)
    return lead, coord, deadline, doc


def _labelled_deadline(text: str, cues, year: int | None) -> Deadline | None:
    """"Thời gian hoàn thành: 2025." — what follows a time label, read as a cell."""
    for c in reversed(cues):
        if not _after_label(text, c.end_char):
            continue
        start = text.index(":", c.end_char) + 1
        m = re.search(r";|\.(?:\s|$)|\)|$", text[start:])
        segment = text[start:start + m.start()] if m else text[start:]
        d = parse_deadline(segment, year)
        if d is not None:
            return d.model_copy(update={"start": d.start + start, "end": d.end + start})
    return None


def _pick_deadline(text: str, deadlines: list[Deadline], cues) -> Deadline | None:
    chosen: Deadline | None = None
    tail = len(text) - 60
    for d in deadlines:
        after_cue = any(c.end_char <= d.start and d.start - c.end_char < 25 for c in cues)
        in_paren = text.rfind("(", 0, d.start) > text.rfind(")", 0, d.start)
        if d.recurring and d.date is None:
            if d.cued or after_cue or in_paren or d.start >= tail:
                chosen = d
            continue
        if d.cued or after_cue or in_paren:
            chosen = d
    return chosen


def _task(text: str, page: int, section: int | None, year: int | None, source: str = "text") -> Task:
    lead, coord, deadline, _ = roles_from_text(text, year)
    return Task(
        text=text, section=section, page=page, source=source,
        lead_unit=lead.canonical if lead else None, lead_unit_text=lead.text if lead else None,
        lead_unit_successor=unit_successor(lead.canonical) if lead else None,
        coordinating_units=[u.canonical for u in coord],
        deadline_text=deadline.text if deadline else None,
        deadline_date=deadline.date if deadline else None,
        recurring=bool(deadline and deadline.recurring),
    )


def is_task_paragraph(text: str) -> bool:
    body = _BULLET.sub("", text, count=1).strip()
    if len(body) < 25 or body.endswith(":") or _NOT_TASK.match(body) or is_boilerplate(body):
        return False
    return True


def tasks_from_blocks(blocks: list[tuple[TextBlock, int | None]], year: int | None) -> list[Task]:
    """Task paragraphs in order; a paragraph that only states roles or time belongs to the task above."""
    out: list[Task] = []
    for block, section in blocks:
        text = block.text
        if _CONTINUATION.match(text) and out:
            prev = out[-1]
            merged = _task(prev.text + "\n" + text, prev.page, prev.section, year)
            merged.text = prev.text + "\n" + text
            out[-1] = merged
            continue
        if not is_task_paragraph(text):
            continue
        out.append(_task(text, block.page, section, year))
    return out


# ---------------------------------------------------------------- tables
_COLUMN_CUES = {
    "task": ("nhiem vu", "noi dung", "ten nhiem vu", "du an", "cong viec", "hoat dong", "ten du an"),
    "lead": ("chu tri", "don vi thuc hien", "co quan thuc hien", "don vi trien khai", "don vi chu tri",
             "co quan chu tri", "don vi dau moi", "trach nhiem"),
    "coord": ("phoi hop",),
    "deadline": ("thoi gian", "thoi han", "tien do", "hoan thanh", "thoi diem"),
    "budget": ("kinh phi", "du toan", "nguon von", "tong muc"),
    "number": ("tt", "stt", "so tt"),
}


def table_columns(header: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        f = fold(cell).strip(" .:")
        if not f:
            continue
        for role in ("coord", "lead", "deadline", "budget", "number", "task"):
            cues = _COLUMN_CUES[role]
            if role == "number":
                hit = f in cues
            elif role == "lead":
                hit = any(c in f for c in cues) and "phoi hop" not in f
            else:
                hit = any(c in f for c in cues)
            if hit and role not in cols:
                cols[role] = i
                break
    return cols


def find_task_header(table: TableBlock) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(table.rows[:3]):
        cols = table_columns(row)
        if "task" in cols and ("lead" in cols or "deadline" in cols):
            return r, cols
    return None


_ROMAN_OR_LETTER = re.compile(r"^\s*([IVX]{1,5}|[A-Z]|[a-zđ])\s*[.)]?\s*$")


def tasks_from_table(table: TableBlock, section: int | None, year: int | None) -> list[Task]:
    found = find_task_header(table)
    if not found:
        return []
    hr, cols = found
    header_key = [fold(c) for c in table.rows[hr]]
    out: list[Task] = []
    for r in range(hr + 1, len(table.rows)):
        row = table.rows[r]
        if [fold(c) for c in row] == header_key or all(re.fullmatch(r"\(?\d+\)?", c.strip()) or not c.strip() for c in row):
            continue  # repeated header or the "(1) (2) (3)" numbering row
        cell = lambda role: row[cols[role]].strip() if role in cols and cols[role] < len(row) else ""  # noqa: E731
        text = cell("task")
        if not text:
            continue
        number = cell("number")
        lead_c, coord_c, dl_c = cell("lead"), cell("coord"), cell("deadline")
        if not (lead_c or coord_c or dl_c) and (_ROMAN_OR_LETTER.match(number) or (not number and text.isupper())):
            continue  # a group row ("I. HẠ TẦNG SỐ")
        if not number and out and not (lead_c or coord_c or dl_c) and text[:1].islower():
            out[-1].text += " " + text  # the row continues the one above (split across pages)
            continue
        page = table.row_pages[r] if r < len(table.row_pages) else table.page
        lead_units = find_units(lead_c) if lead_c else []
        lead = lead_units[0].canonical if lead_units else (canonical_unit(lead_c) if lead_c else None)
        if lead is None and lead_c and len(lead_c) < 80:
            lead = lead_c.split("\n")[0].strip(" ;,.")
        coord = [u.canonical for u in lead_units[1:]] + [u.canonical for u in find_units(coord_c)] if coord_c or lead_units[1:] else []
        if coord_c and not coord:
            coord = [p.strip(" .") for p in re.split(r"[;\n]", coord_c) if p.strip(" .")]
        coord = [c for i, c in enumerate(coord) if c != lead and c not in coord[:i]]
        deadline = parse_deadline(dl_c, year) if dl_c else None
        out.append(Task(
            text=text, section=section, page=page, source="table",
            lead_unit=lead, lead_unit_text=lead_c.split("\n")[0] if lead_c else None,
            lead_unit_successor=unit_successor(lead) if lead else None,
            coordinating_units=coord,
            deadline_text=dl_c or None, deadline_date=deadline.date if deadline else None,
            recurring=bool(deadline and deadline.recurring),
            budget=cell("budget") or None,
        ))
    return out
