"""The Study tab in a real headless Chromium: open it, reveal, grade Good, see the next card.

Prints the time from pressing Good to the next card drawn and where the screenshot is; asserts no timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.support.net import free_port
from tests.support.settings import configured

pytestmark = pytest.mark.slow

# Marks the mousedown on Good and the first frame drawn after the card shows another question.
TIMER_JS = """(before) => {
  window.__t0 = null; window.__t1 = null;
  document.getElementById('study-good').addEventListener('mousedown', () => { window.__t0 = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const card = document.querySelector('#study-card .sb-study-card');
    if (!card || window.__t0 === null || card.dataset.qid === before) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__t1 = performance.now(); });
  });
  observer.observe(document.getElementById('study-card'), {subtree: true, childList: true, attributes: true});
}"""


def test_open_study_reveal_grade_good_and_see_the_next_card(hash_index: Path, bank_file: Path, tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    import app
    from assistant.retrieval.loading import open_retriever
    from assistant.study.store import open_store
    from assistant.ui.web import WebView

    retriever, notices = open_retriever(hash_index, bank_file)
    demo = app.build_app(WebView(retriever, notices, settings=configured(bank=bank_file)))
    port = free_port()
    app.launch(demo, "127.0.0.1", port, block=False)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("tab", name="Study").click()

            card = page.locator("#study-card .sb-study-card")
            expect(card).to_contain_text("formulate SGD with momentum", timeout=30_000)
            expect(card.locator(".sb-mark")).to_have_text("*")
            expect(card).to_contain_text("optimisation")
            first = card.get_attribute("data-qid")
            expect(page.locator("#study-good")).to_be_disabled()

            page.locator("#study-show").click()
            expect(page.locator("#study-key")).to_contain_text("Cited slides: 2")
            expect(page.locator("#study-caption")).to_contain_text("SGD with Momentum")
            expect(page.locator("#study-slide img")).to_be_visible()
            assert page.locator("#study-slide img").evaluate("img => img.naturalWidth") > 100
            expect(page.locator("#study-answer")).to_contain_text("[slide 2]")
            expect(page.locator("#study-progress")).to_be_visible()
            page.screenshot(path=str(tmp_path / "study-revealed.png"), full_page=True)

            page.evaluate(TIMER_JS, first)
            page.locator("#study-good").click()
            expect(card).not_to_have_attribute("data-qid", first or "")
            expect(card).to_contain_text("what does the learning rate decide?")
            page.wait_for_function("window.__t1 !== null")
            elapsed = page.evaluate("window.__t1 - window.__t0")
            expect(page.locator("#study-answer-box")).to_be_hidden()
            page.screenshot(path=str(tmp_path / "study-next.png"), full_page=True)

            # Keys: space reveals, 1 grades Again.
            second = card.get_attribute("data-qid")
            page.locator("body").click(position={"x": 5, "y": 5})
            page.keyboard.press(" ")
            expect(page.locator("#study-key")).to_contain_text("Cited slides: 1")
            page.keyboard.press("1")
            expect(card).not_to_have_attribute("data-qid", second or "")
            browser.close()
    finally:
        demo.close()

    store = open_store(configured().study_db)
    assert [r.grade for r in store.history(first or "")] == ["good"]
    assert [r.grade for r in store.history(second or "")] == ["again"]
    print(f"\nGood pressed to the next card drawn (Chromium, tiny deck): {elapsed:.0f} ms\nscreenshots: {tmp_path}")
