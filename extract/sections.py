"""Headings → section tree.

A numbered paragraph is a heading when it reads like one: Word heading style or outline
level, bold or capitals in a document that marks its headings that way, or — in a
document with no emphasis at all (plain text, OCR) — a short line without closing
punctuation. Numbered list items inside a section are thereby kept as content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.headings import LEVEL_PART, HeadingNumber, parse_heading_number
from models.raw import RawDocument, TableBlock, TextBlock

_APPENDIX = re.compile(r"^\s*(ph[uụ]\s*l[uụ]c)\s*([IVX\d]{0,4})\b\s*[.:\-–]?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_SIGNATURE_START = re.compile(r"^\s*(nơi nhận|noi nhan)\s*:?", re.IGNORECASE)
_MAX_HEADING_CHARS = 220


@dataclass
class SectionNode:
    ordinal: int
    level: int
    number: str | None
    title: str
    page: int
    block: int  # index of the heading block in RawDocument.blocks
    parent: int | None = None
    blocks: list[int] = field(default_factory=list)  # content blocks directly under the heading
    children: list[int] = field(default_factory=list)
    kind: str = ""


@dataclass
class SectionTree:
    nodes: list[SectionNode]
    preamble: list[int]  # blocks before the first heading (after the title)
    signature: list[int]  # "Nơi nhận" and signature lines

    def descendants(self, ordinal: int) -> list[int]:
        out, stack = [], list(self.nodes[ordinal].children)
        while stack:
            o = stack.pop(0)
            out.append(o)
            stack[0:0] = self.nodes[o].children
        return out

    def ancestors(self, ordinal: int) -> list[int]:
        out, cur = [], self.nodes[ordinal].parent
        while cur is not None:
            out.append(cur)
            cur = self.nodes[cur].parent
        return out


def block_text(b: TextBlock | TableBlock) -> str:
    if isinstance(b, TextBlock):
        return b.text
    return "\n".join(" | ".join(c.replace("\n", " ") for c in row) for row in b.rows)


def _numbered_text(b: TextBlock) -> str:
    if b.list_label and b.list_label not in ("•", "-", "+", "–", "*", "o", "▪", "●"):
        return f"{b.list_label} {b.text}"
    return b.text


def _emphasised(b: TextBlock) -> bool:
    if b.bold or b.outline_level is not None:
        return True
    if not b.all_caps or len(b.text) >= 160:
        return False
    # capitals count only in the words, not in a roman number ("III/2025" is not a heading)
    hn = parse_heading_number(_numbered_text(b))
    title = hn.title if hn else b.text
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _emphasis_by_kind(blocks: list[TextBlock | TableBlock], start: int) -> set[str]:
    """Kinds of numbering (roman, arabic, decimal, letter) the document marks with emphasis.

    A kind whose heading-shaped paragraphs are mostly bold, styled or in capitals needs
    that mark: its plain numbered paragraphs are list items. A kind seldom emphasised
    (a few bold unit names under "Tổ chức thực hiện" in an unformatted plan) is read by
    shape alone.
    """
    marked: dict[str, int] = {}
    shaped: dict[str, int] = {}
    for b in blocks[start:]:
        if not isinstance(b, TextBlock) or len(b.text) >= _MAX_HEADING_CHARS:
            continue
        hn = parse_heading_number(_numbered_text(b))
        if hn is None:
            continue
        if _emphasised(b):
            marked[hn.kind] = marked.get(hn.kind, 0) + 1
            shaped[hn.kind] = shaped.get(hn.kind, 0) + 1
        elif _plain_heading_shape(hn.title):
            shaped[hn.kind] = shaped.get(hn.kind, 0) + 1
    return {k for k, n in marked.items() if n >= 2 and n >= 0.5 * shaped[k]}


def _plain_heading_shape(title: str) -> bool:
    words = title.split()
    return 0 < len(words) <= 22 and not re.search(r"[.;,]\s*$", title) and (title[:1].isupper() or title[:1].isdigit())


def _heading(b: TextBlock, emphasis: set[str]) -> HeadingNumber | None:
    text = _numbered_text(b)
    if len(text) > _MAX_HEADING_CHARS or text.rstrip().endswith(";"):
        return None
    m = _APPENDIX.match(text)
    if m and (_emphasised(b) or b.align == "center" or not emphasis):  # "Phụ lục I …"
        number = (m.group(1) + (" " + m.group(2) if m.group(2) else "")).strip()
        return HeadingNumber(LEVEL_PART, number, "appendix", m.group(3).strip())
    hn = parse_heading_number(text)
    if hn is None:
        if b.outline_level is not None and 1 <= b.outline_level <= 5 and len(text) < 160:
            return HeadingNumber(b.outline_level, "", "styled", text)
        return None
    if hn.kind == "part":
        return hn
    if b.outline_level is not None:
        return hn
    if hn.kind in emphasis:
        return hn if _emphasised(b) else None
    return hn if _plain_heading_shape(hn.title) else None


def build_tree(raw: RawDocument, body_start: int) -> SectionTree:
    """Headings from `body_start` on (after letterhead and title) become the tree."""
    blocks = raw.blocks
    emphasis = _emphasis_by_kind(blocks, body_start)
    nodes: list[SectionNode] = []
    preamble: list[int] = []
    signature: list[int] = []
    stack: list[int] = []
    in_signature = False
    skip_next = False
    for i in range(body_start, len(blocks)):
        if skip_next:
            skip_next = False
            continue
        b = blocks[i]
        hn = _heading(b, emphasis) if isinstance(b, TextBlock) else None
        if hn is None:
            if isinstance(b, TextBlock) and _SIGNATURE_START.match(b.text):
                in_signature = True
            if in_signature:
                signature.append(i)
            elif nodes:
                nodes[stack[-1]].blocks.append(i) if stack else preamble.append(i)
            else:
                preamble.append(i)
            continue
        in_signature = False
        title = hn.title
        if not title and i + 1 < len(blocks) and isinstance(blocks[i + 1], TextBlock):
            nxt = blocks[i + 1]
            # "PHẦN THỨ NHẤT" on one line and its title on the next
            if len(nxt.text) < 200 and (_emphasised(nxt) or nxt.align == "center") and not parse_heading_number(_numbered_text(nxt)):
                title = nxt.text
                skip_next = True
        level = hn.level
        while stack and nodes[stack[-1]].level >= level:
            stack.pop()
        node = SectionNode(
            ordinal=len(nodes), level=level, number=hn.number or None, title=title.rstrip(" :"),
            page=b.page, block=i, parent=stack[-1] if stack else None, kind=hn.kind,
        )
        if node.parent is not None:
            nodes[node.parent].children.append(node.ordinal)
        nodes.append(node)
        stack.append(node.ordinal)
    return SectionTree(nodes=nodes, preamble=preamble, signature=signature)


def section_text(raw: RawDocument, node: SectionNode) -> str:
    return "\n".join(block_text(raw.blocks[i]) for i in node.blocks)
