"""A bank that does not fit its deck: ingest says so once, searches leave it out unless --bank is given,
and ``--bank none`` runs with no bank (query, eval, audit, app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.retrieval import main as eval_main
from assistant.query import main as query_main
from assistant.retrieval.loading import open_retriever
from assistant.ui.web import WebView
from ingest.__main__ import main as ingest_main
from tests.support.settings import configured

FOREIGN = """\
## Another course

### Diffusion models

- what does the score network predict? (176-178)
- explain classifier-free guidance (196)

### clustering

- explain kmeans (369)
"""


@pytest.fixture()
def foreign_bank(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.md"
    path.write_text(FOREIGN, encoding="utf-8")
    return path


@pytest.fixture()
def foreign_index(
    tmp_path: Path,
    tiny_decks: list[Path],
    foreign_bank: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    monkeypatch.setenv("SLIDEBANK_BANK", str(foreign_bank))  # the default bank, as a user configured it
    index_dir = tmp_path / "index"
    assert ingest_main([*map(str, tiny_decks), "--index", str(index_dir), "--model", "hash:64", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.count("does not fit these slides") == 1 and "beyond the last slide 6" in out
    return index_dir


def test_the_default_bank_that_does_not_fit_is_left_out_quietly(
    foreign_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    retriever, notices = open_retriever(foreign_index, user=configured())  # the bank $SLIDEBANK_BANK names
    assert retriever.bank == () and retriever.bank_fit is not None and not retriever.bank_fit.fits
    assert notices == ()
    for _ in range(2):
        assert query_main(["--index", str(foreign_index), "kmeans centroids"]) == 0
        captured = capsys.readouterr()
        assert (
            captured.err == ""
            and "Matching bank questions" not in captured.out
            and "K Means Clustering" in captured.out
        )


def test_given_explicitly_the_bank_is_used(
    foreign_index: Path, foreign_bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    retriever, notices = open_retriever(foreign_index, foreign_bank)
    assert len(retriever.bank) == 3 and any("beyond the deck's last slide" in n for n in notices)
    assert query_main(["--index", str(foreign_index), "--bank", str(foreign_bank), "kmeans centroids"]) == 0
    assert "Matching bank questions" in capsys.readouterr().out


def test_the_app_status_line_says_the_bank_does_not_fit(foreign_index: Path, foreign_bank: Path) -> None:
    left_out = WebView(*open_retriever(foreign_index, user=configured())).status_html()
    assert "does not fit these slides" in left_out and "left out" in left_out
    used = WebView(*open_retriever(foreign_index, foreign_bank)).status_html()
    assert "does not fit these slides" in used and "in use" in used


def test_a_bank_that_fits_is_used_as_before(
    hash_index: Path, bank_file: Path, tiny_decks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        ingest_main(
            [*map(str, tiny_decks), "--index", str(hash_index), "--model", "hash:64", "--bank", str(bank_file), "-q"]
        )
        == 0
    )
    assert "does not fit" not in capsys.readouterr().out
    retriever, _ = open_retriever(hash_index, bank_file)
    assert retriever.bank_fit is not None and retriever.bank_fit.fits and len(retriever.bank) == 6
    assert "does not fit" not in WebView(retriever).status_html()


def test_bank_none_runs_without_a_bank(hash_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert query_main(["--index", str(hash_index), "--bank", "none", "momentum previous steps"]) == 0
    captured = capsys.readouterr()
    assert "Matching bank questions" not in captured.out and "SGD with Momentum" in captured.out and captured.err == ""

    free = tmp_path / "free.tsv"
    free.write_text(
        "# deck: the tiny test decks\n2\thow does momentum use the previous steps?\n6\thow are centroids recomputed?\n",
        encoding="utf-8",
    )
    assert eval_main(["--index", str(hash_index), "--bank", "none", "--free-form", str(free), "--no-ablation"]) == 0
    out = capsys.readouterr().out
    assert "Free-form questions" in out and "Bank questions" not in out

    from assistant.audit.cli import main as audit_main

    assert audit_main(["--index", str(hash_index), "--bank", "none"]) == 2
    assert capsys.readouterr().err.startswith("error: --bank none")


def test_ingest_with_bank_none_records_no_verdict(
    tmp_path: Path, tiny_decks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    assert (
        ingest_main([*map(str, tiny_decks), "--index", str(index_dir), "--model", "hash:64", "--bank", "none", "-q"])
        == 0
    )
    assert "question bank" not in capsys.readouterr().out
    assert open_retriever(index_dir)[0].bank_fit is None
    assert (
        ingest_main(
            [
                *map(str, tiny_decks),
                "--index",
                str(index_dir),
                "--model",
                "hash:64",
                "--bank",
                str(tmp_path / "missing.md"),
            ]
        )
        == 2
    )
    assert capsys.readouterr().err.startswith("error: cannot read the question bank")
