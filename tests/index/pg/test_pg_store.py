"""The shared store on a real PostgreSQL 16 + pgvector server: ingest, atomic switch, reuse, kills, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.support.cli_run import assert_one_line_error, run_module
from tests.support.paths import ROOT

pytestmark = pytest.mark.postgres


def _ingest(decks: list[Path], url: str, *extra: object) -> subprocess.CompletedProcess[str]:
    return run_module("ingest", *decks, "--database", url, "--model", "hash:64", "-q", *extra, timeout=120)


def _generations(url: str) -> tuple[int | None, list[int]]:
    import psycopg

    with psycopg.connect(url) as conn:
        current = conn.execute("SELECT generation FROM slidebank_current").fetchone()
        ids = [r[0] for r in conn.execute("SELECT id FROM slidebank_generations ORDER BY id").fetchall()]
    return (current[0] if current else None), ids


def test_server_has_pgvector(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        server = conn.execute("SHOW server_version").fetchone()
    assert version is not None and server[0].startswith("16")


def test_ingest_writes_the_database_and_no_index_folder(
    pg_url: str, tiny_decks: list[Path], bank_file: Path, tmp_path: Path
) -> None:
    local = tmp_path / "would-be-index"
    proc = run_module(
        "ingest",
        *tiny_decks,
        "--database",
        pg_url,
        "--bank",
        bank_file,
        "--model",
        "hash:64",
        "-q",
        env={"SLIDEBANK_INDEX": str(local)},
    )
    assert proc.returncode == 0, proc.stderr
    password = pg_url.split(":")[2].split("@")[0]
    assert password not in proc.stdout + proc.stderr and "***" in proc.stdout
    assert not local.exists()
    current, ids = _generations(pg_url)
    assert current == ids[-1]

    from assistant.retrieval.database import open_database, stored_bank

    index = open_database(pg_url)
    assert [s.number for s in index.slides] == list(range(1, 7))
    assert index.thumbnail(1) is not None and index.thumbnail(1).read_bytes()[:4] == b"\x89PNG"
    bank, digest = stored_bank(index)
    assert len(bank) > 0 and digest


def test_database_ranks_as_the_local_index(pg_url: str, tiny_decks: list[Path], hash_index: Path) -> None:
    assert _ingest(tiny_decks, pg_url).returncode == 0
    from assistant.retrieval.loading import open_retriever

    local, _ = open_retriever(hash_index, "none")
    shared, _ = open_retriever(None, "none", database=pg_url)
    for query in ("gradient descent", "attention heads", "kmeans clustering", "a question about nothing"):
        a, b = local.search(query, k=6), shared.search(query, k=6)
        assert [h.slide.number for h in a.slides] == [h.slide.number for h in b.slides]
        assert np.allclose([h.score for h in a.slides], [h.score for h in b.slides], atol=1e-5)


def test_dense_search_in_process_equals_the_database_scan_and_hnsw(pg_url: str, tiny_decks: list[Path]) -> None:
    """A course-sized generation is searched from its vectors in the app; it must rank as the
    database's own exact scan does, and the HNSW index (asked for every candidate) agrees."""
    assert _ingest(tiny_decks, pg_url).returncode == 0
    from index.pg.connect import Pool
    from index.pg.read import DatabaseDense

    generation, _ = _generations(pg_url)
    assert generation is not None
    pool = Pool(pg_url)
    try:
        n = int(
            pool.conn()
            .execute("SELECT count(*) FROM slidebank_chunks WHERE generation = %s", (generation,))
            .fetchone()[0]
        )
        here = DatabaseDense(pool, generation, 64, n)
        scan = DatabaseDense(pool, generation, 64, n, in_process=False)
        graph = DatabaseDense(pool, generation, 64, n, exact_limit=0, ef_search=1000)
        assert here.exact and here.in_process and scan.exact and not graph.exact
        rng = np.random.default_rng(7)
        for _ in range(10):
            query = rng.normal(size=64).astype(np.float32)
            query /= np.linalg.norm(query)
            (s1, i1), (s2, i2), (s3, i3) = here.search(query, 5), scan.search(query, 5), graph.search(query, 5)
            assert list(i1[0]) == list(i2[0]) == list(i3[0])
            assert np.allclose(s1, s2, atol=1e-5) and np.allclose(s1, s3, atol=1e-5)
        assert list(here.search(rng.normal(size=64).astype(np.float32), n + 3)[1][0][-3:]) == [-1, -1, -1]
    finally:
        pool.close()


def test_reingest_reuses_vectors_and_switches(pg_url: str, tiny_decks: list[Path]) -> None:
    first = _ingest(tiny_decks, pg_url)
    second = _ingest(tiny_decks, pg_url)
    assert first.returncode == second.returncode == 0, second.stderr
    assert "0 reused" in first.stdout and "0 embedded" in second.stdout
    current, ids = _generations(pg_url)
    assert current == ids[-1] and len(ids) == 2
    assert _ingest(tiny_decks, pg_url).returncode == 0
    current, ids = _generations(pg_url)
    assert len(ids) == 2 and current == ids[-1]  # the previous generation is kept, older ones pruned


def test_reader_keeps_its_generation_through_an_ingest(pg_url: str, tiny_decks: list[Path]) -> None:
    assert _ingest(tiny_decks, pg_url).returncode == 0
    from assistant.retrieval.loading import open_retriever

    reader, _ = open_retriever(None, "none", database=pg_url)
    before = [h.slide.number for h in reader.search("gradient descent", k=3).slides]
    assert _ingest(tiny_decks[:1], pg_url).returncode == 0
    assert [h.slide.number for h in reader.search("gradient descent", k=3).slides] == before


def test_killed_ingest_leaves_the_live_generation(pg_url: str, tiny_decks: list[Path]) -> None:
    import psycopg

    assert _ingest(tiny_decks, pg_url).returncode == 0
    live, ids = _generations(pg_url)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.kill_ingest", "database", *map(str, tiny_decks[:1])]
        + ["--database", pg_url, "--model", "hash:64", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    assert _generations(pg_url) == (live, ids)
    with psycopg.connect(pg_url) as conn:
        stray = conn.execute("SELECT count(*) FROM slidebank_chunks WHERE generation <> %s", (live,)).fetchone()
    assert stray[0] == 0
    from assistant.retrieval.database import open_database

    assert len(open_database(pg_url).slides) == 6


def test_a_second_ingest_waits_its_turn(pg_url: str, tiny_decks: list[Path]) -> None:
    from index.pg.connect import connect
    from index.pg.write import IngestLock

    conn = connect(pg_url)
    try:
        with IngestLock(conn):
            proc = _ingest(tiny_decks, pg_url)
    finally:
        conn.close()
    assert_one_line_error(proc, "another ingest is writing this database")


def test_bad_urls_are_one_line_errors_without_the_password(pg_url: str, tiny_decks: list[Path]) -> None:
    wrong = pg_url.replace("@", "x@", 1)  # a wrong password
    proc = _ingest(tiny_decks, wrong)
    assert_one_line_error(proc, "cannot connect to the database")
    assert wrong.split(":")[2].split("@")[0] not in proc.stderr
    assert_one_line_error(_ingest(tiny_decks, "mysql://u:p@h/db"), "postgresql://")
    empty = run_module("assistant.query", "--database", pg_url, "--bank", "none", "gradient")
    assert_one_line_error(empty, "no index in the database")
