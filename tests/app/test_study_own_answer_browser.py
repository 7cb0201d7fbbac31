"""The Study tab's "Check my answer" box in a real headless Chromium: a wrong sentence is marked, a grade suggested, none recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.support.served import serving
from tests.support.settings import configured

pytestmark = pytest.mark.slow


def test_check_my_answer_marks_each_sentence_and_suggests_a_grade(hash_index: Path, bank_file: Path) -> None:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    retriever, notices = open_retriever(hash_index, bank_file)
    with serving(WebView(retriever, notices, settings=configured(bank=bank_file))) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.goto(url + "/")
            page.get_by_role("tab", name="Study").click()
            expect(page.locator("#study-card .sb-study-card")).to_contain_text(
                "formulate SGD with momentum", timeout=30_000
            )

            page.get_by_text("Check my answer").first.click()
            page.locator("#study-own-answer textarea").fill(
                "Momentum averages previous steps. Momentum increases noise in the update direction."
            )
            page.locator("#study-own-check").click()
            result = page.locator("#study-own-result")
            expect(result.locator('[data-verdict="supported"]')).to_have_count(1, timeout=30_000)
            expect(result.locator('[data-verdict="contradicted"]')).to_contain_text("increases noise")
            expect(result).to_contain_text("Reduces noise in the update direction")
            expect(page.locator("#study-suggested-grade")).to_contain_text("again")
            # A suggestion only: the grade buttons wait for the student, and nothing was recorded.
            expect(page.locator("#study-good")).to_be_disabled()
            browser.close()
