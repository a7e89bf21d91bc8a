"""The interpreted plan: metadata, section tree, template coverage, tasks and targets.

Every extracted fact carries the page it came from and the text it was read from.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

IssuerKind = Literal["province", "ministry", "other"]
CoverageStatus = Literal["present", "empty", "missing"]
Comparator = Literal[">=", ">", "=", "<=", "<"]


class Metadata(BaseModel):
    issuer: str | None = None
    issuer_kind: IssuerKind = "other"
    issuer_text: str | None = Field(None, description="issuer as written in the letterhead")
    doc_number: str | None = None
    issued_date: date | None = None
    place: str | None = None
    plan_year: int | None = None
    title: str | None = None
    doc_type: str | None = Field(None, description="KẾ HOẠCH, BÁO CÁO, CÔNG VĂN…")
    template: str | None = None


class Section(BaseModel):
    ordinal: int = Field(description="order in the document, 0-based; also the section's local id")
    parent: int | None = Field(None, description="ordinal of the parent section")
    level: int = Field(description="1 = part (Phần), 2 = I., 3 = 1., 4 = 1.1., 5 = a)")
    number: str | None = Field(None, description="as written: 'Phần II', 'III', '2.1', 'a'")
    title: str
    page: int
    text: str = Field("", description="text directly under the heading, before any sub-heading")
    template_key: str | None = None
    match_score: float | None = None


class Coverage(BaseModel):
    template_key: str
    title: str
    status: CoverageStatus
    section: int | None = Field(None, description="ordinal of the matching section")


class Task(BaseModel):
    text: str
    section: int | None = None
    lead_unit: str | None = None
    lead_unit_text: str | None = Field(None, description="lead unit as written")
    lead_unit_successor: str | None = Field(None, description="body that took over the lead unit in the 2025 reorganisation")
    coordinating_units: list[str] = Field(default_factory=list)
    deadline_text: str | None = None
    deadline_date: date | None = None
    recurring: bool = False
    page: int
    source: Literal["text", "table"] = "text"
    budget: str | None = None
    indicator_id: int | None = Field(None, description="catalogue indicator the task works towards, if any")


class Target(BaseModel):
    text: str
    section: int | None = None
    value: float
    unit: str = "%"
    comparator: Comparator = ">="
    year: int | None = None
    level: str | None = None
    indicator_id: int | None = None
    match_score: float | None = None
    floor: float | None = Field(None, description="catalogue floor for the issuer's kind")
    meets_floor: bool | None = None
    page: int
    source: Literal["text", "table"] = "text"


class Result(BaseModel):
    """A figure reported as achieved (Part I), kept apart from commitments."""

    text: str
    section: int | None = None
    value: float
    unit: str = "%"
    year: int | None = None
    page: int


class Plan(BaseModel):
    metadata: Metadata
    sections: list[Section] = Field(default_factory=list)
    coverage: list[Coverage] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    results: list[Result] = Field(default_factory=list)
