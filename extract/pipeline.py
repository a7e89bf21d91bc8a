"""RawDocument → Plan: metadata, section tree, template coverage, tasks, targets."""

from __future__ import annotations

from dataclasses import dataclass

from extract.commitments import add_commitments
from extract.metadata import body_start, extract_metadata
from extract.sections import SectionTree, build_tree, section_text
from extract.template_align import Alignment, align, coverage
from extract.templates import template_for_year
from models.plan import Plan, Section
from models.raw import RawDocument


@dataclass
class Analysis:
    """The plan plus the intermediate structures later stages (tasks, targets) read."""

    plan: Plan
    tree: SectionTree
    alignment: Alignment | None


def analyse(raw: RawDocument) -> Analysis:
    meta, title = extract_metadata(raw)
    tree = build_tree(raw, body_start(raw, title))
    template = template_for_year(meta.plan_year)
    alignment = None
    cov = []
    if template is not None:
        meta.template = template.template
        alignment = align(tree, template)
        cov = coverage(raw, tree, template, alignment)
    sections = []
    for n in tree.nodes:
        keys = alignment.section_keys.get(n.ordinal, []) if alignment else []
        sections.append(Section(
            ordinal=n.ordinal, parent=n.parent, level=n.level, number=n.number, title=n.title,
            page=n.page, text=section_text(raw, n), template_key=keys[0] if keys else None,
            match_score=alignment.scores.get(keys[0]) if keys else None,
        ))
    plan = Plan(metadata=meta, sections=sections, coverage=cov)
    add_commitments(raw, tree, alignment, plan)
    return Analysis(plan=plan, tree=tree, alignment=alignment)


def build_plan(raw: RawDocument) -> Plan:
    return analyse(raw).plan
