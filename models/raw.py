"""The document as read from a file, before any interpretation.

Every backend (PDF, DOCX, DOC, OCR) produces a RawDocument; every later stage reads
only this model. Text is kept twice: `text` is normalised for matching (NFC, one
tone-mark convention, repaired whitespace) and `original` is what the file says, for
display and provenance.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]


class TextBlock(BaseModel):
    """A paragraph (DOCX) or a group of lines that read as one paragraph (PDF)."""

    kind: Literal["text"] = "text"
    text: str
    original: str
    page: int = Field(ge=1, description="1-based page the block starts on")
    bbox: BBox | None = None
    font_size: float | None = None
    bold: bool = False
    italic: bool = False
    all_caps: bool = False
    align: Literal["left", "center", "right", "justify"] | None = None
    indent: float | None = Field(None, description="left edge (PDF points) or indentation")
    style: str | None = Field(None, description="Word paragraph style name, e.g. 'Heading 2'")
    outline_level: int | None = Field(None, description="Word heading level (1-9) from style or outlineLvl")
    list_label: str | None = Field(
        None, description="automatic number rebuilt from numbering.xml ('I.', '1.', 'a)'), not in text"
    )
    list_level: int | None = None
    ocr: bool = False
    in_header_table: bool = Field(False, description="cell of the layout table that holds the letterhead")


class TableBlock(BaseModel):
    """A table as rows of cell texts; a table continued across pages is one table."""

    kind: Literal["table"] = "table"
    rows: list[list[str]]
    page: int = Field(ge=1)
    page_end: int = Field(ge=1)
    row_pages: list[int] = Field(default_factory=list, description="page of each row")
    header_rows: int = 0
    bbox: BBox | None = None
    ocr: bool = False


Block = Annotated[Union[TextBlock, TableBlock], Field(discriminator="kind")]


class PageInfo(BaseModel):
    number: int
    ocr: bool = False
    readable: bool = True
    note: str | None = None


class RawDocument(BaseModel):
    path: str
    filename: str
    format: Literal["pdf", "docx", "doc"]
    sha256: str
    pages: int = 0
    page_info: list[PageInfo] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    legacy_encodings: list[str] = Field(default_factory=list, description="TCVN3/VNI runs converted")

    @property
    def text_blocks(self) -> list[TextBlock]:
        return [b for b in self.blocks if isinstance(b, TextBlock)]

    @property
    def tables(self) -> list[TableBlock]:
        return [b for b in self.blocks if isinstance(b, TableBlock)]

    @property
    def ocr_pages(self) -> list[int]:
        return [p.number for p in self.page_info if p.ocr]

    @property
    def unreadable_pages(self) -> list[int]:
        return [p.number for p in self.page_info if not p.readable]
