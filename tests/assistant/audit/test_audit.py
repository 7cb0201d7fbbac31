"""Bank audit: reference checks, suggestions, deck drift, coverage, and the bank copy with suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.audit.cli import main
from assistant.audit.drift import estimate_drift
from assistant.audit.evidence import Evidence
from assistant.audit.findings import (
    Suggested,
    build_report,
    coverage,
    neighbour_window,
    order_candidates,
    run_audit,
    suggestion_lines,
)
from assistant.bank.annotate import with_suggestions
from assistant.bank.parse import Question, load_bank, parse_bank
from tests.support.decks import BANK


def _q(qid: str, refs: tuple[int, ...], section: str = "s", line: int = 0) -> Question:
    return Question(qid, section, None, f"question {qid}", refs, line=line)


# -- pure pieces --------------------------------------------------------------------------------


def test_neighbour_window_spans_the_nearest_cited_questions_and_skips_itself() -> None:
    bank = [_q("a", (10,)), _q("b", ()), _q("c", (14, 15)), _q("d", ())]
    assert neighbour_window(bank, 1, margin=0) == (10, 15)
    assert neighbour_window(bank, 2, margin=1) == (9, 11)  # its own refs are withheld
    assert neighbour_window(bank, 3, margin=0) == (14, 15)
    assert neighbour_window(bank, 1, shift=lambda r: 2, margin=0) == (12, 17)
    assert neighbour_window([_q("x", ())], 0) is None


def test_order_candidates_promotes_the_window_within_the_pool() -> None:
    fused = [90, 12, 50, 11, 13]
    assert order_candidates(fused, (10, 14), pool=4)[:3] == [(12, True), (11, True), (90, False)]
    assert order_candidates(fused, None)[:2] == [(90, False), (12, False)]


def _evidence(q: Question, content: list[int], fused: list[int] | None = None) -> Evidence:
    return Evidence(q, tuple(fused if fused is not None else content), tuple(content))


def test_drift_finds_a_shifted_stretch_and_nothing_else() -> None:
    # 30 questions citing 1..30; from slide 16 on the deck has two extra pages before them,
    # so retrieval finds each of those at ref + 2 (with a neighbour slide as runner-up).
    evidence = []
    for ref in range(1, 31):
        true = ref + 2 if ref >= 16 else ref
        evidence.append(
            _evidence(_q(f"q{ref}", (ref,), "early" if ref < 16 else "late", ref), [true, true + 1, 90, 91])
        )
    (stretch,) = estimate_drift(evidence)
    assert (stretch.offset, stretch.first_ref, stretch.last_ref) == (2, 16, 30)
    assert [(p.section, p.questions) for p in stretch.parts] == [("late", 15)]
    unshifted = [_evidence(_q(f"q{r}", (r,), line=r), [r, r + 1, 90]) for r in range(1, 31)]
    assert estimate_drift(unshifted) == ()


def test_drift_needs_support_not_one_stray_question() -> None:
    evidence = [_evidence(_q(f"q{r}", (r,), line=r), [r + 3 if r == 10 else r, 90]) for r in range(1, 21)]
    evidence[11] = _evidence(_q("q12", (12,), line=12), [15, 90])
    assert estimate_drift(evidence) == ()


def test_coverage_ranges_per_lecture() -> None:
    (a, b) = coverage([("w1", 1, 5), ("w2", 6, 4)], cited=[2, 3], suggested=[7])
    assert a.status == ("none", "cited", "cited", "none", "none") and a.gaps == ((1, 1), (4, 5))
    assert b.gaps == ((6, 6), (8, 9)) and b.uncovered == 3


def test_report_flags_a_reference_retrieval_never_ranks() -> None:
    bank = [_q("a", (1,), line=1), _q("c", (), line=2), _q("b", (5,), line=3)]
    evidence = [_evidence(bank[0], [1, 2]), _evidence(bank[2], [2, 3, 4]), _evidence(bank[1], [9, 3, 2])]
    report = build_report(evidence, bank, {n: f"t{n}" for n in range(1, 10)}, [("deck", 1, 9)], flag_rank=2)
    assert [c.question.id for c in report.flagged] == ["b"]
    assert [s.slide for s in report.flagged[0].proposed] == [2, 3, 4]
    (only,) = report.suggested
    assert [s.slide for s in only.suggestions] == [3, 2, 9]  # 2..5 is between its neighbours' refs
    assert all(s.confidence is None for s in only.suggestions)  # too few cited questions to calibrate


# -- the bank copy with suggestions -------------------------------------------------------------


def test_written_suggestions_parse_back_as_suggestions_not_references(tmp_path: Path) -> None:
    from assistant.audit.findings import Suggestion

    before = parse_bank(BANK)
    uncited = [q for q in before if not q.refs]
    items = [Suggested(q, (Suggestion(4, "t", 0.5, True), Suggestion(2, "t", 0.2, False))) for q in uncited]
    written = with_suggestions(BANK, suggestion_lines(items))
    assert "(suggested: 4, 2)" in written and written != BANK
    after = parse_bank(written)
    assert [(q.id, q.text, q.refs, q.marker) for q in after] == [(q.id, q.text, q.refs, q.marker) for q in before]
    assert {q.id: q.suggested for q in after if not q.refs} == {q.id: (4, 2) for q in uncited}
    assert all(q.suggested == () for q in after if q.refs)
    assert with_suggestions(written, suggestion_lines(items)) == written  # rewriting replaces, never stacks


def test_suggestion_goes_before_the_study_marker() -> None:
    text = "## s\n\n- why is it so? \\*\r\n- and this -\n"
    (a, b) = parse_bank(text)
    from assistant.audit.findings import Suggestion

    written = with_suggestions(
        text,
        suggestion_lines(
            [Suggested(a, (Suggestion(7, "", None, False),)), Suggested(b, (Suggestion(8, "", None, False),))]
        ),
    )
    assert written == "## s\n\n- why is it so? (suggested: 7) \\*\r\n- and this (suggested: 8) -\n"
    assert [(q.marker, q.suggested, q.refs) for q in parse_bank(written)] == [("*", (7,), ()), ("-", (8,), ())]


# -- against a tiny index -----------------------------------------------------------------------


def test_run_audit_on_tiny_index(hash_index: Path, bank_file: Path) -> None:
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(hash_index, bank_file)
    report = run_audit(retriever)
    cited = [q for q in retriever.bank if q.refs]
    assert {c.question.id for c in report.checks} == {q.id for q in cited}
    assert {s.question.id for s in report.suggested} == {q.id for q in retriever.bank if not q.refs}
    assert all(1 <= s.slide <= 6 for item in report.suggested for s in item.suggestions)
    assert [(c.deck, c.first, c.last) for c in report.coverage] == [("week01", 1, 3), ("week02", 4, 6)]
    assert report.drift == ()
    _text_and_markdown_say_the_same(report, list(retriever.bank))


def _text_and_markdown_say_the_same(report, bank: list[Question]) -> None:
    """One source of wording: every headline, suggestion, coverage and quality line of the report
    reads the same in the terminal text and in the Markdown."""
    from assistant.audit import report as render

    text, markdown = render.format_text(report, bank), render.format_markdown(report, bank)
    shared = [
        render.headline(report),
        render.flags_title(report),
        render.suggestions_title(report),
        render.SUGGESTIONS_NOTE,
        render.COVERAGE_TITLE,
        *(suggested for _, suggested in render.suggestion_rows(report)),
        *(cell for row in render.coverage_rows(report) for cell in row),
        *([render.quality(report)] if render.quality(report) else []),
    ]
    assert render.suggestion_rows(report) and render.coverage_rows(report)
    assert [line for line in shared if line not in text or line not in markdown] == []


def test_audit_tab_data_has_every_slide_with_a_thumbnail(hash_index: Path, bank_file: Path) -> None:
    from assistant.audit.report import audit_tab_data, coverage_strip_html
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(hash_index, bank_file)
    data = audit_tab_data(retriever)
    slides = [s for lec in data["coverage"] for s in lec["slides"]]
    assert [s["number"] for s in slides] == [1, 2, 3, 4, 5, 6]
    assert {s["status"] for s in slides} <= {"cited", "suggested", "none"}
    assert all(s["thumbnail"] and Path(s["thumbnail"]).is_file() for s in slides)
    assert all(row[-1].startswith("suggested: ") for row in data["suggestions"])
    html = coverage_strip_html(data["coverage"], src=lambda n: f"file/{n:04d}.png")
    assert html.count("<img") == 6 and "file/0006.png" in html


def test_cli_writes_report_and_bank_copy_and_never_the_bank(
    hash_index: Path, bank_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = bank_file.read_bytes()
    out_md, out_bank = tmp_path / "audit.md", tmp_path / "bank+.md"
    assert (
        main(
            [
                "--index",
                str(hash_index),
                "--bank",
                str(bank_file),
                "--markdown",
                str(out_md),
                "--write-suggestions",
                str(out_bank),
                "-q",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Check these references" in printed and "Coverage" in printed and "SUGGESTIONS" in printed
    assert bank_file.read_bytes() == original
    assert out_md.read_text().startswith("# Bank audit")
    copy = load_bank(out_bank)
    assert [q.refs for q in copy] == [q.refs for q in load_bank(bank_file)]
    assert any(q.suggested for q in copy)


def test_cli_refuses_to_overwrite_the_bank(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = bank_file.read_bytes()
    assert main(["--index", str(hash_index), "--bank", str(bank_file), "--write-suggestions", str(bank_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "never modified" in err and len(err.strip().splitlines()) == 1
    assert bank_file.read_bytes() == original


def test_cli_without_index_is_a_one_line_error(
    tmp_path: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--index", str(tmp_path / "nothing"), "--bank", str(bank_file), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "python -m ingest" in err and len(err.strip().splitlines()) == 1


# -- the real deck (slow) -----------------------------------------------------------------------

WEEK_PAGES = {
    "week01": 37,
    "week02": 52,
    "week03": 42,
    "week04": 38,
    "week05": 34,
    "week07": 40,
    "week08": 49,
    "week09": 21,
    "week10": 76,
}
REMOVED_WEEK8_PAGE = 19  # a page of week 8 no question cites; the pages before and after it are cited


def _first_numbers() -> dict[str, int]:
    first, out = 1, {}
    for week, pages in WEEK_PAGES.items():
        out[week] = first
        first += pages
    return out


def true_offset(ref: int) -> int | None:
    """Where slide ``ref`` of the real deck went in the shifted deck (None: removed)."""
    first = _first_numbers()
    removed = first["week08"] + REMOVED_WEEK8_PAGE - 1
    if ref < first["week05"]:
        return 0
    if ref < removed:
        return 2
    return None if ref == removed else 1


@pytest.fixture(scope="session")
def shifted_report(tmp_path_factory: pytest.TempPathFactory):
    """The real deck with two generated pages before week 5 and one page of week 8 removed, audited."""
    from pypdf import PdfReader, PdfWriter

    from assistant.retrieval.loading import open_retriever
    from ingest.build import ingest
    from tests.support.decks import make_pdf
    from tests.support.paths import REAL_DECK
    from tests.support.required import require_real_deck

    require_real_deck()
    folder = tmp_path_factory.mktemp("shifted")
    extra = PdfReader(
        make_pdf(
            folder / "extra.pdf",
            [
                ("Course logistics", ["Office hours move to Thursday", "Hand in exercises on the course site"]),
                ("Reading list", ["Optional chapters for the break"]),
            ],
        )
    )
    first = _first_numbers()
    removed = first["week08"] + REMOVED_WEEK8_PAGE - 1
    writer = PdfWriter()
    for number, page in enumerate(PdfReader(REAL_DECK).pages, start=1):
        if number == first["week05"]:
            for inserted in extra.pages:
                writer.add_page(inserted)
        if number != removed:
            writer.add_page(page)
    deck = folder / "shifted.pdf"
    with open(deck, "wb") as handle:
        writer.write(handle)
    ingest([deck], folder / "index", progress=False)
    retriever, _ = open_retriever(folder / "index")
    assert len(retriever.index.slides) == 389 + 2 - 1
    return retriever, run_audit(retriever)


@pytest.mark.slow
def test_shifted_deck_drift_is_found_exactly(shifted_report) -> None:
    retriever, report = shifted_report
    bank = retriever.bank
    assert report.drift, "no drift found in a deck with inserted and removed pages"
    reported: set[tuple[str, int]] = set()
    for stretch in report.drift:
        # Every question the stretch covers really moved by its offset (the removed page aside;
        # a question citing slides on both sides of a change moved by two offsets at once).
        # A change point is located to within one question: at most one question per stretch,
        # citing slides at most 3 from a true change, may sit on the wrong side of it.
        first = _first_numbers()
        changes = (first["week05"], first["week08"] + REMOVED_WEEK8_PAGE - 1)
        misplaced = []
        for q in bank:
            offsets = {true_offset(r) for r in q.refs} - {None}
            if (
                q.refs
                and len(offsets) == 1
                and stretch.first_ref <= min(q.refs) <= stretch.last_ref
                and offsets != {stretch.offset}
            ):
                assert min(abs(r - c) for r in q.refs for c in changes) <= 3, (stretch.sentence(), q.text, q.refs)
                misplaced.append(q)
        assert len(misplaced) <= 1, (stretch.sentence(), [q.refs for q in misplaced])
        reported |= {(part.section, stretch.offset) for part in stretch.parts}
    sections_by_offset: dict[str, set[int]] = {}
    count: dict[tuple[str, int], int] = {}
    for q in bank:
        for d in {true_offset(r) for r in q.refs} - {None}:
            sections_by_offset.setdefault(q.section, set()).add(d)
            count[(q.section, d)] = count.get((q.section, d), 0) + 1
    unshifted = {s for s, ds in sections_by_offset.items() if ds == {0}}
    assert not {s for s, _ in reported} & unshifted
    assert all(d != 0 for _, d in reported)
    # Every section with a handful of moved questions is reported with its true offset.
    expected = {(s, d) for (s, d), n in count.items() if d != 0 and n >= 4}
    assert expected <= reported, expected - reported
    assert reported <= {(s, d) for (s, d) in count if d != 0}


@pytest.mark.slow
def test_real_bank_suggestion_quality_and_no_drift(real_retriever) -> None:
    report = run_audit(real_retriever)
    assert report.drift == ()
    assert len(report.suggested) == len([q for q in real_retriever.bank if not q.refs])
    assert report.suggestion_hit is not None and report.suggestion_hit >= 0.85
    cfg = next(s for s in report.suggested if "Classifier-Free Guidance" in s.question.text)
    assert 196 in [s.slide for s in cfg.suggestions]
    assert all(0.0 <= s.confidence <= 1.0 for item in report.suggested for s in item.suggestions)
    # 10 of 113 flagged when measured (docs/audit.md); 2 over that is a regression to look at.
    assert len(report.checks) == 113 and len(report.flagged) <= 12
