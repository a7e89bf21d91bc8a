"""DOCX → RawDocument.

Reads the body in document order (paragraphs and tables, including content controls and
text boxes), resolves styles (bold, font, heading level) through `basedOn` chains,
rebuilds automatic numbers from numbering.xml, converts legacy-font runs to Unicode.

Word does not store pagination. Pages come from rendered page breaks when the file was
last saved by Word (`w:lastRenderedPageBreak`), otherwise from explicit breaks plus an
estimate of how much text fills a page; the estimate is marked in `warnings`.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ingest.docx_numbering import W, Numbering
from ingest.errors import IngestError, LimitExceeded
from ingest.legacy_fonts import decode_run
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.normalize import clean, nfc
from models.raw import PageInfo, RawDocument, TableBlock, TextBlock

_W = f"{{{W}}}"
_XML_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=False, remove_blank_text=False)

# Estimation of pagination for files without rendered page breaks (A4, 3 cm + 2 cm margins).
_TEXT_WIDTH_PT = 453.0
_TEXT_HEIGHT_PT = 730.0
_CHAR_WIDTH = 0.46  # average glyph width of Times New Roman, in ems


def _on(el: etree._Element | None) -> bool | None:
    """Value of a toggle property (w:b, w:i, w:caps): None when absent."""
    if el is None:
        return None
    return el.get(f"{_W}val", "true") not in ("0", "false", "off", "none")


@dataclass
class StyleProps:
    name: str | None = None
    based_on: str | None = None
    kind: str = "paragraph"
    bold: bool | None = None
    italic: bool | None = None
    caps: bool | None = None
    font: str | None = None
    size: float | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    jc: str | None = None


def _run_props(rpr: etree._Element | None, into: StyleProps) -> None:
    if rpr is None:
        return
    for tag, attr in (("b", "bold"), ("i", "italic"), ("caps", "caps")):
        v = _on(rpr.find(f"{_W}{tag}"))
        if v is not None:
            setattr(into, attr, v)
    fonts = rpr.find(f"{_W}rFonts")
    if fonts is not None:
        name = fonts.get(f"{_W}ascii") or fonts.get(f"{_W}hAnsi") or fonts.get(f"{_W}cs")
        if name:
            into.font = name
    sz = rpr.find(f"{_W}sz")
    if sz is not None and sz.get(f"{_W}val", "").isdigit():
        into.size = int(sz.get(f"{_W}val")) / 2


class Styles:
    def __init__(self, styles_xml: bytes | None):
        self.raw: dict[str, StyleProps] = {}
        self.defaults = StyleProps()
        self.default_para: str | None = None
        self._resolved: dict[str, StyleProps] = {}
        if styles_xml:
            self._parse(etree.fromstring(styles_xml, _XML_PARSER))

    def _parse(self, root: etree._Element) -> None:
        dd = root.find(f"{_W}docDefaults")
        if dd is not None:
            _run_props(dd.find(f"{_W}rPrDefault/{_W}rPr"), self.defaults)
        for st in root.findall(f"{_W}style"):
            sid = st.get(f"{_W}styleId", "")
            p = StyleProps(kind=st.get(f"{_W}type", "paragraph"))
            name = st.find(f"{_W}name")
            p.name = name.get(f"{_W}val") if name is not None else sid
            based = st.find(f"{_W}basedOn")
            p.based_on = based.get(f"{_W}val") if based is not None else None
            _run_props(st.find(f"{_W}rPr"), p)
            ppr = st.find(f"{_W}pPr")
            if ppr is not None:
                ol = ppr.find(f"{_W}outlineLvl")
                if ol is not None and ol.get(f"{_W}val", "").isdigit():
                    p.outline = int(ol.get(f"{_W}val")) + 1
                numpr = ppr.find(f"{_W}numPr")
                if numpr is not None:
                    p.num_id = _val_of(numpr, "numId")
                    il = _val_of(numpr, "ilvl")
                    p.ilvl = int(il) if il and il.isdigit() else None
                jc = ppr.find(f"{_W}jc")
                if jc is not None:
                    p.jc = jc.get(f"{_W}val")
            name_l = (p.name or "").lower()
            if p.outline is None and name_l.startswith("heading ") and name_l[8:].strip().isdigit():
                p.outline = int(name_l[8:].strip())
            if p.outline is None and name_l == "title":
                p.outline = 0
            if st.get(f"{_W}default") in ("1", "true") and p.kind == "paragraph":
                self.default_para = sid
            self.raw[sid] = p

    def resolve(self, sid: str | None) -> StyleProps:
        sid = sid or self.default_para
        if not sid or sid not in self.raw:
            return StyleProps(font=self.defaults.font, size=self.defaults.size)
        if sid in self._resolved:
            return self._resolved[sid]
        chain, seen, cur = [], set(), sid
        while cur and cur in self.raw and cur not in seen:
            seen.add(cur)
            chain.append(self.raw[cur])
            cur = self.raw[cur].based_on
        out = StyleProps(name=self.raw[sid].name, font=self.defaults.font, size=self.defaults.size)
        for p in reversed(chain):
            for attr in ("bold", "italic", "caps", "font", "size", "outline", "num_id", "ilvl", "jc"):
                v = getattr(p, attr)
                if v is not None:
                    setattr(out, attr, v)
        out.outline = self.raw[sid].outline if self.raw[sid].outline is not None else out.outline
        self._resolved[sid] = out
        return out


def _overlay(src: StyleProps, into: StyleProps) -> None:
    """Apply a character style's own (not inherited) run properties."""
    for attr in ("bold", "italic", "caps", "font", "size"):
        v = getattr(src, attr)
        if v is not None:
            setattr(into, attr, v)


