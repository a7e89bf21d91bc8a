"""The Vietnamese spaCy pipeline: underthesea words, rule components registered by name.

`spacy.blank("vi")` would need pyvi; here the tokenizer wraps underthesea's word
segmentation and aligns every word back to the original text, so spans keep exact
character offsets. Components (all rules, all data):

* `dxplan_units` — the unit gazetteer (`data/units.yaml`) → spans "UNIT" (id = canonical name)
* `dxplan_deadlines` — the deadline grammar → spans "DEADLINE"
* `dxplan_quantities` — numbers with %, comparators, counted nouns → spans "QUANTITY"
* `dxplan_roles` — a SpanRuler whose phrase patterns (`data/rules.yaml`) mark role words:
  "LEAD" (chủ trì, giao…), "COORD" (phối hợp…), "DEADLINE_CUE" (thời gian hoàn thành…)

Everything lands in `doc.spans["dx"]`; `doc.user_data` carries the values parsed by the
components (canonical unit, deadline date, quantity).
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from extract.rules import rules
from ingest.normalize import fold

SPANS_KEY = "dx"


@lru_cache(maxsize=65536)
def _norm(word: str) -> str:
    return fold(word)


class UndertheseaTokenizer:
    """Words from underthesea.word_tokenize, aligned to the text; NORM is the folded form."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        from underthesea import word_tokenize

        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        tokens = word_tokenize(text) if text.strip() else []
        for tok in tokens:
            start = text.find(tok, pos)
            if start < 0 or text[pos:start].strip():
                # underthesea re-spaced or changed the token: fall back to the text's own pieces
                start = pos
                while start < len(text) and text[start].isspace():
                    start += 1
                end = start
                while end < len(text) and not text[end].isspace():
                    end += 1
                piece = text[start:end]
                if not piece:
                    continue
            else:
                end = start + len(tok)
                piece = text[start:end]
            if text[pos:start] and words and not spaces[-1]:
                spaces[-1] = True
            words.append(piece)
            spaces.append(end < len(text) and text[end] == " ")
            pos = end + (1 if end < len(text) and text[end] == " " else 0)
        # anything underthesea dropped at the end
        rest = text[pos:].split()
        for piece in rest:
            words.append(piece)
            spaces.append(True)
        if spaces:
            spaces[-1] = text.endswith(" ")
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if doc.text != text:
            # alignment failed somewhere: whitespace split is always exact
            parts = text.split(" ")
            words = [p for p in parts if p]
            spaces = []
            for i, p in enumerate(parts):
                if p:
                    spaces.append(i < len(parts) - 1)
            doc = Doc(self.vocab, words=words or [text], spaces=spaces or [False])
        for t in doc:
            t.norm_ = _norm(t.text)
        return doc

    # spaCy serialisation hooks (nothing to save: the model is underthesea's)
    def to_bytes(self, **kwargs):
        return b""

    def from_bytes(self, data, **kwargs):
        return self

    def to_disk(self, path, **kwargs):
        pass

    def from_disk(self, path, **kwargs):
        return self


@registry.tokenizers("dxplan.underthesea_tokenizer.v1")
def create_tokenizer():
    def make(nlp):
        return UndertheseaTokenizer(nlp.vocab)

    return make


def _add_span(doc: Doc, start: int, end: int, label: str, ident: str | None = None) -> Span | None:
    span = doc.char_span(start, end, label=label, kb_id=ident or "", alignment_mode="expand")
    if span is not None:
        doc.spans.setdefault(SPANS_KEY, []).append(span)
    return span


@Language.component("dxplan_units")
def units_component(doc: Doc) -> Doc:
    from extract.units import find_units

    found = doc.user_data.setdefault("units", [])
    for m in find_units(doc.text):
        if _add_span(doc, m.start, m.end, "UNIT", m.canonical) is not None:
            found.append(m)
    return doc


@Language.component("dxplan_deadlines")
def deadlines_component(doc: Doc) -> Doc:
    from extract.deadlines import find_deadlines

    year = doc.user_data.get("year")
    found = doc.user_data.setdefault("deadlines", [])
    for d in find_deadlines(doc.text, default_year=year):
        if _add_span(doc, d.start, d.end, "DEADLINE") is not None:
            found.append(d)
    return doc


@Language.component("dxplan_quantities")
def quantities_component(doc: Doc) -> Doc:
    from extract.quantities import find_quantities

    found = doc.user_data.setdefault("quantities", [])
    for q in find_quantities(doc.text):
        if _add_span(doc, q.start, q.end, "QUANTITY") is not None:
            found.append(q)
    return doc


def _role_patterns() -> list[dict]:
    out = []
    for label, phrases in rules()["roles"].items():
        for p in phrases:
            # both spellings: underthesea segments accented and accent-free text differently
            for form in {p, fold(p)}:
                out.append({"label": label, "pattern": form})
    return out


@lru_cache(maxsize=1)
def pipeline() -> Language:
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "dxplan.underthesea_tokenizer.v1"}}})
    ruler = nlp.add_pipe("span_ruler", name="dxplan_roles",
                         config={"spans_key": SPANS_KEY, "phrase_matcher_attr": "NORM", "overwrite": False,
                                 "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    ruler.add_patterns(_role_patterns())
    nlp.add_pipe("dxplan_units")
    nlp.add_pipe("dxplan_deadlines")
    nlp.add_pipe("dxplan_quantities")
    return nlp


def analyse(text: str, year: int | None = None, components: tuple[str, ...] | None = None) -> Doc:
    """Run the pipeline on one paragraph or cell. `year` is the default year of deadlines."""
    nlp = pipeline()
    doc = nlp.make_doc(text)
    doc.user_data["year"] = year
    for name, proc in nlp.pipeline:
        if components is None or name in components:
            doc = proc(doc)
    return doc


def spans(doc: Doc, label: str) -> list[Span]:
    return sorted((s for s in doc.spans.get(SPANS_KEY, []) if s.label_ == label), key=lambda s: s.start_char)
