"""The settings record: flags, then the environment, then the defaults; bad values named where used."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import InputError
from index.settings import DEFAULT_WORKER_MEMORY, default_settings, resolve_settings


def test_a_flag_beats_the_environment_which_beats_the_default(tmp_path: Path) -> None:
    env = {
        "SLIDEBANK_INDEX": "/env/index",
        "SLIDEBANK_BANK": "/env/bank.md",
        "SLIDEBANK_LLM_URL": "http://127.0.0.1:1/v1",
    }
    flags = resolve_settings(env, index="/flag/index", bank="/flag/bank.md", llm_url="http://127.0.0.1:2/v1")
    assert (flags.index, flags.bank, flags.llm_url) == (
        Path("/flag/index"),
        Path("/flag/bank.md"),
        "http://127.0.0.1:2/v1",
    )
    from_env = resolve_settings(env)
    assert (from_env.index, from_env.bank, from_env.llm_url) == (
        Path("/env/index"),
        Path("/env/bank.md"),
        "http://127.0.0.1:1/v1",
    )
    defaults = resolve_settings({}, data_dir=tmp_path)
    assert defaults == default_settings(tmp_path)
    assert (defaults.index, defaults.bank, defaults.study_db) == (
        tmp_path / "index",
        tmp_path / "question_bank.md",
        tmp_path / "study.sqlite",
    )
    assert defaults.llm_url is None and defaults.database_url is None and defaults.query_encoder == "auto"


def test_named_index_and_bank() -> None:
    # A named index must exist (flag or variable); only a bank given as a flag overrides the index's verdict.
    assert resolve_settings({"SLIDEBANK_INDEX": "/x"}).index_named
    assert not resolve_settings({}).index_named
    assert not resolve_settings({"SLIDEBANK_BANK": "/b.md"}).bank_named
    assert resolve_settings({}, bank="/b.md").bank_named
    assert resolve_settings({}, bank="none").no_bank


def test_database_url_none_means_the_local_files() -> None:
    assert resolve_settings({"SLIDEBANK_DATABASE_URL": "postgresql://h/db"}).database_url == "postgresql://h/db"
    assert resolve_settings({"SLIDEBANK_DATABASE_URL": "postgresql://h/db"}, database_url="none").database_url is None


def test_values_one_command_needs_are_checked_where_used() -> None:
    settings = resolve_settings({"SLIDEBANK_WORKER_MEMORY_MB": "12", "SLIDEBANK_LLM_TIMEOUT": "soon"})
    with pytest.raises(InputError, match="SLIDEBANK_WORKER_MEMORY_MB='12'"):
        settings.worker_memory_bytes()
    with pytest.raises(InputError, match="SLIDEBANK_LLM_TIMEOUT='soon'"):
        settings.llm_timeout()
    fine = resolve_settings({"SLIDEBANK_WORKER_MEMORY_MB": "256", "SLIDEBANK_LLM_TIMEOUT": "0.5"})
    assert fine.worker_memory_bytes() == 256 << 20 and fine.llm_timeout() == 0.5
    assert resolve_settings({}).worker_memory_bytes() == DEFAULT_WORKER_MEMORY


def test_an_installed_copy_looks_for_data_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.paths

    monkeypatch.setattr(index.paths, "PROJECT_ROOT", tmp_path / "site-packages")  # no pyproject.toml, no data/
    monkeypatch.chdir(tmp_path)
    assert index.paths.default_data_dir() == tmp_path / "data"
    assert default_settings().bank == tmp_path / "data" / "question_bank.md"
