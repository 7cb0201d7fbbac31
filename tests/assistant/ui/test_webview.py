"""The web app's view logic, called directly: no server, no browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer import generate as answer_module
from assistant.bank.parse import Question
from assistant.retrieval.loading import open_retriever
from assistant.retrieval.retriever import SlideHit
from assistant.ui.render import render
from assistant.ui.web import ALL_SECTIONS, ANSWER_EMPTY, WebView, clicked
from index.symbols import latex_to_unicode


@pytest.fixture()
def view(hash_index: Path, bank_file: Path) -> WebView:
    retriever, notices = open_retriever(hash_index, bank_file)
    return WebView(retriever, notices)


def test_search_shows_cards_with_thumbnails_and_bank_chips(view: WebView) -> None:
    result = view.search("classifier-free guidance omega diversity")
    cards = view.results_html(result)
    assert 'data-slide="4"' in cards and 'id="sb-card-4"' in cards
    assert "Classifier-Free Guidance" in cards and "week02 · p.1" in cards
    # The app's card route, by slide number and the hash of its image: never a file path.
    assert re.search(r'<img class="sb-thumb" src="slidebank/card/4-[0-9a-f]{16}\.jpg"', cards)
    bank = view.bank_matches_html(result)
    assert "formulate the denoiser in the Classifier-Free Guidance scenario" in bank
    assert "no slides cited" in bank  # that question cites nothing
    assert 'class="sb-chip" data-slide="' in bank  # the others carry chips


def test_neighbouring_slides_are_framed_as_one_range(view: WebView) -> None:
    hits = [SlideHit(view.index.slide(n), 1.0 / n) for n in (2, 1, 6)]
    html = view.cards_html(hits, "momentum")
    assert html.count('class="sb-group sb-range"') == 1
    assert "slides 1\u20132" in html
    assert html.index('data-slide="1"') < html.index('data-slide="2"') < html.index('data-slide="6"')


def test_text_from_pdf_and_bank_is_escaped(tmp_path: Path, hash_index: Path) -> None:
    bank = tmp_path / "evil.md"
    bank.write_text("### <b>sec</b>\n\n- what is <script>alert(1)</script> momentum (2)\n", encoding="utf-8")
    retriever, _ = open_retriever(hash_index, bank)
    view = WebView(retriever)
    html = (
        view.bank_list_html()
        + view.bank_matches_html(view.search("momentum"))
        + view.question_html(retriever.bank[0].id)
    )
    assert "<script>" not in html and "<b>sec</b>" not in html
    assert "&lt;script&gt;" in html


def chips_html(refs: tuple[int, ...], n_slides: int) -> str:
    return render(
        "bank_matches.html",
        questions=[Question(id="q1", section="s", parent=None, text="text", refs=refs)],
        n_slides=n_slides,
    )


def test_chips_join_runs_and_mark_slides_outside_the_index() -> None:
    html = chips_html((63, 64, 65, 70, 999), n_slides=389)
    assert html.count('class="sb-chipset"') == 3
    assert 'data-slide="64"' in html and 'data-slide="999"' not in html
    assert "not in the index" in html
    assert 'aria-label="slides 63\u201365, 70, 999"' in html
    assert "no slides cited" in chips_html((), 389)


def test_bank_browser_sections_marks_and_filters(view: WebView) -> None:
    assert view.sections() == [ALL_SECTIONS, "optimisation", "diffusion"]
    everything = view.bank_list_html()
    assert everything.count('<li class="sb-bq') == 6
    assert 'class="sb-mark sb-mark-star"' in everything and 'class="sb-mark sb-mark-dash"' in everything
    starred = view.bank_list_html(ALL_SECTIONS, "marked *")
    assert starred.count('<li class="sb-bq') == 2 and "SGD with momentum" in starred and "explain kmeans" in starred
    diffusion = view.bank_list_html("diffusion")
    assert "explain kmeans" in diffusion and "SGD" not in diffusion
    nested = [q for q in view.retriever.bank if q.parent]
    assert f'data-qid="{nested[0].id}" style="--depth:1"' in everything


def test_question_shows_cited_slides_or_marked_suggestions(view: WebView) -> None:
    by_text = {q.text: q for q in view.retriever.bank}
    cited = view.question_html(by_text["formulate SGD with momentum"].id)
    assert 'data-slide="2"' in cited and "cites slides 2" in cited and "suggested" not in cited
    uncited = view.question_html(by_text["formulate the denoiser in the Classifier-Free Guidance scenario"].id)
    assert "suggested by search" in uncited and 'class="sb-badge">suggested<' in uncited
    assert 'data-slide="4"' in uncited
    assert "Click a question" in view.question_html(None)


def test_slide_panel_steps_within_the_deck(view: WebView) -> None:
    first = view.slide_panel(1)
    assert first is not None and not first.has_prev and first.has_next
    assert first.image is not None and first.image.size[0] > 100
    assert "cited by" in first.caption_html and "learning rate" in first.caption_html
    last = view.slide_panel(6)
    assert last is not None and last.has_prev and not last.has_next
    assert view.slide_panel(0) is None and view.slide_panel(7) is None


def test_answer_panel_streams_the_cli_answer_function(view: WebView, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.answer.citations import Answer, Sentence

    (empty,) = list(view.answer_html(None))
    assert ANSWER_EMPTY in empty
    result = view.search("momentum previous steps")
    (text,) = list(view.answer_html(result))
    # The real extractive answer, led by its slide: the number is a button, the title and bullets text.
    assert (
        '<p class="sb-answer-heading"><button class="sb-chip sb-answer-cite" data-slide="2" title="open slide 2">'
        "slide 2</button> SGD with Momentum</p>"
    ) in text
    assert '<p class="sb-answer-point">Momentum averages previous steps</p>' in text

    seen: dict = {}
    first = Sentence("Momentum averages steps [slide 9].", (2,), True)  # a marker left in the text stays text
    invented = Sentence("Paris is in France.", (), False)

    def growing(result, backend="extractive", **options):
        seen.update(options, backend=backend)
        yield Answer("Momentum averages steps. [slide 2]", (2,), False, backend, 0, "partial", (first,))
        yield Answer("Momentum averages steps. [slide 2]", (2,), False, backend, 0, "", (first, invented))

    monkeypatch.setattr(answer_module, "stream_answers", growing)
    steps = list(view.answer_html(result, "llm", "smollm2"))
    assert len(steps) == 3 and "sb-answer-pending" in steps[0] and "Paris" not in "".join(steps)
    assert steps[1] == (
        '<div class="sb-answer">\n<p>Momentum averages steps [slide 9]. <button class="sb-chip sb-answer-cite" '
        'data-slide="2" title="open slide 2">slide 2</button></p>\n</div>'
    )
    assert '<p class="sb-answer-note">1 sentence the given slides do not support was left out.</p>' in steps[-1]
    assert (
        seen["backend"] == "llm"
        and seen["model"] == "smollm2"
        and "threshold" in seen
        and "confidence" in seen
        and seen["retriever"] is view.retriever
    )


def test_missing_index_says_how_to_ingest_and_the_bank_still_works(
    tmp_path: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "index.settings.default_data_dir", lambda: tmp_path
    )  # only the default location may lack an index
    monkeypatch.delenv("SLIDEBANK_INDEX", raising=False)
    retriever, notices = open_retriever(None, bank_file)
    view = WebView(retriever, notices)
    assert "python -m ingest" in view.status_html()
    result = view.search("momentum")
    assert "python -m ingest" in view.results_html(result) and "sb-note-warn" in view.results_html(result)
    assert "SGD with momentum" in view.bank_matches_html(result)
    assert view.bank_list_html().count('<li class="sb-bq') == 6
    detail = view.question_html(retriever.bank[0].id)
    assert "formulate SGD with momentum" in detail and "slides 2" in detail and "python -m ingest" in detail
    assert view.slide_panel(1) is None


def test_click_payloads_are_parsed_defensively() -> None:
    assert clicked({"slide": 196}) == (196, None)
    assert clicked({"slide": "12"}) == (12, None)
    assert clicked({"qid": "q1234"}) == (None, "q1234")
    assert clicked({"slide": "../etc/passwd"}) == (None, None)
    assert clicked(None) == (None, None)


def test_bank_latex_reads_as_symbols() -> None:
    assert latex_to_unicode(r"what does  $\omega$  do? ( $p \neq q$ )") == "what does  \u03c9  do? ( p \u2260 q )"
    assert latex_to_unicode("costs $5 and more") == "costs $5 and more"


def test_audit_tab_views(view: WebView) -> None:
    summary, strip, tables = view.audit_views()
    assert "questions cite slides" in summary and "Deck drift" in summary and "<strong>" in summary
    assert strip.count("data:image/jpeg;base64,") == view.n_slides  # every slide, inline: no file path served
    assert "/gradio_api/file=" not in strip
    assert "retrieval suggests instead" in tables or "None: every question's cited slides" in tables
    assert 'id="audit-suggestions-table"' in tables and "suggestions, not references" in tables
    assert "measured hit rate" in tables  # the percentages are explained on the page


def test_grouped_results_show_the_topic_as_one_range_and_fold_the_rest(
    tmp_path: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval import results
    from tests.support.decks import BUILD_QUERY, lecture_index

    view = WebView(*open_retriever(lecture_index(tmp_path), bank_file))
    found = view.grouped(BUILD_QUERY)
    html = view.results_html(found)
    top = found.shown_groups[0]
    assert f'class="sb-group sb-range" style="--n:{len(top.slides)}" data-group="{top.id}"' in html
    assert f"slides {top.first}\u2013{top.last}" in html and "same topic" in html
    # Everything below the cut is on the page, folded: none of it before the fold.
    fold = html.index('<details class="sb-more-results">')
    assert "Other places this comes up" in html[fold:]
    for group in found.more_groups:
        assert html.index(f'data-group="{group.id}"') > fold
    assert "No slide matches this well" not in html
    monkeypatch.setattr(results, "abstention_threshold", lambda r: 2.0)  # above any cosine: every query is weak
    weak = view.results_html(view.grouped(BUILD_QUERY))
    assert weak.index("No slide matches this well; closest:") < weak.index("sb-card")
    # The answer and "add to my bank" still get the ranked list.
    assert [h.slide.number for h in view.search(BUILD_QUERY).slides] == [
        h.slide.number for h in view.retriever.search(BUILD_QUERY, k=8).slides
    ]


def test_an_explicit_k_shows_exactly_k_ranked_cards(hash_index: Path, bank_file: Path) -> None:
    view = WebView(*open_retriever(hash_index, bank_file), k=3)
    html = view.results_html(view.grouped("momentum"))
    assert html.count('class="sb-card"') == 3 and "sb-more-results" not in html and "same topic" not in html


def test_the_search_tab_says_what_it_searched_for_and_what_no_slide_mentions(view: WebView) -> None:
    found = view.grouped("explain classifier-free guidence with a Wasserstein critic")
    page = view.results_html(found)
    assert "searched for: explain classifier-free guidance with a Wasserstein critic" in page
    assert "the slides never mention &#39;Wasserstein critic&#39;" in page and "sb-card" in page  # slides still shown
    answer = list(view.answer_html(view.ranked(found)))[-1]
    assert "The slides never mention &#39;Wasserstein critic&#39;. The slides do not cover this." in answer
    assert "searched for" not in view.results_html(view.grouped("explain classifier-free guidance"))
