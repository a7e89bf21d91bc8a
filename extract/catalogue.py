"""The 22-indicator catalogue with its floors by scope (province, ministry, national)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, Field


class Floor(BaseModel):
    scope: str  # national | province | ministry
    value: float
    comparator: str = ">="
    level: str | None = None
    part: str | None = None
    unit: str | None = None
    note: str | None = None


class Indicator(BaseModel):
    id: int
    text: str
    floors: list[Floor] = Field(default_factory=list)

    def floor_for(self, scope: str, level: str | None = None) -> float | None:
        f = self.floor_object(scope, level)
        return f.value if f else None

    def floor_object(self, scope: str, level: str | None = None) -> Floor | None:
        """The floor that applies to an issuer of this kind (falling back to the national one)."""
        candidates = [f for f in self.floors if f.scope == scope] or [f for f in self.floors if f.scope == "national"]
        if level is not None:
            leveled = [f for f in candidates if f.level and level in f.level]
            if leveled:
                return leveled[0]
        unleveled = [f for f in candidates if not f.level]
        if unleveled:
            return unleveled[0]
        return candidates[0] if candidates else None


class Catalogue(BaseModel):
    catalogue: str
    indicators: list[Indicator]

    def get(self, indicator_id: int) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    path = resources.files("extract") / "data" / "indicators-2025.yaml"
    return Catalogue.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
