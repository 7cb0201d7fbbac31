"""Shared fixtures: tiny generated PDFs, a hash-embedder index, and the real deck (session-scoped)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.decks import BANK, DECK_A, DECK_B, make_pdf
from tests.support.paths import OTHER_COURSE, REAL_BANK, REAL_DECK
from tests.support.required import require_other_course, require_real_deck


@pytest.fixture()
def tiny_decks(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "decks"
    folder.mkdir()
    return [make_pdf(folder / "week01.pdf", DECK_A), make_pdf(folder / "week02.pdf", DECK_B)]


@pytest.fixture()
def bank_file(tmp_path: Path) -> Path:
    path = tmp_path / "bank.md"
    path.write_text(BANK, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Bank-vector caches go to the test's own folder, never into data/.
    monkeypatch.setenv("SLIDEBANK_CACHE", str(tmp_path / "cache"))
    # ... and so does study state: an app built in a test never writes data/study.sqlite, whether
    # a command resolves the study file from the environment or a view is built without settings.
    monkeypatch.setenv("SLIDEBANK_STUDY_DB", str(tmp_path / "study.sqlite"))
    monkeypatch.setattr("assistant.study.store.default_db_path", lambda: tmp_path / "study.sqlite")


@pytest.fixture()
def hash_index(tmp_path: Path, tiny_decks: list[Path]) -> Path:
    from ingest.build import ingest

    index_dir = tmp_path / "index"
    ingest(tiny_decks, index_dir, model="hash:64", progress=False)
    return index_dir


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 389-page deck ingested once per test run with the default model."""
    require_real_deck()
    from ingest.build import ingest

    index_dir = tmp_path_factory.mktemp("real") / "index"
    ingest([REAL_DECK], index_dir, progress=False)
    return index_dir


@pytest.fixture(scope="session")
def other_course_index(tmp_path_factory: pytest.TempPathFactory):
    """The Beamer course folder ingested once per test run with the default model, the course deck's bank checked."""
    require_other_course()
    from assistant.bank.parse import bank_citations
    from ingest.build import ingest

    index_dir = tmp_path_factory.mktemp("other-course") / "index"
    report = ingest([OTHER_COURSE], index_dir, progress=False, bank=bank_citations(REAL_BANK))
    return index_dir, report


@pytest.fixture(scope="session")
def real_retriever(real_index: Path, tmp_path_factory: pytest.TempPathFactory):
    from assistant.retrieval.loading import open_retriever

    os.environ.setdefault("SLIDEBANK_CACHE", str(tmp_path_factory.mktemp("cache")))
    retriever, _ = open_retriever(real_index)
    return retriever


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL 16 + pgvector server on 127.0.0.1, started once per test run and stopped after it.

    Where it cannot start, the tests that need it skip on a user's machine and fail under CI.
    """
    from tests.support.postgres import start_server
    from tests.support.required import require

    try:
        server = start_server()
    except (RuntimeError, OSError, ImportError, subprocess.SubprocessError) as exc:
        require(f"no PostgreSQL server for the database tests ({exc})")
        return  # not reached: require fails or skips
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def pg_url(pg_server, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database (with pgvector) on the session's server, one per test."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return pg_server.create_database(name)


@pytest.fixture()
def pg_course(pg_url: str, tiny_decks: list[Path], bank_file: Path) -> str:
    """``pg_url`` with the tiny decks and their bank ingested by the real command (hash embedder)."""
    from tests.support.cli_run import run_module

    proc = run_module("ingest", *tiny_decks, "--database", pg_url, "--bank", bank_file, "--model", "hash:64", "-q")
    assert proc.returncode == 0, proc.stderr
    return pg_url
