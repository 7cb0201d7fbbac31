"""End to end in a real headless Chromium: the app on a loopback port over the real deck.

Debian's ``chromium`` driven by Playwright (never ``playwright install``: no downloads here).
Prints the warm time from pressing Enter to the result card drawn; asserts no timing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.support.net import free_port

QUERY = "why is CFG's \u03c9 a tradeoff?"

pytestmark = pytest.mark.slow


# Marks the keydown of Enter and the first frame drawn after card 196's image has decoded.
TIMER_JS = """() => {
  window.__t0 = null; window.__t1 = null;
  const box = document.querySelector('#query textarea');
  box.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__t0 = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const img = document.querySelector('#sb-card-196 img');
    if (!img || window.__t0 === null) return;
    observer.disconnect();
    img.decode().then(() => requestAnimationFrame(() => { window.__t1 = performance.now(); }));
  });
  observer.observe(document.body, {subtree: true, childList: true});
}"""


def test_search_cards_bank_chips_and_viewer_in_chromium(real_retriever, tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    import app
    from assistant.ui.web import WebView

    demo = app.build_app(WebView(real_retriever))
    port = free_port()
    app.launch(demo, "127.0.0.1", port, block=False)
    requests: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            box = page.locator("#query textarea")

            # Warm-up search: first-use costs (thumbnail encoding paths, JIT of the page) stay out of the figure.
            box.fill("explain kmeans clustering")
            box.press("Enter")
            expect(page.locator("#results .sb-card").first).to_be_visible(timeout=60_000)

            box.fill(QUERY)
            page.evaluate(TIMER_JS)
            box.press("Enter")
            card = page.locator("#sb-card-196")
            expect(card).to_be_visible(timeout=60_000)
            expect(card.locator("img")).to_be_visible()
            # The card's image comes from the app's card route (loaded lazily, in view): it must arrive.
            page.wait_for_function(
                "() => { const i = document.querySelector('#sb-card-196 img'); return i && i.complete && i.naturalWidth > 100; }"
            )
            expect(card).to_contain_text("Classifier-Free Guidance")
            page.wait_for_function("window.__t1 !== null")
            elapsed = page.evaluate("window.__t1 - window.__t0")
            print(f"\nEnter to results drawn (warm, Chromium): {elapsed:.0f} ms")

            bank = page.locator("#bank-matches")
            expect(bank).to_contain_text("formulate the denoiser in the Classifier-Free Guidance scenario")
            expect(page.locator("#answer")).not_to_be_empty()
            page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

            chip = bank.locator(".sb-chip[data-slide]").first
            number = chip.get_attribute("data-slide")
            chip.click()
            viewer = page.locator("#search-viewer")
            expect(viewer).to_be_visible()
            expect(page.locator("#search-caption .sb-num")).to_have_text(number)
            expect(page.locator("#search-image img")).to_be_visible()

            card.click()
            expect(page.locator("#search-caption .sb-num")).to_have_text("196")
            page.locator("#search-next").click()
            expect(page.locator("#search-caption .sb-num")).to_have_text("197")
            page.screenshot(path=str(tmp_path / "viewer.png"), full_page=True)

            page.get_by_role("tab", name="Question bank").click()
            question = page.locator(
                "#bank-list .sb-bq", has_text="formulate the denoiser in the Classifier-Free Guidance"
            ).first
            question.click()
            expect(page.locator("#bank-question")).to_contain_text("suggested by search")
            expect(page.locator("#bank-question .sb-card").first).to_be_visible()
            page.screenshot(path=str(tmp_path / "bank.png"), full_page=False)
            print(f"screenshots: {tmp_path}")
            browser.close()
    finally:
        demo.close()

    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert requests and not outside, f"the page reached beyond loopback: {outside}"


# Every attribute of every element, and every link's resolved address: the injected-element check.
DOM_AUDIT_JS = """(hosts) => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (['alt', 'title', 'aria-label'].includes(attr.name)) continue;  // shown as text, never fetched
      if (hosts.some((h) => attr.value.includes(h))) bad.push(`<${el.tagName.toLowerCase()} ${attr.name}="${attr.value.slice(0, 80)}">`);
    }
  }
  for (const tag of ['picture', 'audio', 'video', 'iframe', 'object', 'embed', 'source']) {
    for (const el of document.querySelectorAll(tag)) bad.push(`<${tag}>`);
  }
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((h) => !h.startsWith(location.origin));
  return {bad, links};
}"""


def test_a_hostile_deck_and_bank_load_nothing_from_outside_in_chromium(tmp_path: Path) -> None:
    """Payloads in slide titles, bullets, bank sections and questions: no request leaves loopback
    (every request is routed through the test), no injected element is in the DOM, no link leads out."""
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    import app
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView
    from ingest.build import ingest
    from tests.support.decks import make_pdf
    from tests.support.hostile import OUTSIDE, WORDS, hostile_bank, hostile_pages

    ingest([make_pdf(tmp_path / "deck.pdf", hostile_pages())], tmp_path / "index", model="hash:64", progress=False)
    retriever, notices = open_retriever(tmp_path / "index", hostile_bank(tmp_path / "bank.md"))
    view = WebView(retriever, notices)
    # The hash embedder's confidence is low on any query; without a threshold the extractive answer
    # quotes the payload bullets instead of abstaining, and the answer panel is tested too.
    view.current().answer_threshold = None
    demo = app.build_app(view)
    port = free_port()
    app.launch(demo, "127.0.0.1", port, block=False)
    requests: list[str] = []
    violations: list[str] = []

    def route(r) -> None:
        url = r.request.url
        requests.append(url)
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
            r.continue_()
        else:
            r.abort()

    def audit(page, where: str) -> None:
        found = page.evaluate(DOM_AUDIT_JS, list(OUTSIDE))
        assert found["bad"] == [], f"{where}: injected {found['bad']}"
        assert found["links"] == [], f"{where}: links out {found['links']}"

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"http://127.0.0.1:{port}/")
            box = page.locator("#query textarea")
            box.fill(WORDS)
            box.press("Enter")
            expect(page.locator("#results .sb-card").first).to_be_visible(timeout=60_000)
            expect(page.locator("#bank-matches .sb-q").first).to_be_visible()
            expect(page.locator("#answer .sb-answer-cite").first).to_be_visible(timeout=60_000)
            # The payloads are on the page as the characters the slide and the bank hold.
            expect(page.locator("#results")).to_contain_text('<img src="http://tracker.example/img.png">')
            expect(page.locator("#answer")).to_contain_text("<audio autoplay")
            expect(page.locator("#bank-matches")).to_contain_text('<img src="http://tracker.example/img.png">')
            audit(page, "search")

            page.locator("#results .sb-card").first.click()
            expect(page.locator("#search-image img")).to_be_visible()
            expect(page.locator("#search-caption")).to_contain_text("<picture>")
            audit(page, "viewer")

            page.get_by_role("tab", name="Question bank").click()
            expect(page.locator("#bank-list")).to_contain_text(
                '<a href="http://phish.example/login">Log in to see the full slide</a>'
            )
            page.locator("#bank-list .sb-bq").first.click()
            expect(page.locator("#bank-question .sb-card").first).to_be_visible()
            page.locator("#bank-list .sb-bq").last.click()  # cites nothing: suggestions by search
            expect(page.locator("#bank-question")).to_contain_text("suggested by search")
            audit(page, "bank")

            page.get_by_role("tab", name="Bank audit").click()
            page.locator("#audit-run").click()
            expect(page.locator("#audit-summary")).to_contain_text("Deck drift", timeout=60_000)
            expect(page.locator("#audit-coverage img").first).to_be_visible()
            audit(page, "audit")
            page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
            print(
                f"\nrequests: {len(requests)}, CSP reports: {len(violations)}, screenshot: {tmp_path / 'hostile.png'}"
            )
            browser.close()
    finally:
        demo.close()

    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert requests and outside == [], f"the page reached beyond loopback: {outside}"
    # Gradio's own page runs under the policy without a single refusal: it blocks only what is not ours.
    assert violations == [], violations
