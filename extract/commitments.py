"""Where in a plan tasks, targets and results are read, and the reading itself.

The template alignment says which sections are the tasks part (P2/III and the task list),
the targets part (P2/II) and the evaluation of last year (P1). Tables are classified by
their header row wherever they are, except in Part I, whose tables report the past.
A document that is not a yearly plan has no commitments; its figures are results.
"""

from __future__ import annotations

from extract.sections import SectionTree
from extract.targets import find_target_header, results_from_text, targets_from_table, targets_from_text
from extract.tasks import find_task_header, tasks_from_blocks, tasks_from_table
from extract.template_align import Alignment
from extract.templates import template_for_year
from ingest.normalize import fold
from models.plan import Plan
from models.raw import RawDocument, TableBlock, TextBlock


def _subtree(tree: SectionTree, roots: set[int]) -> set[int]:
    out = set()
    for r in roots:
        out.add(r)
        out.update(tree.descendants(r))
    return out


def _keys_where(template, pred) -> list[str]:
    return [s.key for s in template.sections if pred(s)]


def regions(tree: SectionTree, alignment: Alignment | None, plan_year: int | None) -> dict[str, set[int]]:
    template = template_for_year(plan_year)
    key_to = alignment.key_to_section if alignment else {}
    nodes = tree.nodes

    def mapped(keys: list[str]) -> set[int]:
        return {key_to[k] for k in keys if k in key_to}

    if template is None:
        return {"tasks": set(), "targets": set(), "past": set(range(len(nodes)))}
    task_keys = _keys_where(template, lambda s: s.key.startswith("P2/") and s.depth == 2 and
                            (fold(s.title).startswith("nhiem vu") or "danh muc nhiem vu" in fold(s.title)))
    target_keys = _keys_where(template, lambda s: s.key.startswith("P2/") and s.depth == 2 and
                              fold(s.title).startswith("muc tieu"))
    other_keys = _keys_where(template, lambda s: s.key.startswith("P2/") and s.depth == 2 and
                             s.key not in task_keys and s.key not in target_keys)
    past = _subtree(tree, mapped(["P1"]) or mapped(_keys_where(template, lambda s: s.key.startswith("P1/") and s.depth == 2)))
    tasks = _subtree(tree, mapped(task_keys))
    targets = _subtree(tree, mapped(target_keys))
    if not tasks:
        # the tasks heading was not recognised: any section outside Part I titled "nhiệm vụ"
        tasks = _subtree(tree, {n.ordinal for n in nodes if "nhiem vu" in fold(n.title) and n.ordinal not in past
                                and "giai phap" not in fold(n.title)})
    if not targets:
        targets = _subtree(tree, {n.ordinal for n in nodes if fold(n.title).startswith(("muc tieu", "chi tieu"))
                                  and n.ordinal not in past})
    # a separate Giải pháp / Tổ chức thực hiện section is not tasks, unless merged with them
    others = _subtree(tree, {o for o in mapped(other_keys) if o not in mapped(task_keys)})
    tasks -= others - set(mapped(task_keys))
    appendix = _subtree(tree, {n.ordinal for n in nodes if n.kind == "appendix"})
    tasks |= {o for o in appendix if "chi tieu" not in fold(nodes[o].title)}
    targets |= {o for o in appendix if "chi tieu" in fold(nodes[o].title)}
    return {"tasks": tasks - past, "targets": targets - past - tasks, "past": past}


def add_commitments(raw: RawDocument, tree: SectionTree, alignment: Alignment | None, plan: Plan) -> None:
    meta = plan.metadata
    year = meta.plan_year
    block_section: dict[int, int] = {}
    for n in tree.nodes:
        for b in n.blocks:
            block_section[b] = n.ordinal
    if meta.template is None:
        for i, b in enumerate(raw.blocks):
            if isinstance(b, TextBlock) and not b.in_header_table and "%" in b.text:
                plan.results += results_from_text(b.text, b.page, block_section.get(i), None)
        return
    reg = regions(tree, alignment, year)
    task_blocks: list[tuple[TextBlock, int | None]] = []
    for i, b in enumerate(raw.blocks):
        sec = block_section.get(i)
        if sec is None:
            continue
        if isinstance(b, TableBlock):
            if sec in reg["past"]:
                continue
            plan.tasks += tasks_from_blocks(task_blocks, year)  # prose before the table, in order
            task_blocks = []
            if find_task_header(b):
                plan.tasks += tasks_from_table(b, sec, year)
            elif find_target_header(b):
                t, r = targets_from_table(b, sec, year, meta.issuer_kind)
                plan.targets += t
                plan.results += r
            continue
        if sec in reg["past"]:
            if "%" in b.text:
                plan.results += results_from_text(b.text, b.page, sec, year - 1 if year else None)
        elif sec in reg["tasks"]:
            task_blocks.append((b, sec))
        elif sec in reg["targets"]:
            t, r = targets_from_text(b.text, b.page, sec, year, meta.issuer_kind)
            plan.targets += t
            plan.results += r
    plan.tasks += tasks_from_blocks(task_blocks, year)