def _val_of(el: etree._Element, tag: str) -> str | None:
    c = el.find(f"{_W}{tag}")
    return c.get(f"{_W}val") if c is not None else None


@dataclass
class _Para:
    original: str
    bold_frac: float
    italic_frac: float
    caps: bool
    size: float | None
    style_name: str | None
    outline: int | None
    list_label: str | None
    list_level: int | None
    jc: str | None
    indent: float | None
    breaks_before: int
    rendered_breaks: int
    legacy: set[str] = field(default_factory=set)


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, limits: Limits):
        self.limits = limits
        names = set(zf.namelist())
        self.styles = Styles(zf.read("word/styles.xml") if "word/styles.xml" in names else None)
        self.numbering = Numbering(zf.read("word/numbering.xml") if "word/numbering.xml" in names else None)
        try:
            self.root = etree.fromstring(zf.read("word/document.xml"), _XML_PARSER)
        except etree.XMLSyntaxError as exc:
            if "excessive depth" in str(exc).lower():  # libxml2 stops at 256 levels: hostile nesting
                raise LimitExceeded("DOCX content nested more than 256 levels deep (tables within tables?); "
                                    "refused") from exc
            raise IngestError(f"broken DOCX: word/document.xml is not well-formed XML ({exc})") from exc
        self.has_rendered_breaks = self.root.find(f".//{_W}lastRenderedPageBreak") is not None
        self.page = 1
        self.page_fill = 0.0  # estimated points used on the current page
        self.blocks: list[TextBlock | TableBlock] = []
        self.legacy: set[str] = set()
        self.seen_text = False

    # ---- runs and paragraphs ------------------------------------------------------
    def _paragraph(self, p: etree._Element) -> tuple[_Para, list[etree._Element]]:
        ppr = p.find(f"{_W}pPr")
        sid = _val_of(ppr, "pStyle") if ppr is not None else None
        st = self.styles.resolve(sid)
        jc = st.jc
        outline = st.outline
        num_id, ilvl = st.num_id, st.ilvl
        indent = None
        breaks_before = 0
        if ppr is not None:
            jc = _val_of(ppr, "jc") or jc
            ol = _val_of(ppr, "outlineLvl")
            if ol is not None and ol.isdigit() and int(ol) < 9:
                outline = int(ol) + 1
            numpr = ppr.find(f"{_W}numPr")
            if numpr is not None:
                num_id = _val_of(numpr, "numId") or num_id
                il = _val_of(numpr, "ilvl")
                if il is not None and il.isdigit():
                    ilvl = int(il)
            ind = ppr.find(f"{_W}ind")
            if ind is not None:
                left = ind.get(f"{_W}left") or ind.get(f"{_W}start")
                if left and left.lstrip("-").isdigit():
                    indent = int(left) / 20
            if _on(ppr.find(f"{_W}pageBreakBefore")):
                breaks_before += 1
        if num_id and ilvl is None and sid:
            ilvl = self.numbering.level_for_style(num_id, sid)
        label, fmt = (None, None)
        if num_id and num_id != "0":
            label, fmt = self.numbering.label(num_id, ilvl or 0)

        parts: list[str] = []
        n_bold = n_italic = n_chars = 0
        sizes: dict[float, int] = {}
        caps_any = False
        boxes: list[etree._Element] = []
        rendered = 0
        legacy: set[str] = set()
        for node in p.iter(f"{_W}r", f"{_W}txbxContent"):
            if node.tag == f"{_W}txbxContent":
                boxes.append(node)
                continue
            # skip runs inside deleted text and inside text boxes (handled separately)
            anc = node.getparent()
            skip = False
            while anc is not None and anc is not p:
                if anc.tag in (f"{_W}del", f"{_W}txbxContent", f"{_W}moveFrom"):
                    skip = True
                    break
                anc = anc.getparent()
            if skip:
                continue
            rpr = node.find(f"{_W}rPr")
            rp = StyleProps(bold=st.bold, italic=st.italic, caps=st.caps, font=st.font, size=st.size)
            if rpr is not None:
                rs = _val_of(rpr, "rStyle")
                if rs and rs in self.styles.raw:
                    _overlay(self.styles.raw[rs], rp)
                _run_props(rpr, rp)
            buf: list[str] = []
            for child in node:
                tag = child.tag
                if tag == f"{_W}t":
                    buf.append(child.text or "")
                elif tag in (f"{_W}tab", f"{_W}cr"):
                    buf.append(" ")
                elif tag == f"{_W}br":
                    if child.get(f"{_W}type") == "page":
                        self._break_inside = True
                    buf.append(" ")
                elif tag == f"{_W}noBreakHyphen":
                    buf.append("-")
                elif tag == f"{_W}lastRenderedPageBreak":
                    rendered += 1
                elif tag == f"{_W}sym":
                    ch = child.get(f"{_W}char")
                    if ch:
                        try:
                            code = int(ch, 16)
                            buf.append(chr(code - 0xF000) if code >= 0xF000 else chr(code))
                        except ValueError:
                            pass
            text = "".join(buf)
            if not text:
                continue
            text, enc = decode_run(text, rp.font)
            if enc:
                legacy.add(enc)
            parts.append(text)
            visible = sum(1 for c in text if not c.isspace())
            n_chars += visible
            if rp.bold:
                n_bold += visible
            if rp.italic:
                n_italic += visible
            if rp.caps:
                caps_any = True
            if rp.size:
                sizes[rp.size] = sizes.get(rp.size, 0) + visible
        size = max(sizes, key=sizes.get) if sizes else st.size
        para = _Para(
            original=nfc("".join(parts)),
            bold_frac=n_bold / n_chars if n_chars else 0.0,
            italic_frac=n_italic / n_chars if n_chars else 0.0,
            caps=caps_any,
            size=size,
            style_name=st.name,
            outline=outline if outline and outline > 0 else None,
            list_label=label if fmt != "bullet" else (label or "•"),
            list_level=ilvl if label else None,
            jc=jc,
            indent=indent,
            breaks_before=breaks_before,
            rendered_breaks=rendered,
            legacy=legacy,
        )
        return para, boxes

    def _advance_estimate(self, chars: int, size: float | None, width_frac: float = 1.0, extra_pt: float = 6.0) -> None:
        size = size or 13.0
        cpl = max(8, int(_TEXT_WIDTH_PT * width_frac / (size * _CHAR_WIDTH)))
        lines = max(1, math.ceil(chars / cpl))
        self.page_fill += lines * size * 1.2 + extra_pt
        while self.page_fill > _TEXT_HEIGHT_PT:
            self.page_fill -= _TEXT_HEIGHT_PT
            self.page += 1

    def _new_page(self) -> None:
        self.page += 1
        self.page_fill = 0.0

    def _emit_paragraph(self, p: etree._Element, in_header_table: bool = False, estimate: bool = True) -> list[TextBlock]:
        self._break_inside = False
        para, boxes = self._paragraph(p)
        if self.has_rendered_breaks:
            self.page += para.rendered_breaks
        for _ in range(para.breaks_before):
            if self.seen_text:
                self._new_page()
        out: list[TextBlock] = []
        text = clean(para.original)
        if text:
            self.seen_text = True
            self.legacy |= para.legacy
            letters_ = [c for c in text if c.isalpha()]
            all_caps = para.caps or (len(letters_) >= 3 and all(c.isupper() for c in letters_))
            out.append(TextBlock(
                text=text, original=para.original.strip(), page=self.page,
                font_size=para.size, bold=para.bold_frac >= 0.6, italic=para.italic_frac >= 0.6,
                all_caps=all_caps, align=_ALIGN.get(para.jc or "", None), indent=para.indent,
                style=para.style_name, outline_level=para.outline,
                list_label=para.list_label, list_level=para.list_level,
                in_header_table=in_header_table,
            ))
            if estimate and not self.has_rendered_breaks:
                self._advance_estimate(len(text) + len(para.list_label or ""), para.size)
        if self._break_inside and self.seen_text:
            self._new_page()
        for box in boxes:
            for inner in box.iter(f"{_W}p"):
                out.extend(self._emit_paragraph(inner, in_header_table, estimate=False))
        return out

    # ---- tables --------------------------------------------------------------------
    def _cell_text(self, tc: etree._Element, depth: int) -> str:
        if depth > self.limits.max_table_depth:
            raise LimitExceeded(
                f"tables nested more than {self.limits.max_table_depth} deep (raise --max-table-depth to read it)"
            )
        lines = []
        for child in tc:
            if child.tag == f"{_W}p":
                para, _ = self._paragraph_light(child)
                if para:
                    lines.append(para)
            elif child.tag == f"{_W}tbl":
                for tr in child.findall(f"{_W}tr"):
                    cells = [self._cell_text(c, depth + 1) for c in tr.findall(f"{_W}tc")]
                    row = " | ".join(c for c in cells if c)
                    if row:
                        lines.append(row)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    t = self._cell_text(content, depth)
                    if t:
                        lines.append(t)
        return "\n".join(lines)

    def _paragraph_light(self, p: etree._Element) -> tuple[str, None]:
        """Text of a paragraph in a cell, with its automatic number, legacy runs decoded."""
        para, _ = self._paragraph(p)
        self.legacy |= para.legacy
        text = para.original.strip()
        if para.list_label and para.list_label not in ("•",):
            text = f"{para.list_label} {text}"
        return text, None

    def _table(self, tbl: etree._Element) -> list[list[str]] | None:
        rows: list[list[str]] = []
        above: dict[int, str] = {}
        header_rows = 0
        for r_i, tr in enumerate(tbl.findall(f"{_W}tr")):
            trpr = tr.find(f"{_W}trPr")
            if trpr is not None and trpr.find(f"{_W}tblHeader") is not None and r_i == header_rows:
                header_rows += 1
            row: list[str] = []
            col = 0
            for tc in tr.findall(f"{_W}tc"):
                tcpr = tc.find(f"{_W}tcPr")
                span = 1
                vmerge_continue = False
                if tcpr is not None:
                    gs = _val_of(tcpr, "gridSpan")
                    span = int(gs) if gs and gs.isdigit() else 1
                    vm = tcpr.find(f"{_W}vMerge")
                    vmerge_continue = vm is not None and vm.get(f"{_W}val", "continue") == "continue"
                text = above.get(col, "") if vmerge_continue else self._cell_text(tc, 1)
                above[col] = text
                row.append(text)
                row.extend([""] * (span - 1))
                col += span
            rows.append(row)
        self._header_rows = header_rows
        width = max((len(r) for r in rows), default=0)
        return [r + [""] * (width - len(r)) for r in rows] if width else None

    def _emit_table(self, tbl: etree._Element) -> list[TextBlock | TableBlock]:
        start_page = self.page
        rows = self._table(tbl)
        if not rows:
            return []
        cleaned = [[clean(c.replace("\n", " \n ")).replace(" \n ", "\n") if c else "" for c in r] for r in rows]
        flat = " ".join(c for r in cleaned for c in r)
        if _is_layout_table(cleaned, flat, before_body=not self._body_started()):
            return self._layout_table_blocks(tbl, header=_is_letterhead(flat))
        if not self.has_rendered_breaks:
            ncols = max(1, len(rows[0]))
            for r in cleaned:
                longest = max((len(c) for c in r), default=0)
                self._advance_estimate(longest, 12.0, width_frac=min(1.0, 2.0 / ncols), extra_pt=4.0)
        row_pages = [start_page] * len(cleaned)
        self.seen_text = True
        return [TableBlock(rows=cleaned, page=start_page, page_end=self.page,
                           row_pages=row_pages, header_rows=self._header_rows)]

    def _layout_table_blocks(self, tbl: etree._Element, header: bool) -> list[TextBlock]:
        out: list[TextBlock] = []
        trs = tbl.findall(f"{_W}tr")
        ncols = max((len(tr.findall(f"{_W}tc")) for tr in trs), default=0)
        # column by column: the left column (issuer, số hiệu) reads before the right one
        for c in range(ncols):
            for tr in trs:
                tcs = tr.findall(f"{_W}tc")
                if c < len(tcs):
                    for p in tcs[c].iter(f"{_W}p"):
                        out.extend(self._emit_paragraph(p, in_header_table=header, estimate=False))
        if not self.has_rendered_breaks:
            self._advance_estimate(0, 13.0, extra_pt=14.0 * 5)
        return out

    def _body_started(self) -> bool:
        return any(isinstance(b, TextBlock) and not b.in_header_table for b in self.blocks)

    # ---- body ----------------------------------------------------------------------
    def read(self) -> list[TextBlock | TableBlock]:
        body = self.root.find(f"{_W}body")
        if body is None:
            raise IngestError("broken DOCX: word/document.xml has no body")
        self._walk(body)
        return self.blocks

    def _walk(self, parent: etree._Element) -> None:
        for child in parent:
            tag = child.tag
            if tag == f"{_W}p":
                self.blocks.extend(self._emit_paragraph(child))
                ppr = child.find(f"{_W}pPr")
                if ppr is not None and ppr.find(f"{_W}sectPr") is not None:
                    st = ppr.find(f"{_W}sectPr/{_W}type")
                    if st is None or st.get(f"{_W}val") in (None, "nextPage", "oddPage", "evenPage"):
                        if not self.has_rendered_breaks:
                            self._new_page()
            elif tag == f"{_W}tbl":
                self.blocks.extend(self._emit_table(child))
            elif tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self._walk(content)
            elif tag in (f"{_W}customXml", f"{_W}ins"):
                self._walk(child)


