"""Every panel of the web app shows text from a PDF, the bank or a model as text: a deck and a
bank full of markup produce no element and no attribute of their own, only escaped characters."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.answer import generate as answer_module
from assistant.retrieval.loading import open_retriever
from assistant.ui.server import CARD_URL
from assistant.ui.web import WebView
from tests.support.decks import make_pdf
from tests.support.hostile import OUTSIDE, PAYLOADS, WORDS, hostile_bank, hostile_pages

# The only elements our templates write; anything else came from the data.
OUR_TAGS = {
    "div",
    "span",
    "article",
    "button",
    "p",
    "img",
    "ul",
    "li",
    "section",
    "h1",
    "h3",
    "pre",
    "i",
    "strong",
    "b",
    "details",
    "summary",
    # the audit tables (templates/audit_tables.html)
    "table",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ol",
}

OUR_ATTRIBUTES = {
    "class",
    "id",
    "style",
    "src",
    "loading",
    "decoding",
    "data-slide",
    "data-qid",
    "data-group",
    "tabindex",
    "role",
}
TEXT_ATTRIBUTES = {"alt", "title", "aria-label"}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str, where: str = "") -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in OUR_TAGS, f"<{tag}> reached the page {where}"
        for name, value in attrs.items():
            assert name in TEXT_ATTRIBUTES or name in OUR_ATTRIBUTES, f"<{tag} {name}={value!r}> {where}"
            if name not in TEXT_ATTRIBUTES:  # alt, title and aria-label are shown as text, never fetched
                assert not any(host in (value or "") for host in OUTSIDE) and "url(" not in (value or ""), (
                    f"<{tag} {name}={value!r}> {where}"
                )
        if tag == "img":  # an inline image, or a card of the app's own route: nothing else is fetched
            src = attrs.get("src") or ""
            assert src.startswith("data:image/") or CARD_URL.fullmatch("/" + src), attrs


@pytest.fixture()
def hostile_view(tmp_path: Path) -> WebView:
    from ingest.build import ingest

    deck = make_pdf(tmp_path / "deck.pdf", hostile_pages())
    ingest([deck], tmp_path / "index", model="hash:64", progress=False)
    retriever, notices = open_retriever(tmp_path / "index", hostile_bank(tmp_path / "bank.md"))
    return WebView(retriever, notices)


def test_every_panel_shows_payloads_as_text(hostile_view: WebView) -> None:
    view = hostile_view
    result = view.search(WORDS)
    grouped = view.grouped(WORDS)
    assert result.slides and result.bank
    assert grouped.shown_groups and grouped.more_groups  # both the page and the fold carry deck text
    panels = {
        "status": view.status_html(),
        "cards": view.results_html(result),
        "grouped cards": view.results_html(grouped),
        "bank matches": view.bank_matches_html(result),
        "bank list": view.bank_list_html(),
        "answer": "".join(view.answer_html(result)),
        **{f"question {q.id}": view.question_html(q.id) for q in view.retriever.bank},
        **{f"slide {n}": view.slide_panel(n).caption_html for n in range(1, view.n_slides + 1)},
    }
    for name, html in panels.items():
        assert_inert(html, name)
    everything = "".join(panels.values())
    # The payloads are there, as escaped text: the user sees what the slide and the bank say.
    assert "&lt;img src=&#34;http://tracker.example/img.png&#34;&gt;" in everything
    assert "&lt;a href=&#34;http://phish.example/login&#34;&gt;" in everything
    assert "![x](http://tracker.example/md.png)" in everything


def test_a_models_answer_is_text_too(hostile_view: WebView, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.answer.citations import Answer, Sentence

    def hostile_model(result, backend="extractive", **options):
        sentences: list[Sentence] = []
        for payload in PAYLOADS:
            sentences.append(Sentence(f"{payload} [slide 1]\n- **bold** {payload}", (2,), True))
            yield Answer("", (2,), False, backend, 0, "partial", tuple(sentences))

    monkeypatch.setattr(answer_module, "stream_answers", hostile_model)
    result = hostile_view.search(WORDS)
    shown = list(hostile_view.answer_html(result, backend="llm", model="any"))
    assert len(shown) == 1 + len(PAYLOADS)  # "writing" first, then each checked sentence
    for html in shown:
        assert_inert(html)
    # The only button is the slide the check kept; a marker inside the model's text stays text.
    assert "**bold**" in shown[-1] and "[slide 1]" in shown[-1] and 'data-slide="1"' not in shown[-1]
    assert shown[-1].count('data-slide="2"') == len(PAYLOADS)


def test_a_failing_model_shows_its_first_line_as_text(hostile_view: WebView, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(result, backend="extractive", **options):
        raise RuntimeError('<img src="http://tracker.example/err.png"> [slide 1]\nsecond line')
        yield None

    monkeypatch.setattr(answer_module, "stream_answers", broken)
    last = list(hostile_view.answer_html(hostile_view.search(WORDS), backend="llm"))[-1]
    assert_inert(last)
    assert "could not be written: &lt;img" in last and "second line" not in last and "<button" not in last


def test_audit_summary_and_coverage_are_text(hostile_view: WebView, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.audit import report

    real = report.audit_tab_data

    def with_hostile_drift(retriever, rep=None):
        data = real(retriever, rep)
        return {**data, "drift": [f"section {p} shifted by 2" for p in PAYLOADS], "summary": PAYLOADS[1]}

    monkeypatch.setattr(report, "audit_tab_data", with_hostile_drift)
    summary, strip, tables = hostile_view.audit_views()
    assert_inert(summary)
    assert_inert(strip)
    assert_inert(tables)
    assert summary.count("<li>") == len(PAYLOADS) and "&lt;picture&gt;" in summary
    assert strip.count("data:image/jpeg;base64,") == hostile_view.n_slides
