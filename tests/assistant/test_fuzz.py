"""Property tests: the bank parser and query normalisation never raise, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.bank.parse import parse_bank, parse_refs, reference_notices, split_refs
from assistant.retrieval.normalize import expand_acronyms, latex_to_words, learn_acronyms, normalise_query
from assistant.retrieval.retriever import MAX_QUERY_CHARS, prepare_query
from index.records import Slide

# Text biased towards what these parsers look at: markdown marks, parentheses, digits, LaTeX.
MARKUP = st.sampled_from(
    list("#-*+ \t\n()[]{}$\\^_,–-0123456789")
    + ["(12-)", "(a-b)", "(999999)", "(63-65)", "\\omega", "\\frac{a}{b}", "ω", "CFG", "  - ", "### "]
)
TEXT = st.one_of(st.text(max_size=400), st.lists(st.one_of(MARKUP, st.text(max_size=5)), max_size=120).map("".join))
ACRONYMS = {"CFG": ("Classifier-Free Guidance",), "ELBO": ("Evidence Lower BOund",)}


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_parse_bank_never_raises_and_keeps_its_invariants(markdown: str) -> None:
    bank = parse_bank(markdown)
    assert len({q.id for q in bank}) == len(bank)
    ids = {q.id for q in bank}
    for q in bank:
        assert q.text and all(r >= 1 for r in q.refs) and (q.parent is None or q.parent in ids)
    reference_notices(bank, 10)
    reference_notices(bank, None)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(list("0123456789 ,-–")), max_size=30).map("".join)))
def test_parse_refs_and_split_refs_never_raise(body: str) -> None:
    refs = parse_refs(body)
    assert refs is None or (refs and all(r >= 1 for r in refs))
    rest, found, bad = split_refs(f"question ({body}) tail")
    assert isinstance(rest, str) and all(isinstance(r, int) for r in found) and all(b.startswith("(") for b in bad)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_prepare_query_never_raises_and_leaves_only_printable_text(query: str) -> None:
    cleaned, notices = prepare_query(query)
    assert len(cleaned) <= MAX_QUERY_CHARS and all(ch.isprintable() for ch in cleaned)
    assert cleaned == cleaned.strip() and bool(notices) == (
        len(" ".join("".join(c if c.isprintable() else " " for c in query).split())) > MAX_QUERY_CHARS
    )


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_normalisation_never_raises(text: str) -> None:
    words = latex_to_words(text)
    assert "$" not in words and "\\" not in words
    assert isinstance(normalise_query(text, ACRONYMS), str)
    assert isinstance(expand_acronyms(text, ACRONYMS), str)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=8))
def test_learning_acronyms_from_any_slides_never_raises(pages: list[tuple[str, str]]) -> None:
    slides = [Slide(number=i, deck="d", page=i, title=t, text=f"{t}\n{b}") for i, (t, b) in enumerate(pages, start=1)]
    table = learn_acronyms(slides)
    assert all(isinstance(k, str) and v for k, v in table.items())
