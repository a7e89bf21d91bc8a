"""Compare what dxplan read from a document with the labels of its spec."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from extract.templates import template_for_year
from fixtures.spec import DocSpec
from ingest.normalize import fold
from models.plan import Plan


@dataclass
class Counts:
    """Micro-averaged tallies; precision/recall/accuracy derive from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    right: int = 0
    total: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.right += other.right
        self.total += other.total

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def accuracy(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class DocScore:
    doc: str
    split: str
    fmt: str
    fields: dict[str, Counts] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def c(self, name: str) -> Counts:
        return self.fields.setdefault(name, Counts())


def _same_unit(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return fold(a) == fold(b)


def _similar(gold: str, pred: str) -> float:
    g, p = fold(gold), fold(pred)
    if not g or not p:
        return 0.0
    shorter, longer = (g, p) if len(g) <= len(p) else (p, g)
    return fuzz.partial_ratio(shorter[:300], longer) if len(shorter) >= 20 else fuzz.ratio(g, p)


def score(spec: DocSpec, plan: Plan, fmt: str) -> DocScore:
    s = DocScore(doc=spec.id, split=spec.split, fmt=fmt)
    m, meta = spec.meta, plan.metadata
    for name, gold, got in (
        ("meta.issuer", m.issuer, meta.issuer), ("meta.issuer_kind", m.issuer_kind, meta.issuer_kind),
        ("meta.doc_number", m.doc_number, meta.doc_number), ("meta.issued_date", m.issued_date, meta.issued_date),
        ("meta.plan_year", m.plan_year, meta.plan_year), ("meta.template", m.template, meta.template),
    ):
        c = s.c(name)
        c.total += 1
        ok = (fold(str(gold)) == fold(str(got))) if gold is not None and got is not None else gold == got
        c.right += ok
        if not ok:
            s.errors.append(f"{name}: want {gold!r}, got {got!r}")
    all_right = all(s.c(n).right == s.c(n).total for n in s.fields if n.startswith("meta."))
    s.c("meta.all").total += 1
    s.c("meta.all").right += all_right

    # -- coverage
    template = template_for_year(m.plan_year) if m.template else None
    if template is not None:
        gold_cov = spec.coverage(template.keys)
        got_cov = {c.template_key: c.status for c in plan.coverage}
        for key, want in gold_cov.items():
            got = got_cov.get(key, "missing")
            c = s.c("coverage.status")
            c.total += 1
            c.right += want == got
            miss = s.c("coverage.missing")
            miss.tp += want == "missing" and got == "missing"
            miss.fp += want != "missing" and got == "missing"
            miss.fn += want == "missing" and got != "missing"
            emp = s.c("coverage.empty")
            emp.tp += want == "empty" and got == "empty"
            emp.fp += want != "empty" and got == "empty"
            emp.fn += want == "empty" and got != "empty"
            if want != got:
                s.errors.append(f"coverage {key}: want {want}, got {got}")
    elif plan.coverage and any(c.status != "missing" for c in plan.coverage):
        s.errors.append("coverage reported for a document that is not a plan")

    # -- tasks
    gold_tasks = spec.tasks()
    preds = list(plan.tasks)
    # a table task is compared with the whole labelled row (task, units, time), a prose one with its paragraph
    pred_texts = [" | ".join(x for x in (t.text, t.lead_unit_text, t.deadline_text) if x) if t.source == "table" else t.text
                  for t in preds]
    pairs = _match([g for g, _ in gold_tasks], pred_texts, 80.0)
    c = s.c("tasks")
    c.tp += len(pairs)
    c.fn += len(gold_tasks) - len(pairs)
    c.fp += len(preds) - len(pairs)
    matched_gold = {gi for gi, _ in pairs}
    for gi, (g, _) in enumerate(gold_tasks):
        if gi not in matched_gold:
            s.errors.append(f"task missed: {g[:90]}")
    matched_pred = {pi for _, pi in pairs}
    for pi, t in enumerate(preds):
        if pi not in matched_pred:
            s.errors.append(f"task extra (p.{t.page}): {t.text[:90]}")
    for gi, pi in pairs:
        label, task = gold_tasks[gi][1], preds[pi]
        lead = s.c("tasks.lead_unit")
        lead.total += 1
        ok = _same_unit(label.lead, task.lead_unit)
        lead.right += ok
        if not ok:
            s.errors.append(f"lead: want {label.lead!r}, got {task.lead_unit!r} — {task.text[:60]}")
        gold_c = {fold(u) for u in label.coord}
        got_c = {fold(u) for u in task.coordinating_units}
        co = s.c("tasks.coordinating_units")
        co.tp += len(gold_c & got_c)
        co.fp += len(got_c - gold_c)
        co.fn += len(gold_c - got_c)
        if gold_c != got_c:
            s.errors.append(f"coord: want {sorted(gold_c)}, got {sorted(got_c)} — {task.text[:50]}")
        dl = s.c("tasks.deadline_date")
        dl.total += 1
        dl.right += label.deadline == task.deadline_date
        if label.deadline != task.deadline_date:
            s.errors.append(f"deadline: want {label.deadline}, got {task.deadline_date} ({task.deadline_text!r}) — {task.text[:50]}")
        rc = s.c("tasks.recurring")
        rc.total += 1
        rc.right += label.recurring == task.recurring

    # -- targets
    gold_targets = spec.targets()
    tpreds = list(plan.targets)
    tpairs = _match_targets(gold_targets, tpreds)
    c = s.c("targets")
    c.tp += len(tpairs)
    c.fn += len(gold_targets) - len(tpairs)
    c.fp += len(tpreds) - len(tpairs)
    mg = {gi for gi, _ in tpairs}
    mp = {pi for _, pi in tpairs}
    for gi, (g, lab) in enumerate(gold_targets):
        if gi not in mg:
            s.errors.append(f"target missed ({lab.value:g}): {g[:90]}")
    for pi, t in enumerate(tpreds):
        if pi not in mp:
            s.errors.append(f"target extra ({t.value:g}, p.{t.page}): {t.text[:90]}")
    for gi, pi in tpairs:
        lab, t = gold_targets[gi][1], tpreds[pi]
        for name, want, got in (("value", lab.value, t.value), ("comparator", lab.comparator, t.comparator),
                                ("year", lab.year, t.year), ("level", lab.level, t.level),
                                ("indicator", lab.indicator, t.indicator_id), ("unit", fold(lab.unit), fold(t.unit))):
            f = s.c(f"targets.{name}")
            f.total += 1
            f.right += want == got
            if want != got and name in ("value", "indicator", "comparator", "level"):
                s.errors.append(f"target {name}: want {want!r}, got {got!r} — {t.text[:60]}")
        ind = s.c("targets.indicator_match")
        ind.tp += lab.indicator is not None and lab.indicator == t.indicator_id
        ind.fp += t.indicator_id is not None and lab.indicator != t.indicator_id
        ind.fn += lab.indicator is not None and lab.indicator != t.indicator_id
    return s


def _assign(scored: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing, best score first."""
    used_g, used_p, pairs = set(), set(), []
    for _s, gi, pi in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi))
    return pairs


def _match(gold: list[str], pred: list[str], threshold: float) -> list[tuple[int, int]]:
    scored = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            sim = _similar(g, p)
            if sim >= threshold:
                scored.append((sim - 0.001 * abs(gi - pi), gi, pi))
    return _assign(scored)


def _match_targets(gold, preds) -> list[tuple[int, int]]:
    scored = []
    for gi, (g, lab) in enumerate(gold):
        for pi, t in enumerate(preds):
            sim = _similar(g, t.text)
            if sim >= 75:
                # same value first; among equal values and texts, the same indicator and level
                bonus = 15 * (abs(lab.value - t.value) < 1e-6) + 2 * (lab.indicator == t.indicator_id) \
                    + 1 * (lab.level == t.level)
                scored.append((sim + bonus, gi, pi))
    return _assign(scored)
