"""Tasks (nhiệm vụ): from the tasks part's bullets and paragraphs, and from task tables.

Roles are read from the spans the pipeline marks: a LEAD word ("chủ trì", "giao",
"Đơn vị chủ trì:") takes the unit it governs, a COORD word ("phối hợp với") takes the
units that follow it in its clause; a paragraph that opens with a unit ("Sở Y tế triển
khai …") names its performer. Deadlines are the deadline spans that a cue introduces.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from dataclasses import dataclass

from extract.deadlines import Deadline, parse_deadline
from extract.indicators import match_indicator
from extract.nlp import analyse, spans
from extract.rules import rules
from extract.template_align import is_boilerplate
from extract.units import canonical_unit, find_units, unit_successor
from ingest.normalize import clean, fold, fold_aligned
from models.plan import Task
from models.raw import TableBlock, TextBlock

_BULLET = re.compile(r"^\s*(?:[-+•*–▪●○]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ][).])\s*")
_CLAUSE_END = re.compile(r"[;.)\n]")
_CONTINUATION = re.compile(
    r"^\s*[-+•]?\s*(đơn vị|cơ quan)?\s*(chủ trì|phối hợp|thời gian|thời hạn|tiến độ|sản phẩm|kết quả dự kiến|kinh phí)\s*(thực hiện|hoàn thành)?\s*:",
    re.IGNORECASE,
)
_NOT_TASK = re.compile(r"^\s*(căn cứ|trong đó|cụ thể|bao gồm|gồm|trong quá trình (thực hiện|triển khai))\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"[\s,;:]*(?:(?:và|với|cùng|cùng với|các|và các)\s*)*[\s,;:]*", re.IGNORECASE)
# verbs by which the units written before them perform the task (accent-free)
_PERFORM = re.compile(r"\s*(?:cung\s+)?(?:thuc hien|trien khai|tham muu|duy tri|hoan thanh|chu tri|dam nhiem|chiu trach nhiem)\b")
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


def _unit_lists(text: str, units: list[_Unit]) -> list[list[_Unit]]:
    """Units written as one list ("Sở A, Sở B và UBND các huyện"): joined only by commas, "và"."""
    lists: list[list[_Unit]] = []
    for u in units:
        if lists and _LIST_GAP.fullmatch(text[lists[-1][-1].end:u.start]):
            lists[-1].append(u)
        else:
            lists.append([u])
    return lists


def _list_after(lists: list[list[_Unit]], text: str, pos: int, end: int) -> list[_Unit]:
    for lst in lists:
        if pos <= lst[0].start < end and _LIST_GAP.fullmatch(text[pos:lst[0].start]):
            return lst
    return []


def _list_before(lists: list[list[_Unit]], text: str, pos: int, gap: re.Pattern) -> list[_Unit]:
    for lst in reversed(lists):
        if lst[-1].end <= pos:
            return lst if gap.fullmatch(text[lst[-1].end:pos]) else []
    return []


# Where the gazetteer knows no unit, underthesea's part-of-speech tags can still find the
# performer at the head of a sentence ("Bệnh viện Đa khoa tỉnh triển khai …"). Measured with
# `make eval` (see the README): a small gain, so on; DXPLAN_CHUNK_FALLBACK=0 turns it off.
CHUNK_FALLBACK = os.environ.get("DXPLAN_CHUNK_FALLBACK", "1") != "0"
_ORG_HEADS = ("trung tam", "benh vien", "truong", "hoi", "vien", "hoc vien", "ban", "dai", "bao", "cong ty",
              "chi cuc", "phong", "ho tro")
_PERFORM_POS = ("trien khai", "thuc hien", "chu tri", "phoi hop", "xay dung", "duy tri", "to chuc", "tham muu")


def _chunk_subject(body: str) -> _Unit | None:
    """The noun phrase before the first performing verb, when it names an organisation."""
    from underthesea import pos_tag

    words = pos_tag(body[:200])
    if not words or words[0][1] not in ("N", "Np") or not fold(words[0][0]).startswith(_ORG_HEADS):
        return None
    pos = 0
    for i, (w, tag) in enumerate(words):
        start = body.find(w, pos)
        if start < 0:
            return None
        if i > 0 and tag == "V" and fold(w) in _PERFORM_POS:
            name = body[:start].strip(" ,")
            return _Unit(0, len(name), clean(name), name) if 2 <= len(name.split()) <= 12 else None
        pos = start + len(w)
    return None


def roles_from_text(text: str, year: int | None) -> tuple[_Unit | None, list[_Unit], Deadline | None, object]:
    """Lead unit, coordinating units and deadline of one task paragraph.

    A unit list governed by "chủ trì" (before it, or after "Chủ trì:"/"Giao") leads: its
    first unit is the lead, co-leads count as coordinating. The list after (or before)
    "phối hợp" coordinates. Without a role word, the list that performs the task leads:
    at the start of the paragraph ("Sở Y tế triển khai …"), after "do", before a
    performing verb ("…; Sở A, Sở B thực hiện thường xuyên"), or alone in a closing
    parenthesis. Units after other words are objects of the task, not roles.
    """
    doc = analyse(text, year)
    units = _units(doc)
    lists = _unit_lists(text, units)
    lead_list: list[_Unit] = []
    coord: list[_Unit] = []
    cues = spans(doc, "DEADLINE_CUE")

    def take_lead(lst: list[_Unit]) -> None:
        nonlocal lead_list
        if lst and not lead_list:
            lead_list = lst

    for sp in spans(doc, "LEAD"):
        labelled = _after_label(text, sp.end_char)
        start = text.index(":", sp.end_char) + 1 if labelled else sp.end_char
        if labelled or fold(sp.text).startswith("giao"):
            take_lead(_list_after(lists, text, start, _clause_end(text, start + 1)))
            continue
        before = _list_before(lists, text, sp.start_char, _GAP_BEFORE_LEAD)
        if before:
            take_lead(before)
            continue
        after = _list_after(lists, text, sp.end_char, _clause_end(text, sp.end_char))
        if after and after[0].start - sp.end_char < 40:
            take_lead(after)
    stops = sorted(s.start_char for s in spans(doc, "LEAD") + cues)
    for sp in spans(doc, "COORD"):
        labelled = _after_label(text, sp.end_char)
        start = text.index(":", sp.end_char) + 1 if labelled else sp.end_char
        end = min([_clause_end(text, start + 1)] + [x for x in stops if x > sp.end_char])
        found = _list_after(lists, text, start, end) or _list_before(lists, text, sp.start_char, _LIST_GAP)
        coord += [u for u in found if u not in coord]
    if not lead_list and units:
        body = _BULLET.sub("", text, count=1)
        offset = len(text) - len(body)
        folded = fold_aligned(text)
        def performs(lst: list[_Unit]) -> bool:
            first, last = lst[0], lst[-1]
            if first.start - offset <= 2 and not text[last.end:last.end + 2].strip().startswith(":"):
                return True  # "Sở Y tế triển khai …", "Đài PT-TH tỉnh, Báo tỉnh duy trì …"
            verb = _PERFORM.match(folded, last.end)
            if verb and re.search(r"[;.]\s*$", text[:first.start]):
                return True  # "…; các sở, ban, ngành thực hiện hằng năm"
            if verb and re.search(r"(?:^|\s)do\s+$", folded[max(0, first.start - 5):first.start]):
                return True  # "… do Sở TT&TT thực hiện"
            # "… - Sở TT&TT, thời gian: năm 2023": the unit written just before the time label
            return any(c.start_char >= last.end and re.fullmatch(r"[\s,;–-]*", text[last.end:c.start_char])
                       and _after_label(text, c.end_char) for c in cues)

        for lst in lists:
            if performs(lst):
                take_lead(lst)
                break
        if not lead_list:
            # a closing parenthesis with only units and maybe a time: "(Sở TT&TT, Công an tỉnh)", "(Cục CNTT; hằng năm)"
            par = re.search(r"\(([^()]*)\)\s*[.;]?\s*$", text)
            if par:
                inside = [u for u in units if par.start(1) <= u.start and u.end <= par.end(1)]
                leftover = text[par.start(1):par.end(1)]
                for u in inside:
                    leftover = leftover.replace(u.text, "")
                for d in doc.user_data.get("deadlines", []):
                    if par.start(1) <= d.start and d.end <= par.end(1):
                        leftover = leftover.replace(d.text, "")
                if inside and not re.sub(r"[\s,;và]+", "", leftover):
                    lead_list = inside
    if not lead_list and CHUNK_FALLBACK:
        subject = _chunk_subject(_BULLET.sub("", text, count=1))
        if subject is not None:
            lead_list = [subject]
    lead = lead_list[0] if lead_list else None
    # co-leads ("Sở A, Sở B chủ trì") are reported with the coordinating units
    coord = [u for u in lead_list[1:] + coord if lead is None or u.canonical != lead.canonical]
    seen: set[str] = set()
    coord = [u for u in coord if not (u.canonical in seen or seen.add(u.canonical))]
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
        final_clause = re.fullmatch(r"[\s.;)]*", text[d.end:]) and re.search(r"[;,(]\s*$", text[:d.start])
        if d.cued or after_cue or in_paren or final_clause:
            chosen = d
    return chosen


def _task(text: str, page: int, section: int | None, year: int | None, source: str = "text") -> Task:
    lead, coord, deadline, _ = roles_from_text(text, year)
    subject = match_indicator(text)
    return Task(
        indicator_id=subject.indicator_id if subject else None,
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
@lru_cache(maxsize=1)
def _column_cues() -> dict[str, tuple[str, ...]]:
    return {role: tuple(fold(c) for c in cues) for role, cues in rules()["task_table_columns"].items()}


def table_columns(header: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        f = fold(cell).strip(" .:")
        if not f:
            continue
        for role, cues in _column_cues().items():
            if role == "number":
                hit = re.sub(r"\s+", "", f) in cues  # "ST\nT": a narrow column wraps the header
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
        subject = match_indicator(text)
        out.append(Task(
            indicator_id=subject.indicator_id if subject else None,
            text=text, section=section, page=page, source="table",
            lead_unit=lead, lead_unit_text=lead_c.split("\n")[0] if lead_c else None,
            lead_unit_successor=unit_successor(lead) if lead else None,
            coordinating_units=coord,
            deadline_text=dl_c or None, deadline_date=deadline.date if deadline else None,
            recurring=bool(deadline and deadline.recurring),
            budget=cell("budget") or None,
        ))
    return out
