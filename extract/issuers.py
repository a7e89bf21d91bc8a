"""Who issued a plan: a province (by its Ủy ban nhân dân) or a ministry-level body,
read from the letterhead or from the place line, with the 2025 mergers.

Data: `data/issuers.yaml` (63 provinces, their post-merger province, ministries that
issue plans); names and abbreviations of ministries come from `data/units.yaml`.

Decisions:
* Only a province's Ủy ban nhân dân or a ministry-level body is an issuer. A plan whose
  letterhead names a Sở, a Cục, a district, the HĐND, etc. — first, or right under
  the province/ministry line ("UBND TỈNH QUẢNG TRỊ / SỞ Y TẾ") — gives None: the
  caller decides what to record (issuer_kind "other").
* "ỦY BAN NHÂN DÂN" without the province line gives None.
* "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ" is the city of Huế (centrally-run since 2025).
"""

from __future__ import annotations

import datetime
import re
from functools import cache
from typing import Literal

from pydantic import BaseModel

from extract import units as _u


class Issuer(BaseModel):
    name: str  # province name without "tỉnh"/"thành phố", or a ministry's full name
    kind: Literal["province", "ministry"]
    merged_into: str | None = None
    since: datetime.date | None = None


# The national motto and its rule lines are blanked before reading a letterhead whose
# two columns were extracted interleaved.
_MOTTO = re.compile(
    r"cong\s*hoa\s*xa\s*hoi\s*chu\s*nghia\s*viet\s*nam"
    r"|doc\s*lap\s*[-–—]?\s*tu\s*do\s*[-–—]?\s*hanh\s*phuc"
    r"|[-_=—–.…*]{3,}"
)
# What a subordinate body's line starts with, accent-folded ("SỞ Y TẾ", "CHI CỤC ...").
_SUBORDINATE = re.compile(
    r"\s*(so|ban|van\s+phong|thanh\s+tra|trung\s+tam|chi\s+cuc|tong\s+cuc|cuc|vu|vien|hoc\s+vien"
    r"|truong|benh\s+vien|dai|phong|cong\s+an|bo\s+chi\s+huy|kho\s+bac|bao\s+hiem|chi\s+nhanh"
    r"|hoi\s+dong|uy\s+ban|ubnd|doan|bao|hoi|to\s+cong\s+tac)(?!\w)"
)
_SUBORDINATE_ACC = {
    "so": "sở", "ban": "ban", "vanphong": "vănphòng", "thanhtra": "thanhtra", "trungtam": "trungtâm",
    "chicuc": "chicục", "tongcuc": "tổngcục", "cuc": "cục", "vu": "vụ", "vien": "viện",
    "hocvien": "họcviện", "truong": "trường", "benhvien": "bệnhviện", "dai": "đài", "phong": "phòng",
    "congan": "côngan", "bochihuy": "bộchỉhuy", "khobac": "khobạc", "baohiem": "bảohiểm",
    "chinhanh": "chinhánh", "hoidong": "hộiđồng", "uyban": "ủyban", "ubnd": "ubnd", "doan": "đoàn",
    "bao": "báo", "hoi": "hội", "tocongtac": "tổcôngtác",
}


@cache
def _provinces() -> dict[str, Issuer]:
    places = _u._places()
    out = {}
    for p in places.provinces:
        out[p.name] = Issuer(name=p.name, kind="province", merged_into=p.merged_into,
                             since=places.merger_since if p.merged_into else None)
    return out


@cache
def _ministries() -> dict[str, Issuer]:
    units = _u._gaz().units
    out = {}
    for name in _u._places().ministries:
        u = units.get(name)
        if u is None or u.kind not in ("ministry", "central_agency"):
            raise ValueError(f"issuers.yaml names {name!r}, which units.yaml does not list as a ministry")
        succ = _u.unit_successor(name)
        out[name] = Issuer(name=name, kind="ministry", merged_into=succ,
                           since=u.since if succ else None)
    return out


def all_issuers() -> list[Issuer]:
    """The 63 pre-merger provinces, then the ministry-level issuers."""
    return list(_provinces().values()) + list(_ministries().values())


def province(name: str) -> Issuer | None:
    """The province issuer of a canonical name or alias ("Thừa Thiên Huế" → Huế)."""
    places = _u._places()
    words = _u._form_words(name)
    key = "".join(f for f, _ in words)
    acc = "".join(a for _, a in words)
    for pacc, p in places.names.get(key, []):
        if _u.compatible(acc, pacc, key):
            return _provinces()[p.name]
    return None


