"""Concurrent clients against the real ``python app.py`` on loopback, each through Gradio's own client
(the full-size load test with its latency and memory table is ``benchmarks/load.py``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.bank.parse import load_bank

CLIENTS, PER_CLIENT = 4, 5


def test_concurrent_clients_get_answers_without_errors(hash_index: Path, bank_file: Path) -> None:
    from gradio_client import Client

    from tests.support.app_process import running_app

    # Only the bank's own questions are asked: a bank that failed to load leaves nothing to ask.
    questions = [q.text for q in load_bank(bank_file)]
    assert len(questions) == 6
    with running_app(hash_index, bank_file) as url:

        def one_client(i: int) -> list[str]:
            client = Client(url, verbose=False)
            asked = [questions[(i + j) % len(questions)] for j in range(PER_CLIENT)]
            return [client.submit(q, api_name="/search").result(timeout=120)[0] for q in asked]

        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = [cards for batch in pool.map(one_client, range(CLIENTS)) for cards in batch]
    assert len(answers) == CLIENTS * PER_CLIENT
    # Every bank question here shares words with a slide: each answer is at least one slide card.
    assert all('id="sb-card-' in cards for cards in answers), [cards[:120] for cards in answers]
