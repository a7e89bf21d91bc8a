"""Map a plan's sections onto the template of its year and grade coverage.

Headings are reworded by every issuer, so a section is matched to a template key by
title (against the template title and the aliases in `data/section_aliases.yaml`) and by
place: a section can take key K only if its nearest matched ancestor holds K's nearest
matched template ancestor ("Hạ tầng số" under the tasks part is P2/III/3, under the
evaluation part P1/II/3). Keys are assigned top-down, best score first. A heading that
merges two template sections ("Nhiệm vụ và giải pháp") covers both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz

from extract.headings import roman_value
from extract.sections import SectionTree, block_text
from extract.templates import Template, TemplateSection
from ingest.normalize import match_key
from models.plan import Coverage
from models.raw import RawDocument

ACCEPT = 74.0  # title similarity that is enough on its own
ACCEPT_WITH_NUMBER = 58.0  # enough when the number and level also agree
MERGED = 82.0
ACCEPT_PART_AS_SECTION = 88.0  # a plan without parts: "I. ĐÁNH GIÁ KẾT QUẢ…" may stand for Part I
MIN_CONTENT_LETTERS = 12  # one real sentence; template boilerplate is discounted first

_STOP = re.compile(
    r"\b(về|công tác|các|của|năm|số|phát triển|cho|trong|tại|đối với|việc)\b|\b(19|20)\d\d\b|\d+", re.IGNORECASE
)
_PUNCT = re.compile(r"[^\w\s]")
_LIST_MARK = re.compile(r"^\s*([a-zđ]|\d{1,2})\s*[).]\s*|^\s*[-+•*]\s*")


@lru_cache(maxsize=1)
def _aliases_data() -> dict:
    path = resources.files("extract") / "data" / "section_aliases.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _norm_title(text: str) -> str:
    t = _PUNCT.sub(" ", match_key(text))
    t = _STOP.sub(" ", t)
    return " ".join(t.split())


@lru_cache(maxsize=None)
def _variants(title: str) -> tuple[str, ...]:
    key = _norm_title(title)
    out = {key}
    for t, alist in _aliases_data()["aliases"].items():
        if _norm_title(t) == key:
            out.update(_norm_title(a) for a in alist)
    return tuple(v for v in out if v)


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[str, ...]:
    return tuple(match_key(s) for s in _aliases_data()["boilerplate"])


@lru_cache(maxsize=65536)
def _token_match(a: str, b: str) -> bool:
    return a == b or (len(a) >= 4 and len(b) >= 4 and fuzz.ratio(a, b) >= 85)


def _found(tokens: tuple[str, ...], others: tuple[str, ...]) -> float:
    """Share of `tokens` present in `others` (exactly, or nearly for OCR-damaged words)."""
    pool = set(others)
    hits = sum(1 for t in tokens if t in pool or any(_token_match(t, u) for u in others))
    return hits / len(tokens)


def _overlap(h: tuple[str, ...], v: tuple[str, ...]) -> float:
    """Share of the template wording found in the heading, weighted above the reverse.

    A heading may add words ("Phát triển hạ tầng số" for "Hạ tầng số"); a heading that is
    only part of a longer template title ("Mục tiêu" for "Mục tiêu, nhiệm vụ năm …")
    must not pass for it.
    """
    if not h or not v:
        return 0.0
    return 100.0 * (0.65 * _found(v, h) + 0.35 * _found(h, v))


def title_similarity(heading: str, section: TemplateSection) -> float:
    h = _norm_title(heading)
    if not h:
        return 0.0
    ht = tuple(h.split())
    best = 0.0
    for v in _variants(section.title):
        best = max(best, _overlap(ht, tuple(v.split())), fuzz.ratio(h, v))
    return best


def _number_matches(node_number: str | None, node_kind: str, ts: TemplateSection) -> bool:
    if not node_number:
        return False
    want = ts.number
    got = node_number.split()[-1]
    if ts.depth == 1:
        value = roman_value(got) or (int(got) if got.isdigit() else None)
        if value is None and node_kind == "part":
            from extract.headings import parse_heading_number

            hn = parse_heading_number(node_number)
            value = hn.value[0] if hn and hn.value else None
        if value is None and node_kind == "upper_letter":
            value = ord(got.upper()) - 64
        return value == roman_value(want)
    if ts.depth == 2:
        return got.upper() == want.upper()
    return got.rstrip(".") == want


_LEVEL_FOR_DEPTH = {1: 1, 2: 2, 3: 3, 4: 4}


@dataclass
class Alignment:
    key_to_section: dict[str, int]
    section_keys: dict[int, list[str]]
    scores: dict[str, float]


def align(tree: SectionTree, template: Template) -> Alignment:
    nodes = tree.nodes
    key_to: dict[str, int] = {}
    sec_keys: dict[int, list[str]] = {}
    scores: dict[str, float] = {}
    ancestors = {n.ordinal: tree.ancestors(n.ordinal) for n in nodes}
    by_depth: dict[int, list[TemplateSection]] = {}
    for ts in template.sections:
        by_depth.setdefault(ts.depth, []).append(ts)

    def nearest_assigned_key(o: int) -> str | None:
        for a in ancestors[o]:
            if a in sec_keys:
                return sec_keys[a][0]
        return None

    def nearest_assigned_template_ancestor(ts: TemplateSection) -> str | None:
        k = ts.parent_key
        while k is not None:
            if k in key_to:
                return k
            k = k.rsplit("/", 1)[0] if "/" in k else None
        return None

    def has_assigned_descendant(o: int) -> bool:
        return any(o in ancestors[s] for s in sec_keys)

    has_parts = any(n.level == 1 and n.kind in ("part", "upper_letter") for n in nodes)
    for depth in sorted(by_depth):
        candidates: list[tuple[float, float, str, int]] = []
        for ts in by_depth[depth]:
            pk = nearest_assigned_template_ancestor(ts)
            for n in nodes:
                if n.ordinal in sec_keys or nearest_assigned_key(n.ordinal) != pk:
                    continue
                if depth == 1 and has_parts and n.level != 1:
                    continue  # a document with parts names them as parts
                sim = title_similarity(n.title, ts)
                if sim < ACCEPT_WITH_NUMBER:
                    continue
                num_ok = _number_matches(n.number, n.kind, ts)
                lvl_ok = n.level == _LEVEL_FOR_DEPTH.get(depth, 5)
                if sim < ACCEPT and not (num_ok and lvl_ok):
                    continue
                if depth == 1 and n.level != 1 and sim < ACCEPT_PART_AS_SECTION:
                    continue
                score = sim + 6 * num_ok + 4 * lvl_ok - 3 * abs(n.level - _LEVEL_FOR_DEPTH.get(depth, 5))
                candidates.append((score, sim, ts.key, n.ordinal))
        candidates.sort(key=lambda c: (-c[0], c[3]))
        for score, sim, key, o in candidates:
            if key in key_to or o in sec_keys or has_assigned_descendant(o):
                continue
            key_to[key] = o
            sec_keys[o] = [key]
            scores[key] = round(min(100.0, sim), 1)
        # a heading that merges sibling sections ("Nhiệm vụ và giải pháp") covers them all
        for ts in by_depth[depth]:
            if ts.key in key_to:
                continue
            for o, keys in list(sec_keys.items()):
                sib = template.get(keys[0])
                if sib is None or sib.parent_key != ts.parent_key or sib.depth != ts.depth:
                    continue
                title = nodes[o].title
                if not re.search(r"\bvà\b|,|;|/", title.lower()):
                    continue
                if max((fuzz.partial_ratio(v, _norm_title(title)) for v in _variants(ts.title)), default=0) >= MERGED:
                    key_to[ts.key] = o
                    keys.append(ts.key)
                    scores[ts.key] = MERGED
                    break
    return Alignment(key_to_section=key_to, section_keys=sec_keys, scores=scores)


def is_boilerplate(text: str) -> bool:
    """A sentence copied from the template's instructions, not content of the plan."""
    key = _LIST_MARK.sub("", match_key(text))
    return any(fuzz.ratio(key, b) >= 90 or (len(key) < 40 and key.strip(" :.") == b.strip(" :.")) for b in _boilerplate())


def _content_letters(raw: RawDocument, tree: SectionTree, o: int) -> int:
    total = 0
    for s in [o] + tree.descendants(o):
        for bi in tree.nodes[s].blocks:
            text = block_text(raw.blocks[bi])
            if is_boilerplate(text):
                continue
            total += sum(ch.isalpha() for ch in text)
            if total >= MIN_CONTENT_LETTERS:
                return total
    return total


def coverage(raw: RawDocument, tree: SectionTree, template: Template, al: Alignment) -> list[Coverage]:
    out = []
    for ts in template.sections:
        o = al.key_to_section.get(ts.key)
        if o is None:
            out.append(Coverage(template_key=ts.key, title=ts.title, status="missing"))
            continue
        status = "present" if _content_letters(raw, tree, o) >= MIN_CONTENT_LETTERS else "empty"
        out.append(Coverage(template_key=ts.key, title=ts.title, status=status, section=o))
    return out