def post_merger_province(name: str) -> str | None:
    """The province `name` belongs to from 1 July 2025 (itself when it was not merged)."""
    iss = province(name)
    if iss is None:
        return None
    return iss.merged_into or iss.name


def provinces_after_merger() -> list[str]:
    """The 34 provinces and centrally-run cities from 1 July 2025."""
    out: list[str] = []
    for iss in _provinces().values():
        target = iss.merged_into or iss.name
        if target not in out:
            out.append(target)
    return out


def _blank_motto(text: str) -> tuple[str, str]:
    """`text` in NFC and folded, with the motto and rule lines replaced by spaces in both
    (lengths kept, so positions agree)."""
    t = _u._Text(text).T
    f = _u.fold_char_for_char(t)
    spans = [m.span() for m in _MOTTO.finditer(f)]
    for s, e in reversed(spans):
        t = t[:s] + " " * (e - s) + t[e:]
        f = f[:s] + " " * (e - s) + f[e:]
    return t, f


def _subordinate_follows(t: str, f: str, pos: int, mentions: list) -> bool:
    """Whether the line after an issuer names a body under it ("SỞ Y TẾ")."""
    for m, _ in mentions:
        if m.start >= pos:
            if not f[pos:m.start].strip() and m.kind != "group":
                return True
            break
    s = _SUBORDINATE.match(f, pos)
    if not s:
        return False
    key = re.sub(r"\s+", "", s.group(1))
    if not _u.compatible(_u._word_acc(t[s.start(1):s.end(1)]), _u._word_acc(_SUBORDINATE_ACC[key]), key):
        return False
    # "Số: 245/KH-UBND" is the number line, not "Sở"
    return not re.match(r"\s*[:\d]", f[s.end():s.end() + 3])


def find_issuer(text: str) -> Issuer | None:
    """The issuer named by letterhead lines (any case, broken over lines, motto mixed in)."""
    if not text or not text.strip():
        return None
    blanked, f = _blank_motto(text)
    mentions = _u.find_units_with_place(blanked)
    ministries = _ministries()
    for i, (m, place) in enumerate(mentions):
        if m.kind == "group":
            continue
        issuer = None
        if m.canonical == "Ủy ban nhân dân tỉnh" and place is not None:
            issuer = _provinces()[place]
        elif m.kind == "district_body" and m.canonical.startswith("Ủy ban nhân dân thành phố "):
            # the city of Huế: a district-level city in task text, the province as issuer
            city = province(m.canonical.removeprefix("Ủy ban nhân dân thành phố "))
            if city is not None and _u._places().province(city.name).type == "city":
                issuer = city
        elif m.canonical in ministries:
            issuer = ministries[m.canonical]
        if issuer is None:
            return None
        if _subordinate_follows(blanked, f, m.end, mentions[i + 1:]):
            return None
        return issuer
    return None


def province_from_place(text: str) -> Issuer | None:
    """The province of a place line: "Quảng Trị, ngày 15 tháng 11 năm 2024",
    "TP. Hồ Chí Minh, ngày…", "Huế, ngày…", or the place alone ("Quảng Trị").
    A provincial capital counts for its province ("Đông Hà, ngày…" → Quảng Trị)."""
    if not text or not text.strip():
        return None
    places = _u._places()
    tx = _u._Text(text)
    f = tx.F
    for m in places.place_rx.finditer(f):
        if m.start() > 0 and f[m.start() - 1].isalnum():
            continue
        after = f[m.end():]
        if re.match(r"\s*[,.]?\s*ngay(?!\w)", after):
            pass  # "Quảng Trị, ngày ..." wherever the line stands
        elif not (re.fullmatch(r"[\s,.]*", after)
                  and re.fullmatch(r"\s*(?:(?:tinh|thanh\s*pho|tp)\.?\s*)?", f[:m.start()])):
            continue  # a place alone must be the whole text
        key = "".join(_u._WORD.findall(f, m.start(), m.end()))
        acc = tx.acc_span(m.start(), m.end())
        for table in (places.names, places.capitals):
            for pacc, p in table.get(key, []):
                if _u.compatible(acc, pacc, key):
                    return _provinces()[p.name]
    return None
