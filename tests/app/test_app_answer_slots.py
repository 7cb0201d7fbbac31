"""Answers have their own slots in the app: one tab whose model server is stuck does not hold
another tab's answer, and the stuck answer ends at ``SLIDEBANK_LLM_TIMEOUT``, giving its slot back.

Two browser contexts (two users, two tabs) in Chromium against one app; two fake model servers on
127.0.0.1: one that sends a sentence and then only keep-alives, forever, and one that answers.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.answer import server
from tests.support.browser import chromium, loopback_only, require_browser
from tests.support.fake_llm_server import MODEL, FakeServer
from tests.support.served import serving

pytestmark = pytest.mark.slow

PIECES = ["Momentum averages ", "previous steps [slide 2]. ", "It reduces noise in the ", "update direction. "]
LIMIT_S = 15.0


def test_a_stuck_server_in_one_tab_does_not_hold_another_tabs_answer(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    from assistant.answer.answerer import AnswerSettings
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    monkeypatch.setattr(server, "_clients", {})
    retriever, notices = open_retriever(hash_index, bank_file)
    refused: list[str] = []
    with FakeServer(PIECES, mode="stall", delay=0.5) as stuck, FakeServer(PIECES) as fine:
        view = WebView(
            retriever, notices, answer_settings=AnswerSettings("server", MODEL, stuck.url, timeout_s=LIMIT_S)
        )
        view.current().answer_threshold = None  # the hash embedder's confidence is low on any query
        with serving(view) as url, sync_playwright() as p:
            browser = chromium(p)
            contexts = [browser.new_context() for _ in range(2)]
            for context in contexts:
                loopback_only(context, refused)
            first, second = (context.new_page() for context in contexts)
            for page in (first, second):
                page.goto(url)
            first.locator("#query textarea").fill("what does momentum average")
            first.locator("#query textarea").press("Enter")
            expect(first.locator("#answer")).to_contain_text("Momentum averages previous steps", timeout=60_000)

            second.locator("#answer-url textarea").fill(fine.url)
            second.locator("#query textarea").fill("what does momentum average")
            second.locator("#query textarea").press("Enter")
            expect(second.locator("#answer")).to_contain_text("It reduces noise", timeout=60_000)
            answered = time.time()
            # The second tab's answer came while the first one's server was still holding its answer.
            assert answered - stuck.times[-1] < LIMIT_S
            assert "Cut short" not in first.locator("#answer").inner_text()

            # The stuck answer ends at the limit, keeping its checked sentences, with a note.
            expect(first.locator("#answer")).to_contain_text(
                f"Cut short: the model server took longer than {LIMIT_S:g} s", timeout=(LIMIT_S + 15) * 1000
            )
            ended = time.time()
            expect(first.locator("#answer")).to_contain_text("Momentum averages previous steps")
            browser.close()
    print(
        f"\nsecond tab answered {answered - stuck.times[-1]:.1f} s after the stuck request; it ended after {ended - stuck.times[-1]:.1f} s"
    )
    assert fine.requests and len(stuck.requests) == 1 and refused == []
