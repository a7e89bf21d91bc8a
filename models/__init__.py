"""Typed models that every stage of dxplan speaks."""

from models.plan import Coverage, Metadata, Plan, Result, Section, Target, Task
from models.raw import Block, PageInfo, RawDocument, TableBlock, TextBlock

__all__ = [
    "Block", "Coverage", "Metadata", "PageInfo", "Plan", "RawDocument", "Result",
    "Section", "TableBlock", "Target", "Task", "TextBlock",
]
