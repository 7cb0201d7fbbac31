"""A scaled-down ``benchmarks/load.py``: concurrent clients against the real ``python app.py`` on loopback."""

from __future__ import annotations

from pathlib import Path

from benchmarks.load import free_port, query_pool, run_clients, start_app, stop_app


def test_concurrent_clients_get_answers_without_errors(hash_index: Path, bank_file: Path) -> None:
    queries = query_pool(bank_file)
    assert len(queries) > len(bank_file.read_text().splitlines()) // 2  # the bank's questions are in the pool
    port = free_port()
    proc = start_app(hash_index, bank_file, port)
    try:
        outcome = run_clients(f"http://127.0.0.1:{port}/", queries, clients=4, per_client=5, time_limit=120)
    finally:
        stop_app(proc)
    assert outcome.errors == []
    assert outcome.not_run == 0 and len(outcome.latencies) == 20