_ALIGN = {"center": "center", "both": "justify", "distribute": "justify", "right": "right",
          "end": "right", "left": "left", "start": "left"}

_LETTERHEAD_CUES = ("cộng hòa xã hội", "độc lập - tự do", "độc lập – tự do", "số:", "ủy ban nhân dân", "ubnd")
_SIGNATURE_CUES = ("nơi nhận", "tm.", "kt.", "chủ tịch", "bộ trưởng", "thứ trưởng", "giám đốc")


def _is_letterhead(flat: str) -> bool:
    low = flat.lower()
    has_motto = "cộng hòa xã hội" in low or "độc lập" in low
    return has_motto and sum(cue in low for cue in _LETTERHEAD_CUES) >= 2


def _is_layout_table(rows: list[list[str]], flat: str, before_body: bool) -> bool:
    """A borderless-looking table used only to put the letterhead or signature side by side."""
    if len(rows) > 4 or max(len(r) for r in rows) > 3:
        return False
    low = flat.lower()
    if before_body and _is_letterhead(flat):
        return True
    return "nơi nhận" in low and sum(cue in low for cue in _SIGNATURE_CUES) >= 2


def read_docx(path: Path, sha256: str, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise IngestError("broken DOCX: the file is not a valid zip package (truncated or damaged)") from exc
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > limits.max_unzipped_mb * 1e6:
            raise LimitExceeded(
                f"DOCX unpacks to {total / 1e6:.0f} MB, over the {limits.max_unzipped_mb:.0f} MB limit "
                "(possible zip bomb)"
            )
        if total / packed > limits.max_zip_ratio and total > 20e6:
            raise LimitExceeded(
                f"DOCX compression ratio {total / packed:.0f}:1 looks like a zip bomb; refused"
            )
        if "word/document.xml" not in zf.namelist():
            raise IngestError("broken DOCX: the package has no word/document.xml")
        try:
            reader = _Reader(zf, limits)
            blocks = reader.read()
        except (zipfile.BadZipFile, KeyError, EOFError, zipfile.LargeZipFile) as exc:
            raise IngestError(f"broken DOCX: {exc}") from exc
        except etree.XMLSyntaxError as exc:
            raise IngestError(f"broken DOCX: malformed XML ({exc})") from exc
    pages = max((b.page_end if isinstance(b, TableBlock) else b.page for b in blocks), default=1)
    if pages > limits.max_pages:
        raise LimitExceeded(f"document has about {pages} pages, over the --max-pages limit of {limits.max_pages}")
    warnings = []
    if not reader.has_rendered_breaks:
        warnings.append("page numbers estimated (the DOCX stores no rendered page breaks)")
    return RawDocument(
        path=str(path), filename=path.name, format="docx", sha256=sha256, pages=pages,
        page_info=[PageInfo(number=i) for i in range(1, pages + 1)],
        blocks=blocks, warnings=warnings, legacy_encodings=sorted(reader.legacy),
    )
