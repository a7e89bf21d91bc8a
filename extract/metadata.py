"""Letterhead and title → issuer, số hiệu, date, document type, plan year.

The letterhead is two columns (issuer and number on the left; motto, place and date on
the right). Readers deliver the left column first when they can (DOCX layout tables,
PDF side-by-side regions); the patterns below do not depend on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.issuers import find_issuer, province_from_place
from ingest.normalize import fold
from models.plan import Metadata
from models.raw import RawDocument, TableBlock, TextBlock

# "Số: 245/KH-UBND", "Số:3816 /BTTTT-CĐSQG", "Số: /KH-UBND" (number left blank for signing)
_NUMBER = re.compile(
    r"\b[Ss][ốôo]\s*(?:hiệu|hieu)?\s*[:.]?\s*((?:\d[\d\s]*)?/\s*[A-ZĐ0-9][A-ZĐ0-9&.\-–]*(?:/[A-ZĐ0-9][A-ZĐ0-9&.\-–]*)*)(?![a-zà-ỹđ])"
)
_DATE = re.compile(
    r"(?:(?P<place>[^\d,;:\n]{2,40}?)\s*,\s*)?ngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
_DATE_SLASH = re.compile(r"(?P<place>[^\d,;:\n]{2,40}?)\s*,\s*ngày\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})", re.IGNORECASE)
_DOC_TYPES = ("kế hoạch", "báo cáo", "quyết định", "công văn", "tờ trình", "hướng dẫn", "chương trình",
              "thông báo", "chỉ thị", "nghị quyết", "đề án")
_YEAR = re.compile(r"\bnăm\s+(20\d\d)\b", re.IGNORECASE)
_PERIOD = re.compile(r"giai\s*đoạn\s*20\d\d\s*[-–—]\s*20\d\d", re.IGNORECASE)
_MOTTO = ("cộng hòa xã hội", "độc lập - tự do", "độc lập – tự do", "độc lập-tự do")
_DX_SUBJECT = ("chuyển đổi số", "chính quyền số", "chính phủ số", "chính quyền điện tử", "chính phủ điện tử",
               "ứng dụng công nghệ thông tin", "kinh tế số")


@dataclass
class TitleBlock:
    start: int  # index of the first title block
    end: int  # index after the last title block
    doc_type: str | None
    text: str


def _texts(raw: RawDocument, upto: int) -> list[tuple[int, TextBlock]]:
    return [(i, b) for i, b in enumerate(raw.blocks[:upto]) if isinstance(b, TextBlock)]


def find_title(raw: RawDocument) -> TitleBlock | None:
    """The document-type line ("KẾ HOẠCH") and the subject lines under it."""
    limit = min(len(raw.blocks), 40)
    for i, b in _texts(raw, limit):
        low = b.text.lower().strip()
        doc_type = next((t for t in _DOC_TYPES if low == t or low.startswith(t + " ") or low.startswith(t + "\n")), None)
        if doc_type is None or b.in_header_table:
            continue
        if not (b.all_caps or b.align == "center" or b.bold) or len(b.text) > 250:
            continue
        parts = [b.text]
        j = i + 1
        while j < len(raw.blocks) and len(parts) < 5:
            nxt = raw.blocks[j]
            if not isinstance(nxt, TextBlock) or len(nxt.text) > 250:
                break
            if not (nxt.bold or nxt.align == "center" or nxt.all_caps) or _looks_like_body(nxt.text):
                break
            if nxt.text.startswith("(") and ("kèm theo" in nxt.text.lower() or "ban hành" in nxt.text.lower()):
                j += 1
                break
            parts.append(nxt.text)
            j += 1
        return TitleBlock(start=i, end=j, doc_type=doc_type.upper(), text=" ".join(parts))
    return None


def _looks_like_body(text: str) -> bool:
    from extract.headings import parse_heading_number

    return parse_heading_number(text) is not None or text.lower().startswith(("căn cứ", "thực hiện", "kính gửi"))


def _letterhead(raw: RawDocument, title: TitleBlock | None) -> list[TextBlock]:
    upto = title.start if title else min(len(raw.blocks), 15)
    head = [b for _, b in _texts(raw, upto)]
    head += [b for i, b in enumerate(raw.blocks[:upto + 20])
             if isinstance(b, TextBlock) and b.in_header_table and b not in head]
    return head


def _doc_number(lines: list[str]) -> str | None:
    for text in lines:
        m = _NUMBER.search(text)
        if m:
            number = re.sub(r"\s+", "", m.group(1)).replace("–", "-")
            return number.rstrip("-/.") if re.search(r"[A-ZĐ]", number) else None
    return None


def _issued(lines: list[str]) -> tuple[date | None, str | None]:
    for text in lines:
        for rx in (_DATE, _DATE_SLASH):
            m = rx.search(text)
            if not m:
                continue
            place = (m.group("place") or "").strip(" ,.-") or None
            try:
                return date(int(m.group("y")), int(m.group("m")), int(m.group("d"))), place
            except ValueError:
                return None, place
    return None, None


def plan_year_of(title: TitleBlock | None, doc_number: str | None) -> int | None:
    """Year of a yearly digital-transformation plan, from its title; None for other documents."""
    if title is None:
        return None
    is_plan = title.doc_type in ("KẾ HOẠCH", "CHƯƠNG TRÌNH") or bool(doc_number and "/KH" in doc_number.upper())
    if not is_plan:
        return None
    low = title.text.lower()
    if not any(s in low for s in _DX_SUBJECT) and "cđs" not in low:
        return None
    if _PERIOD.search(title.text):
        return None
    years = _YEAR.findall(title.text)
    return int(years[-1]) if years else None


def extract_metadata(raw: RawDocument) -> tuple[Metadata, TitleBlock | None]:
    title = find_title(raw)
    head = _letterhead(raw, title)
    lines = [b.text for b in head]
    doc_number = _doc_number(lines)
    issued, place = _issued(lines)
    if issued is None and title is not None:
        issued, place = _issued([b.text for _, b in _texts(raw, min(len(raw.blocks), title.end + 3))])
    issuer = None
    agency_lines = [t for t in lines if not any(m in t.lower() for m in _MOTTO) and not _NUMBER.search(t)
                    and not _DATE.search(t)]
    for n in range(1, len(agency_lines) + 1):
        issuer = find_issuer("\n".join(agency_lines[:n + 1]))
        if issuer:
            break
    if issuer is None and lines:
        issuer = find_issuer("\n".join(lines))
    if issuer is None and place and any("ủy ban nhân dân" in t.lower() or "ubnd" in t.lower() for t in agency_lines):
        # the province line of a UBND letterhead is unreadable: the place names the province
        issuer = province_from_place(place)
    doc_type = title.doc_type if title else None
    if doc_type is None and any(fold(t).startswith("v/v") for t in lines):
        doc_type = "CÔNG VĂN"
    meta = Metadata(
        issuer=issuer.name if issuer else None,
        issuer_kind=issuer.kind if issuer else "other",
        issuer_text=" ".join(agency_lines[:3]) or None,
        doc_number=doc_number,
        issued_date=issued,
        place=place,
        plan_year=plan_year_of(title, doc_number),
        title=title.text if title else None,
        doc_type=doc_type,
    )
    return meta, title


def body_start(raw: RawDocument, title: TitleBlock | None) -> int:
    if title is not None:
        return title.end
    for i, b in enumerate(raw.blocks):
        if isinstance(b, TableBlock) or not b.in_header_table:
            return i
    return 0
