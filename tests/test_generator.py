"""The plan generator: deterministic, valid, varied, and its labels agree with its text.

The text/label checks re-read each generated task and target with small parsers written
here, independently of the generator, so a mislabelled phrase fails the suite.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from fixtures.generator import (_issuer, canonical_units, dump_spec, estimate_pages, generate_corpus,
                                generate_plan, generate_report, phrases, template_for_year, template_keys)
from fixtures.spec import DocSpec, HeadingEl, ParagraphEl, TableEl, load_spec

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "extract" / "data" / "templates"
CATALOGUE = ROOT / "extract" / "data" / "indicators-2025.yaml"

# Canonical unit names from the labelling rules; a ministry's own departments ("Cục …",
# "Vụ …", "Tổng cục …", its IT centre) are canonical as written.
LABELLING_UNITS = {
    "Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư", "Sở Nội vụ", "Sở Khoa học và Công nghệ",
    "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường",
    "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa, Thể thao và Du lịch", "Sở Giao thông vận tải",
    "Sở Xây dựng", "Sở Ngoại vụ", "Thanh tra tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh",
    "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Đài Phát thanh và Truyền hình tỉnh", "Bảo hiểm xã hội tỉnh",
    "Cục Thuế tỉnh", "Bưu điện tỉnh", "Viễn thông tỉnh", "Viettel tỉnh", "Trung tâm Phục vụ hành chính công tỉnh",
    "Ban Chỉ đạo chuyển đổi số tỉnh", "Các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Ủy ban nhân dân cấp xã", "Các doanh nghiệp viễn thông", "Các cơ quan, đơn vị liên quan",
    "Các bộ, ngành, địa phương", "Các đơn vị thuộc Bộ", "Văn phòng Bộ", "Vụ Kế hoạch - Tài chính",
    "Vụ Tổ chức cán bộ", "Vụ Pháp chế", "Thanh tra Bộ", "Trung tâm Công nghệ thông tin",
    "Cục Chuyển đổi số quốc gia", "Cục An toàn thông tin", "Bộ Thông tin và Truyền thông", "Bộ Công an",
    "Bộ Tài chính", "Bộ Khoa học và Công nghệ", "Văn phòng Chính phủ",
}


def _ministry_own_names() -> set[str]:
    d = yaml.safe_load((ROOT / "fixtures" / "data" / "issuers.yaml").read_text(encoding="utf-8"))
    out = set()
    for m in d["ministries"]:
        out.add(m["it"]["canonical"])
        out.update(e["canonical"] for e in m.get("own", []))
        out.update(r["canonical"] for r in (m.get("replace") or {}).values())
    return out


def _template(t: str) -> list[str]:
    path = TEMPLATES / f"khung-{t}.yaml"
    if not path.exists():
        path = Path("/work/shared/reference/templates") / f"khung-{t}.yaml"
    return [s["key"] for s in yaml.safe_load(path.read_text(encoding="utf-8"))["sections"]]


@pytest.fixture(scope="module")
def plans() -> list[DocSpec]:
    """50 plans with everything left to chance, plus fixed corners."""
    out = [generate_plan(seed, pages=[10, 20, 30][seed % 3]) for seed in range(50)]
    out += [generate_plan(1000, kind="ministry", year=2023), generate_plan(1001, issuer="Cần Thơ"),
            generate_plan(1002, issuer="Ngân hàng Nhà nước Việt Nam"), generate_plan(1003, issuer="Huế", year=2024),
            generate_plan(1004, year=2026, kind="province"), generate_plan(1005, pages=50)]
    return out


# ---- an independent reading of the text ------------------------------------------------------

_Q = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _last(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def read_deadline(text: str, plan_year: int) -> tuple[date | None, bool]:
    """(deadline, recurring) as a reader of the generated wording would find them."""
    t = re.sub(r"\d+/\d{4}/[A-ZĐ\-]+", " ", text)  # document numbers ("47/2024/NĐ-CP")
    recurring = bool(re.search(r"(?i)thường xuyên|hằng năm|hàng năm|định kỳ hằng quý", t))
    rules = [
        (r"Quý (IV|III|II|I)\s*-\s*(?:Quý )?(IV|III|II|I)(?:/(\d{4}))?", lambda m: _last(int(m[3] or plan_year), 3 * _Q[m[2]])),
        (r"Quý (IV|III|II|I)(?:/| năm )(\d{4})", lambda m: _last(int(m[2]), 3 * _Q[m[1]])),
        (r"^Quý (IV|III|II|I)$", lambda m: _last(plan_year, 3 * _Q[m[1]])),
        (r"ngày (\d{1,2})/(\d{1,2})/(\d{4})", lambda m: date(int(m[3]), int(m[2]), int(m[1]))),
        (r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", lambda m: date(int(m[3]), int(m[2]), int(m[1]))),
        (r"(?i)trước (\d{1,2})/(\d{1,2})/(\d{4})", lambda m: date(int(m[3]), int(m[2]), int(m[1]))),
        (r"(?i)6 tháng đầu năm (\d{4})", lambda m: date(int(m[1]), 6, 30)),
        (r"(?i)6 tháng cuối năm (\d{4})", lambda m: date(int(m[1]), 12, 31)),
        (r"(?i)tháng (\d{1,2})(?:/| năm )(\d{4})", lambda m: _last(int(m[2]), int(m[1]))),
        (r"(\d{4})-(\d{4})", lambda m: date(int(m[2]), 12, 31)),
        (r"(?i)(?:năm |^|: )(\d{4})\b", lambda m: date(int(m[1]), 12, 31)),
    ]
    for pattern, make in rules:
        m = re.search(pattern, t.strip())
        if m:
            return make(m), recurring
    return None, recurring


_PCT = re.compile(r"(\d+(?:,\d)?)\s?%")


def _pcts(text: str) -> list[float]:
    return [float(v.replace(",", ".")) for v in _PCT.findall(text)]


def _mentions(spec: DocSpec) -> list[tuple[str, str]]:
    iss = _issuer(spec.meta.issuer)
    pairs = [(m, u.canonical) for u in iss.units.values() for m in u.mentions]
    return sorted(pairs, key=lambda p: -len(p[0]))


def units_in(text: str, mentions: list[tuple[str, str]]) -> list[str]:
    """Canonical units named in `text`, in order, longest mention first."""
    found: list[tuple[int, str]] = []
    taken = [False] * len(text)
    for m, canonical in mentions:
        for hit in re.finditer(r"(?<![\wÀ-ỹ])" + re.escape(m) + r"(?![\wÀ-ỹ])", text, flags=re.IGNORECASE):
            if m[0].isupper() and not text[hit.start()].isupper():
                continue  # "Cục Công nghiệp" is not "khu công nghiệp"
            if any(taken[hit.start():hit.end()]):
                continue
            for i in range(hit.start(), hit.end()):
                taken[i] = True
            found.append((hit.start(), canonical))
    return [c for _, c in sorted(found)]


def _sections(spec: DocSpec):
    """(element, key of the nearest keyed heading above it, top-level part key)."""
    part, key = None, None
    for el in spec.body:
        if isinstance(el, HeadingEl):
            if el.keys:
                key = el.keys[0]
                part = key.split("/")[0]
        yield el, key, part


# ---- basics ----------------------------------------------------------------------------------

def test_same_seed_same_spec():
    a, b = generate_plan(42, pages=15), generate_plan(42, pages=15)
    assert a == b
    assert generate_plan(43, pages=15) != a
    assert generate_report(7) == generate_report(7)
    assert [s.id for s in generate_corpus(4, seed=3)] == [s.id for s in generate_corpus(4, seed=3)]


def test_specs_validate_and_round_trip(plans, tmp_path):
    for spec in plans[:12] + [generate_report(5)]:
        DocSpec.model_validate(spec.model_dump())
        path = tmp_path / f"{spec.id}.yaml"
        dump_spec(spec, path)
        text = path.read_text(encoding="utf-8")
        assert "\\u" not in text and "Ủy ban" in text or spec.meta.issuer_kind == "ministry"
        assert load_spec(path) == spec
        assert re.search(r"issued_date: '?\d{4}-\d{2}-\d{2}", text)


def test_meta_matches_letterhead_and_title(plans):
    for spec in plans:
        m = spec.meta
        assert m.template == template_for_year(m.plan_year)
        assert spec.letterhead.number.replace(" ", "").endswith(m.doc_number)
        d = m.issued_date
        assert f"tháng {d.month:02d}" in spec.letterhead.place_date or f"tháng {d.month}" in spec.letterhead.place_date
        assert f"năm {m.plan_year}" in " ".join(spec.title)
        assert m.issued_date < date(m.plan_year, 3, 1)


def test_every_unit_label_is_canonical(plans):
    own = _ministry_own_names()
    allowed = canonical_units()
    for spec in plans:
        for _, t in spec.tasks():
            for u in [t.lead, *t.coord]:
                if u is None:
                    continue
                assert u in allowed
                assert u in LABELLING_UNITS or u in own, u
                assert "Uỷ" not in u


def test_heading_keys_exist_in_template_and_coverage_derives(plans):
    for spec in plans:
        keys = _template(spec.meta.template)
        assert template_keys(spec.meta.template) == keys
        cov = spec.coverage(keys)
        seen: dict[str, str] = {}
        for el in spec.body:
            if isinstance(el, HeadingEl):
                for k in el.keys:
                    assert k in keys, (spec.id, k)
                    assert k not in seen, f"{spec.id}: {k} twice"
                    seen[k] = "empty" if el.empty else "present"
        for k in keys:
            assert cov[k] == seen.get(k, "missing")
        assert cov["P2/III"] == "present" and cov["P1"] == "present"


def test_empty_sections_hold_only_boilerplate(plans):
    boiler = {phrases_boiler for t in ("2023", "2025") for s in phrases()["templates"][t]
              if (phrases_boiler := s.get("boilerplate"))}
    n_empty = 0
    for spec in plans:
        body = spec.body
        for i, el in enumerate(body):
            if not isinstance(el, HeadingEl) or not el.keys:
                continue
            j = i + 1
            content = []
            while j < len(body) and not (isinstance(body[j], HeadingEl) and
                                         (body[j].level <= el.level or body[j].keys)):
                content.append(body[j])
                j += 1
            if el.empty:
                n_empty += 1
                for c in content:
                    if isinstance(c, HeadingEl):
                        assert c.heading.rstrip(":") in ("Kết quả đạt được", "Tồn tại, hạn chế")
                    else:
                        assert isinstance(c, ParagraphEl) and not c.tasks and not c.targets and not c.results
                        assert any(c.paragraph == b.replace("{prev}", str(spec.meta.plan_year - 1))
                                   .replace("{y}", str(spec.meta.plan_year)) for b in boiler), c.paragraph
            elif not any(j < len(body) and isinstance(body[j], HeadingEl) and body[j].keys and
                         body[j].level > el.level for _ in [0]):
                # a leaf section that is not empty has real content
                assert any(isinstance(c, (ParagraphEl, TableEl)) for c in content), (spec.id, el.heading)
    assert n_empty > 5


# ---- labels agree with the text --------------------------------------------------------------

def _check_tasks(specs) -> int:
    checked = 0
    for spec in specs:
        mentions = _mentions(spec)
        y = spec.meta.plan_year
        for el, key, part in _sections(spec):
            if isinstance(el, ParagraphEl) and el.tasks:
                assert part == "P2" and len(el.tasks) == 1
                t = el.tasks[0]
                named = units_in(el.paragraph, mentions)
                # an addressee ("tham mưu UBND tỉnh") may be named besides lead and coord
                named = [u for u in named if u != "Ủy ban nhân dân tỉnh"]
                assert named == ([t.lead] if t.lead else []) + t.coord, (el.paragraph, t)
                deadline, recurring = read_deadline(el.paragraph, y)
                assert (deadline, recurring) == (t.deadline, t.recurring), (el.paragraph, t)
                checked += 1
            elif isinstance(el, TableEl) and el.row_tasks:
                h = [c.lower() for c in el.header]
                for row, t in zip(el.rows, el.row_tasks):
                    if t is None:
                        assert not any(row[2:]), row  # a group row
                        continue
                    cells = dict(zip(h, row))
                    lead_cell = next(v for k, v in cells.items() if "chủ trì" in k or "thực hiện" in k and "thời" not in k)
                    assert units_in(lead_cell, mentions) == ([t.lead] if t.lead else [])
                    coord_cell = next((v for k, v in cells.items() if "phối hợp" in k), "")
                    assert units_in(coord_cell, mentions) == t.coord
                    time_cell = next((v for k, v in cells.items() if "thời" in k), "")
                    assert read_deadline(time_cell, y) == (t.deadline, t.recurring), (time_cell, t)
                    checked += 1
    return checked


def test_task_units_and_deadlines_agree_with_text(plans):
    assert _check_tasks(plans) > 1000


def test_actions_name_no_unit_and_no_date():
    """The action bank must not carry units or dates: labels are attached separately."""
    for name in ("Quảng Trị", "Hà Nội", "Bộ Y tế", "Ngân hàng Nhà nước Việt Nam", "Bộ Tài chính"):
        iss = _issuer(name)
        mentions = sorted(((m, u.canonical) for u in iss.units.values() for m in u.mentions), key=lambda p: -len(p[0]))
        banks = [("actions", phrases()["actions"]), ("projects", phrases()["projects"]),
                 ("purposes", phrases()["purposes"])]
        for topic, entries in ((t, es) for _, bank in banks for t, es in bank.items()):
            for e in entries:
                text = e["text"] if isinstance(e, dict) else e
                named = set(units_in(text.replace("{ubnd}", iss.words["ubnd"]), mentions)) - {"Ủy ban nhân dân tỉnh"}
                assert not named, (topic, text, named)
                assert not re.search(r"\b(19|20)\d{2}\b", re.sub(r"\d+/\d{4}/[A-ZĐ\-]+", "", text)), text
                assert "%" not in text
                assert not re.search(r"(?i)thường xuyên|hằng|hàng năm|định kỳ|quý [IV]|tháng \d", text), text


def _check_targets(specs) -> int:
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["indicators"] if CATALOGUE.exists() else []
    ids = {i["id"] for i in catalogue} or set(range(1, 23))
    n = 0
    for spec in specs:
        for el, key, part in _sections(spec):
            if isinstance(el, ParagraphEl):
                if el.targets:
                    assert key and key.startswith("P2/II"), (key, el.paragraph)
                    pct = [t.value for t in el.targets if t.unit == "%"]
                    assert sorted(_pcts(el.paragraph)) == sorted(pct), (el.paragraph, el.targets)
                    for t in el.targets:
                        assert t.year == spec.meta.plan_year and (t.indicator is None or t.indicator in ids)
                        if t.unit != "%":
                            v = int(t.value)
                            assert re.search(rf"(?<![\d.])0?{v:,}".replace(",", r"\.") + rf"\s+{t.unit}", el.paragraph)
                        if t.level:
                            assert f"cấp {t.level}" in el.paragraph
                    n += len(el.targets)
                elif part == "P1":
                    assert sorted(_pcts(el.paragraph)) == sorted(el.results), el.paragraph
                else:
                    assert not _pcts(el.paragraph) and not el.results, el.paragraph
            elif isinstance(el, TableEl) and el.row_targets:
                for row, ts in zip(el.rows, el.row_targets):
                    value_cell = row[-1] if len(row) < 5 else row[3]
                    if not ts:
                        assert not value_cell
                        continue
                    (t,) = ts
                    assert re.search(rf"(?<![\d,])0*{t.value:g}".replace(".", ",") + r"(?![\d,])",
                                     value_cell.replace(".", "")), (row, t)
                    n += 1
    return n


def test_target_labels_agree_with_text(plans):
    assert _check_targets(plans) > 400


def _tuned_files() -> list[DocSpec]:
    return [load_spec(p) for p in sorted((ROOT / "fixtures" / "eval_set").glob("tuned-gen-*.yaml"))]


def test_tuned_eval_files_are_consistent():
    specs = _tuned_files()
    assert len(specs) >= 6
    assert {s.meta.issuer_kind for s in specs} == {"province", "ministry"}
    assert 2023 in {s.meta.plan_year for s in specs}
    assert {"autonumber", "plain"} <= {s.style.headings for s in specs}
    assert any(isinstance(e, TableEl) and e.row_tasks for s in specs for e in s.body)
    assert all(s.split == "tuned" for s in specs)
    assert _check_tasks(specs) > 300 and _check_targets(specs) > 60
    for s in specs:
        keys = _template(s.meta.template)
        assert all(k in keys for el in s.body if isinstance(el, HeadingEl) for k in el.keys)


def test_section_sizes(plans):
    """8-20 target bullets (or a table); 3-10 tasks in each task sub-section."""
    for spec in plans:
        bullets = table = 0
        per_section: Counter = Counter()
        section = None  # the nearest heading above level 5, keyed or not
        for el, key, _ in _sections(spec):
            if isinstance(el, HeadingEl) and el.level < 5:
                section = (spec.body.index(el), key)
            if key in ("P2/II/2", "P2/II") and isinstance(el, ParagraphEl) and el.targets:
                bullets += 1
            if isinstance(el, TableEl) and el.row_targets:
                table += 1
            if key and key.startswith("P2/III/"):
                if isinstance(el, ParagraphEl) and el.tasks:
                    per_section[section] += 1
                elif isinstance(el, TableEl) and el.row_tasks:
                    per_section[section] += sum(t is not None for t in el.row_tasks)
        assert table or 8 <= bullets <= 20, (spec.id, bullets)
        assert all(3 <= n <= 10 for n in per_section.values()), (spec.id, per_section)


def test_comparators_follow_the_wording(plans):
    words = {">=": ("đạt", "tối thiểu", "ít nhất", "phấn đấu", "≥"), ">": ("trên", "hơn", ">"),
             "<=": ("không quá", "tối đa", "không vượt quá", "≤"), "<": ("dưới", "thấp hơn", "<")}
    for spec in plans:
        for text, t in spec.targets():
            if len([x for x in spec.targets() if x[0] == text]) > 1:
                continue  # several numbers: each has its own word, checked in the generator
            low = text.lower()
            if t.comparator in ("<=", "<"):
                assert any(w in low for w in words[t.comparator]), text
            elif t.comparator == ">":
                assert any(w in low for w in words[">"]), text


def test_indicator_ids_and_floors_match_catalogue():
    if not CATALOGUE.exists():
        pytest.skip("no catalogue")
    cat = {i["id"]: i for i in yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["indicators"]}
    for e in phrases()["targets"]:
        if e["indicator"] is None:
            continue
        floors = cat[e["indicator"]]["floors"]
        for slot in e["slots"]:
            f = slot["floor"]
            for kind, v in (f.items() if isinstance(f, dict) else [("national", f)]):
                scopes = {fl["scope"] for fl in floors}
                candidates = [fl["value"] for fl in floors if fl["scope"] in (kind if kind in scopes else "national",)]
                assert v in candidates or v in [fl["value"] for fl in floors], (e["indicator"], slot)
            assert slot.get("comparator", ">=") in {fl["comparator"] for fl in floors}


# ---- variety -----------------------------------------------------------------------------------

def test_fifty_plans_vary(plans):
    fifty = plans[:50]
    styles = {(s.style.headings, s.style.part_style, s.style.letterhead, tuple(s.style.caps_levels), s.style.pdf)
              for s in fifty}
    assert len(styles) > 25
    assert {s.style.headings for s in fifty} == {"styled", "bold", "autonumber", "plain"}
    assert {s.style.part_style for s in fifty} == {"roman", "ordinal", "letter"}
    assert any(s.style.running_header for s in fifty)
    coverages = {tuple(sorted(s.coverage(template_keys(s.meta.template)).items())) for s in fifty}
    assert len(coverages) > 35
    kinds = Counter(s.meta.issuer_kind for s in fifty)
    assert kinds["province"] > 20 and kinds["ministry"] > 5
    titles = Counter(el.heading for s in fifty for el in s.body if isinstance(el, HeadingEl) and el.key == "P2/III/3")
    assert len(titles) >= 3
    assert any(isinstance(el.key, list) for s in fifty for el in s.body if isinstance(el, HeadingEl))
    # targets as prose and as tables, tasks as prose and as tables
    assert any(any(isinstance(e, TableEl) and e.row_targets for e in s.body) for s in fifty)
    assert any(any(isinstance(e, ParagraphEl) and e.targets for e in s.body) for s in fifty)
    task_tables_in_tasks_part = 0
    for s in fifty:
        for el, key, _ in _sections(s):
            if isinstance(el, TableEl) and el.row_tasks and key and key.startswith("P2/III/"):
                task_tables_in_tasks_part += 1
    assert task_tables_in_tasks_part > 5


def test_phrasings_cover_the_labelling_rules(plans):
    texts = [t for s in plans for t, _ in s.tasks()]
    joined = "\n".join(texts)
    for needle in ["Đơn vị chủ trì:", "chủ trì, phối hợp với", "Giao ", "Thường xuyên", "Hằng năm",
                   "6 tháng đầu năm", "Quý I-IV", "Trong Quý IV năm", "trước ngày"]:
        assert needle.lower() in joined.lower(), needle
    labels = [t for s in plans for _, t in s.tasks()]
    assert any(t.lead is None for t in labels) and any(t.deadline is None and not t.recurring for t in labels)
    assert any(len(t.coord) >= 3 for t in labels)
    assert any(t.deadline and t.deadline.year == t.deadline.year and t.deadline.month == 12 and
               t.deadline.year > 2025 for t in labels)
    targets = [t for s in plans for _, t in s.targets()]
    assert {t.comparator for t in targets} >= {">=", ">", "<=", "<"}
    assert {t.level for t in targets} >= {"tỉnh", "huyện", "xã", "bộ"}
    assert any(t.unit == "lượt người" for t in targets) and any(t.unit == "trung tâm" for t in targets)
    assert any(not t.value.is_integer() for t in targets)
    assert sum(t.indicator is None for t in targets) > 50 and len({t.indicator for t in targets}) > 18
    assert any(t.indicator and t.value < 60 for t in targets)  # some below the floor


def test_phrase_bank_text_is_clean():
    def strings(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for v in x.values():
                yield from strings(v)
        elif isinstance(x, list):
            for v in x:
                yield from strings(v)

    # one tone convention ("hòa", "thủy", "Ủy"): no tone on the second vowel of an open oa/oe/uy
    new_style = re.compile(r"(?<![qQ])[oOuU][àáảãạèéẻẽẹỳýỷỹỵ](?![\wÀ-ỹ])")
    for data in (phrases(), yaml.safe_load((ROOT / "fixtures" / "data" / "issuers.yaml").read_text(encoding="utf-8"))):
        for s in strings(data):
            assert unicodedata.is_normalized("NFC", s), s
            assert not new_style.search(s) and "Uỷ" not in s, s


def test_report_is_not_a_plan():
    r = generate_report(11)
    assert r.meta.plan_year is None and r.meta.template is None and r.title[0] == "BÁO CÁO"
    assert not any(isinstance(el, HeadingEl) and el.key for el in r.body)
    assert not r.tasks() and not r.targets()
    assert "/BC-" in r.meta.doc_number
    assert any(isinstance(el, ParagraphEl) and el.results for el in r.body)


def test_corpus_mix_scans_and_formats():
    specs = generate_corpus(24, seed=5, scans=3, formats=("pdf", "docx"))
    assert len(specs) == 24 and len({s.id for s in specs}) == 24
    assert sum(s.style.scan for s in specs) == 3
    assert all(s.formats == ["pdf", "docx"] for s in specs)
    assert {s.meta.issuer_kind for s in specs} == {"province", "ministry"}
    assert {s.meta.plan_year for s in specs} >= {2025, 2023}
    assert 15 < sum(estimate_pages(s) for s in specs) / 24 < 35


def test_length_follows_pages():
    short, long = generate_plan(9, pages=10), generate_plan(9, pages=40)
    assert estimate_pages(short) < 14 and estimate_pages(long) > 30
    assert len(long.tasks()) > 2 * len(short.tasks())


# ---- real files --------------------------------------------------------------------------------

@pytest.mark.skipif(not (ROOT / "fixtures" / "build.py").exists(), reason="no builder")
def test_built_pdf_length_is_near_pages(tmp_path):
    import pymupdf

    from fixtures.build import build_many

    a = generate_plan(21, pages=12)
    b = generate_plan(22, pages=24, kind="ministry")
    a = a.model_copy(update={"style": a.style.model_copy(update={"pdf": "direct", "scan": False})})
    b = b.model_copy(update={"style": b.style.model_copy(update={"pdf": "libreoffice", "scan": False})})
    out = build_many([a, b], tmp_path, ["docx", "pdf"])
    for spec, pages in ((a, 12), (b, 24)):
        assert out[spec.id]["docx"].stat().st_size > 10_000
        n = pymupdf.open(out[spec.id]["pdf"]).page_count
        assert 0.6 * pages <= n <= 1.4 * pages, (spec.id, n, pages)
