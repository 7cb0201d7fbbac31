"""The app at 1400 x 900 in a real headless Chromium: a question added to the bank shows at once in
every tab, the audit tables fit their panel, and the grade buttons stay in view after "Show answer"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import app_page
from tests.support.settings import configured

pytestmark = pytest.mark.slow

NEW_QUESTION = "how do centroids move in k means"


@pytest.fixture()
def view(hash_index: Path, bank_file: Path):
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    # The settings record names the bank "Add to my bank" writes (and the tests' study file).
    return WebView(*open_retriever(hash_index, bank_file), settings=configured(bank=bank_file))


def pick(page, dropdown: str, option: str) -> None:
    page.locator(f"#{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_question_added_to_the_bank_shows_at_once_in_every_tab(view, bank_file: Path) -> None:
    from playwright.sync_api import expect

    with app_page(view) as page:
        expect(page.locator("#status")).to_contain_text("6 bank questions", timeout=30_000)
        page.locator("#query textarea").fill(NEW_QUESTION)
        page.locator("#search-btn").click()
        page.get_by_text("Add to my bank", exact=True).click()
        # The section starts at the closest bank question's section, and the page says so.
        note = page.locator("#add-section-note")
        expect(note).to_contain_text("preselected from the closest bank question", timeout=30_000)
        preselected = page.locator("#add-section input").input_value()
        assert preselected and f"({preselected})" in note.inner_text()

        # A new section, typed: it must reach the Study tab's section list too.
        page.locator("#add-section input").fill("clustering")
        page.locator("#add-section input").press("Enter")
        page.locator("#add-slides label").first.click()
        expect(page.locator("#add-slides input:checked")).to_have_count(1)
        page.locator("#add-button").click()
        expect(page.locator("#add-status")).to_contain_text("Added to")
        expect(page.locator("#add-slides input:checked")).to_have_count(0)  # the form cleared
        expect(page.locator("#status")).to_contain_text("7 bank questions")

        page.locator("#add-button").click()  # twice: refused, nothing written
        expect(page.locator("#add-status")).to_contain_text("Already in your bank under clustering")
        assert bank_file.read_text().count(NEW_QUESTION) == 1

        page.get_by_role("tab", name="Question bank").click()
        expect(page.locator("#bank-list")).to_contain_text(NEW_QUESTION)
        expect(page.locator("#bank-list")).to_contain_text("clustering")

        page.get_by_role("tab", name="Study").click()
        expect(page.locator("#study-count")).to_contain_text("7 bank questions")
        pick(page, "study-section", "clustering")
        expect(page.locator("#study-card .sb-study-card")).to_contain_text(NEW_QUESTION)


def test_audit_tables_fit_their_panel(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView
    from ingest.build import ingest
    from tests.support.decks import AUDIT_BANK, LONG_TITLE, audit_deck_pages, make_pdf

    pdf = make_pdf(tmp_path / "deck.pdf", audit_deck_pages())
    ingest([pdf], tmp_path / "index", model="hash:64", progress=False)
    bank = tmp_path / "bank.md"
    bank.write_text(AUDIT_BANK, encoding="utf-8")
    with app_page(WebView(*open_retriever(tmp_path / "index", bank), settings=configured(bank=bank))) as page:
        page.get_by_role("tab", name="Bank audit").click()
        page.locator("#audit-run").click()
        flags = page.locator("#audit-flags-table")
        suggestions = page.locator("#audit-suggestions-table")
        expect(suggestions).to_be_visible(timeout=60_000)
        expect(flags).to_be_visible()
        expect(page.locator("#audit-confidence-note")).to_contain_text("measured hit rate")
        panel = page.locator("#audit-tables").evaluate("e => e.getBoundingClientRect().right")
        for table in (flags, suggestions):
            box = table.evaluate(
                "t => ({right: t.getBoundingClientRect().right, scroll: t.scrollWidth, width: t.clientWidth,"
                " view: window.innerWidth, page: document.documentElement.scrollWidth})"
            )
            assert box["right"] <= panel + 1 and box["scroll"] <= box["width"] + 1, box
            assert box["page"] <= box["view"], box  # nothing pushes the page sideways
        # Every header reads whole: none cut off.
        for th in page.locator(".sb-audit-table th").all():
            assert th.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), th.inner_text()
        expect(flags.locator("th").last).to_have_text("retrieval suggests instead")
        # A long title ends in an ellipsis rather than a silent cut.
        if LONG_TITLE[:20] in page.locator("#audit-tables").inner_text():
            expect(page.locator("#audit-tables")).to_contain_text(LONG_TITLE[:40])
            assert LONG_TITLE not in page.locator("#audit-tables").inner_text()
            expect(page.locator("#audit-tables")).to_contain_text("\u2026")
        page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    print(f"\nscreenshot: {tmp_path / 'audit.png'}")


def test_grade_buttons_stay_in_view_after_show_answer(view, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with app_page(view) as page:
        page.get_by_role("tab", name="Study").click()
        card = page.locator("#study-card .sb-study-card")
        expect(card).to_contain_text("formulate SGD with momentum", timeout=30_000)
        page.locator("#study-show").click()
        expect(page.locator("#study-slide img")).to_be_visible()
        good = page.locator("#study-good")
        expect(good).to_be_enabled()
        for where in ("after reveal", "scrolled to the top", "scrolled to the end"):
            if where == "scrolled to the top":
                page.evaluate("window.scrollTo(0, 0)")
            elif where == "scrolled to the end":
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            box = good.bounding_box()
            assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 900, (where, box)
        # The slide offers full screen, never "share" (which would post it to an outside site).
        assert (
            page.locator("#study-slide button[aria-label*='hare' i], #study-slide button[title*='hare' i]").count() == 0
        )
        page.screenshot(path=str(tmp_path / "study-900.png"))

        # Skip: the next card, nothing recorded for the skipped one.
        first = card.get_attribute("data-qid")
        page.locator("#study-skip").click()
        expect(card).not_to_have_attribute("data-qid", first or "")
        # An exam date as students write it gives the pace; another form says what is expected.
        page.locator("#study-exam input, #study-exam textarea").first.fill("20/12/2099")
        page.locator("#study-exam input, #study-exam textarea").first.press("Enter")
        expect(page.locator("#study-exam-note")).to_contain_text("new card(s) a day")
        page.locator("#study-exam input, #study-exam textarea").first.fill("next friday")
        page.locator("#study-exam input, #study-exam textarea").first.press("Enter")
        expect(page.locator("#study-exam-note")).to_contain_text("write it as 20/12/2026")

    import os

    from assistant.study.store import open_store

    assert open_store(Path(os.environ["SLIDEBANK_STUDY_DB"])).history(first or "") == ()
