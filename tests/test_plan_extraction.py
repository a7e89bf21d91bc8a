"""Metadata, section tree, template coverage, tasks and targets read from real documents
in every house style, compared with the labels of the spec they were built from."""

from __future__ import annotations

from datetime import date

import pytest
from rapidfuzz import fuzz

from evaluation.score import score
from extract.pipeline import analyse
from extract.templates import template_for_year
from fixtures.spec import HeadingEl

ALL = [("bold", "docx"), ("bold", "pdf"), ("styled", "docx"), ("styled", "pdf"), ("autonumber", "docx"),
       ("autonumber", "pdf"), ("autonumber", "doc"), ("plain", "docx"), ("plain", "pdf"), ("direct", "pdf"),
       ("tcvn3", "docx"), ("tcvn3", "pdf"), ("scan", "pdf")]


@pytest.fixture(scope="module")
def analysed(documents, read_cache):
    cache = {}

    def get(variant, fmt):
        key = (variant, fmt)
        if key not in cache:
            cache[key] = analyse(read_cache(documents[variant][fmt]))
        return cache[key]

    return get


@pytest.mark.parametrize("variant,fmt", ALL)
def test_metadata(analysed, variant, fmt):
    m = analysed(variant, fmt).plan.metadata
    assert (m.issuer, m.issuer_kind, m.doc_number) == ("Quảng Bình", "province", "318/KH-UBND")
    assert m.issued_date == date(2024, 12, 5)
    assert (m.plan_year, m.template, m.doc_type) == (2025, "2025", "KẾ HOẠCH")


@pytest.mark.parametrize("variant,fmt", ALL)
def test_coverage_matches_the_labels(analysed, base_spec, variant, fmt):
    plan = analysed(variant, fmt).plan
    want = base_spec.coverage(template_for_year(2025).keys)
    got = {c.template_key: c.status for c in plan.coverage}
    assert got == want


@pytest.mark.parametrize("variant,fmt", ALL)
def test_section_tree_levels_and_numbers(analysed, base_spec, variant, fmt):
    plan = analysed(variant, fmt).plan
    keyed = {s.template_key: s for s in plan.sections if s.template_key}
    for el in base_spec.body:
        if isinstance(el, HeadingEl) and el.key:
            s = keyed[el.keys[0]]
            assert s.level == el.level
            if variant == "scan":  # OCR may misread a tone mark; the heading is still recognised
                assert fuzz.ratio(s.title.lower(), el.heading.lower()) >= 85
            else:
                assert s.title.lower() == el.heading.lower()
            parent = plan.sections[s.parent] if s.parent is not None else None
            if el.level > 1:
                assert parent is not None and parent.level < s.level
    # "Mục tiêu, chỉ tiêu cụ thể" holds its target bullets as text, with the page they are on
    targets = keyed["P2/II/2"]
    assert "đạt tối thiểu 95%" in targets.text
    assert targets.page >= 1


@pytest.mark.parametrize("variant,fmt", ALL)
def test_tasks_and_targets_match_the_labels(analysed, base_spec, variant, fmt):
    s = score(base_spec, analysed(variant, fmt).plan, fmt)
    tasks, targets = s.fields["tasks"], s.fields["targets"]
    if variant == "scan":
        # OCR misreads some letters: nearly as good as the text version, not identical
        assert tasks.precision >= 0.85 and tasks.recall >= 0.85, s.errors
        assert targets.precision >= 0.85 and targets.recall >= 0.85, s.errors
        assert s.fields["tasks.deadline_date"].accuracy >= 0.8, s.errors
        assert s.fields["targets.indicator"].accuracy >= 0.8, s.errors
        return
    assert (tasks.fp, tasks.fn) == (0, 0), s.errors
    assert (targets.fp, targets.fn) == (0, 0), s.errors
    for name in ("tasks.lead_unit", "tasks.deadline_date", "tasks.recurring", "targets.value",
                 "targets.comparator", "targets.level", "targets.indicator"):
        assert s.fields[name].accuracy == 1.0, (name, s.errors)
    co = s.fields["tasks.coordinating_units"]
    assert co.fp == 0 and co.fn == 0, s.errors


def test_facts_keep_their_provenance(analysed):
    plan = analysed("bold", "pdf").plan
    by_text = {t.text: t for t in plan.tasks}
    giao = next(t for text, t in by_text.items() if text.startswith("- Giao Sở Nội vụ"))
    assert giao.page == 2 and giao.source == "text"
    assert plan.sections[giao.section].template_key == "P2/III/3"
    row = next(t for t in plan.tasks if t.text == "Triển khai phần mềm quản lý học bạ số")
    assert row.source == "table" and row.deadline_text == "2025-2026" and row.deadline_date == date(2026, 12, 31)
    assert plan.sections[row.section].template_key == "P2/VI"
    target = next(t for t in plan.targets if t.indicator_id == 2)
    assert "55 %" in target.text and target.page >= 2
    assert (target.floor, target.meets_floor) == (60.0, False)


def test_results_of_part_one_are_not_targets(analysed):
    plan = analysed("bold", "docx").plan
    assert sorted(r.value for r in plan.results) == [41.2, 87.5, 98.1, 100.0, 100.0]
    assert all(r.year == 2024 for r in plan.results if "Năm 2024" in r.text)
    assert not any(t.value in (87.5, 41.2) for t in plan.targets)


def test_lead_unit_successor_after_the_2025_merger(analysed):
    plan = analysed("bold", "docx").plan
    task = next(t for t in plan.tasks if t.lead_unit == "Sở Thông tin và Truyền thông")
    assert task.lead_unit_successor == "Sở Khoa học và Công nghệ"


def test_a_report_is_not_a_plan(tmp_path):
    from fixtures.build import build
    from fixtures.generator import generate_report
    from ingest.reader import read_document

    spec = generate_report(3, issuer="Hà Tĩnh")
    pdf = build(spec.model_copy(update={"formats": ["pdf"]}), tmp_path)["pdf"]
    plan = analyse(read_document(pdf)).plan
    assert plan.metadata.doc_type == "BÁO CÁO"
    assert plan.metadata.plan_year is None and plan.metadata.template is None
    assert plan.coverage == [] and plan.tasks == [] and plan.targets == []
    assert plan.results, "a report's figures are kept as results"
