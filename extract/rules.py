"""Rule data shared by the pipeline components (`data/rules.yaml`), loaded once."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=1)
def rules() -> dict:
    path = resources.files("extract") / "data" / "rules.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))
