"""Match a target's wording to the 22-indicator catalogue and check it against the floor.

Fuzzy similarity alone confuses close indicators (online services vs online dossiers,
VNeID sign-in vs e-results) and matches far too much, so each indicator first has to pass
its key terms (`data/indicator_terms.yaml`); rapidfuzz then ranks the candidates against
the catalogue text and aliases, and a threshold keeps weak fits out. Most targets in a plan
fit no indicator and get none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz import fuzz

from extract.catalogue import Indicator, catalogue
from ingest.normalize import fold, match_key

THRESHOLD = 35.0


@dataclass
class _Rules:
    id: int
    require: list[list[str]]
    exclude: list[str]
    variants: list[str]
    parts: dict[str, list[str]]
    unit: str | None = None  # the indicator counts this ("trung tâm"), not a percentage


class _Terms:
    """Terms compared with accents when the text has them ("sổ sức khỏe" is not "hồ sơ sức
    khỏe"), accent-free when the text has none (OCR, lazy typing)."""

    def __init__(self, terms: list[str]):
        alt = lambda ts: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in ts) + r")(?!\w)")  # noqa: E731
        self.accented = alt(sorted({match_key(t) for t in terms}, key=len, reverse=True))
        self.folded = alt(sorted({fold(t) for t in terms}, key=len, reverse=True))

    def search(self, key: str, folded: str, has_accents: bool):
        return self.accented.search(key) if has_accents else self.folded.search(folded)


@lru_cache(maxsize=1)
def _rules() -> list[tuple[_Rules, list[_Terms], _Terms | None]]:
    data = yaml.safe_load((resources.files("extract") / "data" / "indicator_terms.yaml").read_text(encoding="utf-8"))
    out = []
    cat = catalogue()
    for iid, spec in data["indicators"].items():
        ind = cat.get(int(iid))
        r = _Rules(
            id=int(iid), require=spec.get("require", []), exclude=spec.get("exclude", []),
            variants=[fold(ind.text)] + [fold(a) for a in spec.get("aliases", [])],
            parts=spec.get("parts", {}), unit=spec.get("unit"),
        )
        out.append((r, [_Terms(g) for g in r.require], _Terms(r.exclude) if r.exclude else None))
    return out


@dataclass
class Match:
    indicator_id: int
    score: float


def match_indicator(text: str, unit: str | None = None) -> Match | None:
    """The catalogue indicator this target measures, or None. `unit` is the target's unit:
    an indicator that counts something ("01 trung tâm dữ liệu") is not a percentage."""
    f = fold(text)
    key = match_key(text)
    accents = f != key
    best: Match | None = None
    for r, require, exclude in _rules():
        if unit is not None and r.unit is not None and fold(unit) != fold(r.unit):
            continue
        if not all(t.search(key, f, accents) for t in require):
            continue
        if exclude is not None and exclude.search(key, f, accents):
            continue
        score = max(fuzz.token_set_ratio(f, v) * 0.5 + fuzz.partial_ratio(f, v) * 0.5 for v in r.variants)
        if score >= THRESHOLD and (best is None or score > best.score):
            best = Match(r.id, round(score, 1))
    return best


def _part(indicator_id: int, text: str) -> str | None:
    f, key = fold(text), match_key(text)
    for r, _, _ in _rules():
        if r.id == indicator_id and r.parts:
            for part, terms in r.parts.items():
                if _Terms(terms).search(key, f, f != key):
                    return part
    return None


_STRENGTH = {">": 2, ">=": 1, "=": 1}


def floor_check(indicator: Indicator, issuer_kind: str | None, value: float, unit: str, comparator: str,
                level: str | None, text: str) -> tuple[float | None, bool | None]:
    """(floor for this issuer's kind, whether the committed value meets it)."""
    scope = issuer_kind if issuer_kind in ("province", "ministry") else "national"
    part = _part(indicator.id, text)
    floors = indicator.floors
    if part:
        floors = [f for f in floors if f.part == part] or floors
    chosen = None
    candidates = [f for f in floors if f.scope == scope] or [f for f in floors if f.scope == "national"]
    if level:
        chosen = next((f for f in candidates if f.level and level in f.level), None)
    if chosen is None:
        chosen = next((f for f in candidates if not f.level), None) or (candidates[0] if candidates else None)
    if chosen is None:
        return None, None
    floor_unit = chosen.unit or "%"
    if fold(unit) != fold(floor_unit) and not (unit == "%" and floor_unit == "%"):
        return chosen.value, None
    if comparator in ("<", "<="):
        return chosen.value, False
    if value > chosen.value:
        return chosen.value, True
    if value < chosen.value:
        return chosen.value, False
    return chosen.value, _STRENGTH.get(comparator, 1) >= _STRENGTH.get(chosen.comparator, 1)
