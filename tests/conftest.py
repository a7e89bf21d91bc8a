"""Real documents for the tests, built once per session from a labelled spec.

`tests/specs/quang-binh-2025.yaml` is rendered in the house styles provinces use (bold
or styled or auto-numbered or plain headings, letterhead as a table or as paragraphs,
PDF exported from Word by LibreOffice or drawn directly, a scan, a legacy font, DOC).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.build import build_many
from fixtures.spec import DocSpec, Style, load_spec

HERE = Path(__file__).resolve().parent
SPEC = HERE / "specs" / "quang-binh-2025.yaml"

# name → style changes and the formats to build
VARIANTS: dict[str, tuple[dict, list[str]]] = {
    "bold": ({}, ["docx", "pdf"]),
    "styled": ({"headings": "styled", "part_style": "ordinal", "part_title_newline": True,
                "running_header": "Kế hoạch chuyển đổi số tỉnh Quảng Bình năm 2025"}, ["docx", "pdf"]),
    "autonumber": ({"headings": "autonumber", "caps_levels": [1, 2]}, ["docx", "pdf", "doc"]),
    "plain": ({"headings": "plain", "part_style": "letter", "letterhead": "paragraphs", "caps_levels": [1]},
              ["docx", "pdf"]),
    "direct": ({"pdf": "direct"}, ["pdf"]),
    "tcvn3": ({"legacy": "tcvn3"}, ["docx", "pdf"]),
    "scan": ({"scan": True}, ["pdf"]),
}


def spec_variant(name: str) -> DocSpec:
    spec = load_spec(SPEC)
    changes, formats = VARIANTS[name]
    return spec.model_copy(update={"id": f"qb-{name}", "formats": formats,
                                   "style": Style(**{**spec.style.model_dump(), **changes})})


@pytest.fixture(scope="session")
def base_spec() -> DocSpec:
    return load_spec(SPEC)


@pytest.fixture(scope="session")
def documents(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """{variant: {format: path}} for every variant, built with one LibreOffice run per format."""
    out = tmp_path_factory.mktemp("plans")
    specs = [spec_variant(name) for name in VARIANTS]
    built = build_many(specs, out)
    return {name: built[f"qb-{name}"] for name in VARIANTS}


@pytest.fixture(scope="session")
def read_cache():
    """Read each built file once per session (OCR of the scan takes seconds)."""
    from ingest.reader import read_document

    cache: dict[Path, object] = {}

    def read(path: Path):
        if path not in cache:
            cache[path] = read_document(path)
        return cache[path]

    return read
