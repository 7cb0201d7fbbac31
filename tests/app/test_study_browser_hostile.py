"""The Study tab in Chromium over a hostile deck and bank: the question, its answer key and the
slide caption are text, as in the Search panel; no request leaves 127.0.0.1, no link leads out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.test_app_browser import DOM_AUDIT_JS
from tests.support.browser import chromium, loopback_only, require_browser
from tests.support.served import serving

pytestmark = pytest.mark.slow


def test_the_study_tab_shows_slide_and_bank_markup_as_text_in_chromium(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView
    from ingest.build import ingest
    from tests.support.decks import make_pdf
    from tests.support.hostile import OUTSIDE, hostile_bank, hostile_pages

    ingest([make_pdf(tmp_path / "deck.pdf", hostile_pages())], tmp_path / "index", model="hash:64", progress=False)
    retriever, notices = open_retriever(tmp_path / "index", hostile_bank(tmp_path / "bank.md"))
    requests: list[str] = []
    with serving(WebView(retriever, notices)) as url, sync_playwright() as p:
        browser = chromium(p)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        loopback_only(context, requests)
        page = context.new_page()
        page.goto(url)
        page.get_by_role("tab", name="Study").click()
        card = page.locator("#study-card .sb-study-card")
        expect(card).to_contain_text("![x](http://tracker.example/md.png)", timeout=30_000)
        for _ in range(3):  # three cards: each one's answer key quotes other payload bullets
            page.locator("#study-show").click()
            answer = page.locator("#study-answer")
            expect(answer).to_contain_text("From the slides")
            expect(answer).to_contain_text("http://tracker.example/")  # the markup, as characters
            expect(page.locator("#study-caption")).to_contain_text("tracker")
            found = page.evaluate(DOM_AUDIT_JS, list(OUTSIDE))
            assert found["bad"] == [] and found["links"] == [], found
            assert answer.locator("a, img").count() == 0
            before = card.get_attribute("data-qid")
            page.locator("#study-good").click()
            expect(card).not_to_have_attribute("data-qid", before or "")
        page.screenshot(path=str(tmp_path / "study-hostile.png"), full_page=True)
        browser.close()
    assert requests == []
