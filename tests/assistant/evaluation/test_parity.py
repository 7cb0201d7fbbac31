"""The shared store ranks the real deck as the local index does (PostgreSQL + pgvector, real model)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_database_ranks_the_real_deck_as_the_local_index(real_index: Path, real_retriever, pg_url: str) -> None:
    from assistant.bank.parse import default_bank_path
    from assistant.evaluation.parity import format_parity, parity
    from assistant.retrieval.loading import open_retriever
    from index.pg.connect import connect
    from index.pg.write import store_generation
    from index.store import load_index

    bank = default_bank_path()
    conn = connect(pg_url)
    try:
        # The session's ingest of the real deck, stored as the database's generation, with the same bank.
        store_generation(conn, load_index(real_index), bank.read_bytes(), bank.name)
    finally:
        conn.close()
    shared, _ = open_retriever(None, None, database=pg_url)
    assert len(shared.bank) == len(real_retriever.bank) > 0
    rows = parity(real_retriever, shared)
    assert rows, "no eval questions"
    for row in rows:
        assert row.same_top >= 0.95, format_parity(rows)
        assert row.worst_hit_gap <= 0.01, format_parity(rows)
        assert abs(row.local.mrr - row.shared.mrr) <= 0.01, format_parity(rows)
