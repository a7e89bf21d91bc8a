"""The official plan templates (khung kế hoạch) as data, chosen by the plan's year."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel


class TemplateSection(BaseModel):
    key: str
    title: str

    @property
    def parent_key(self) -> str | None:
        return self.key.rsplit("/", 1)[0] if "/" in self.key else None

    @property
    def depth(self) -> int:
        return self.key.count("/") + 1

    @property
    def number(self) -> str:
        """The number of the section as the template writes it: 'I' for P1, 'II' for P1/II, '2.1'."""
        last = self.key.rsplit("/", 1)[-1]
        if self.depth == 1:
            return {"P1": "I", "P2": "II", "P3": "III"}.get(last, last)
        return last


class Template(BaseModel):
    template: str
    plan_years: list[int]
    sections: list[TemplateSection]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]

    def get(self, key: str) -> TemplateSection | None:
        return next((s for s in self.sections if s.key == key), None)


@lru_cache(maxsize=1)
def all_templates() -> dict[str, Template]:
    folder = resources.files("extract") / "data" / "templates"
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            t = Template.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
            out[t.template] = t
    return out


def template_for_year(year: int | None) -> Template | None:
    """The template of the plan's year; otherwise the latest earlier one; otherwise the earliest."""
    if year is None:
        return None
    templates = all_templates()
    for t in templates.values():
        if year in t.plan_years:
            return t
    earlier = [t for t in templates.values() if min(t.plan_years) <= year]
    if earlier:
        return max(earlier, key=lambda t: max(t.plan_years))
    return min(templates.values(), key=lambda t: min(t.plan_years))
