"""End to end in a real headless Chromium: the app on a loopback port over the real deck.

Debian's ``chromium`` driven by Playwright (never ``playwright install``: no downloads here).
Prints the warm time from pressing Enter to the result card drawn; asserts no timing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.net import free_port
from tests.support.required import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Chromium's own background lookups would otherwise reach out; the page's requests are still recorded.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
QUERY = "why is CFG's \u03c9 a tradeoff?"

pytestmark = pytest.mark.slow


def require_browser() -> None:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not _playwright_installed():
        missing.append("playwright (pip install playwright)")
    if not missing:
        return
    require("the browser test needs " + " and ".join(missing))


def _playwright_installed() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


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
            assert card.locator("img").evaluate("img => img.naturalWidth") > 100
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
            question = page.locator("#bank-list .sb-bq", has_text="formulate the denoiser in the Classifier-Free Guidance").first
            question.click()
            expect(page.locator("#bank-question")).to_contain_text("suggested by search")
            expect(page.locator("#bank-question .sb-card").first).to_be_visible()
            page.screenshot(path=str(tmp_path / "bank.png"), full_page=False)
            print(f"screenshots: {tmp_path}")
            browser.close()
    finally:
        demo.close()

    outside = [url for url in requests if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"]
    assert requests and not outside, f"the page reached beyond loopback: {outside}"
