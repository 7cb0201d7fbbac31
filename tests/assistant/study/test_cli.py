"""``python -m assistant.study``: the script verbs, the interactive loop, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.study.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture()
def common(tmp_path: Path, hash_index: Path, bank_file: Path) -> list[str]:
    return ["--db", str(tmp_path / "study.sqlite"), "--bank", str(bank_file), "--index", str(hash_index)]


def next_json(common: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    assert main([*common, "--next", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_next_grade_next_then_stats(common: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    first = next_json(common, capsys)
    assert first["new"] and first["question"] == "formulate SGD with momentum" and first["mark"] == "*"
    assert first["slides"] == [{"number": 2, "title": "SGD with Momentum"}] and not first["suggested"]
    assert "[slide 2]" in first["answer"]
    assert main([*common, "--grade", first["id"], "good"]) == 0
    assert first["id"] in capsys.readouterr().out
    second = next_json(common, capsys)
    assert second["id"] != first["id"] and second["queued"] == first["queued"] - 1

    assert main([*common, "--stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    opt = next(s for s in stats["sections"] if s["section"] == "optimisation")
    assert (opt["cards"], opt["reviewed"], opt["due"]) == (4, 1, 3)
    assert stats["total"]["reviewed"] == 1
    assert main([*common, "--stats"]) == 0
    assert "optimisation" in capsys.readouterr().out


def test_an_uncited_question_shows_suggestions_marked(common: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    card = next_json(common, capsys, "--section", "diffusion")
    assert card["question"].startswith("formulate the denoiser") and card["suggested"] and card["slides"]


def test_filters_and_due_only(common: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert next_json(common, capsys, "--mark", "-")["question"] == "what does the learning rate decide?"
    for _ in range(next_json(common, capsys)["queued"]):
        card = next_json(common, capsys)
        assert main([*common, "--grade", card["id"], "easy"]) == 0
        capsys.readouterr()
    assert main([*common, "--next", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) is None  # everything scheduled later
    assert next_json(common, capsys, "--all")["new"] is False


def test_the_interactive_loop_reveals_and_grades(common: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.study", *common],
        cwd=ROOT,
        input="\n3\n\nq\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "formulate SGD with momentum" in done.stdout
        and "SGD with Momentum" in done.stdout
        and "good: next due" in done.stdout
    )
    stats = subprocess.run(
        [sys.executable, "-m", "assistant.study", *common, "--stats", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert json.loads(stats.stdout)["total"]["reviewed"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grade", "qnothere", "good"], "not in the bank"),
        (["--grade", "qnothere", "great"], "unknown grade"),
        (["--exam", "14/07/2025"], "YYYY-MM-DD"),
        (["--section", "nope", "--next"], "no section"),
        (["--json"], "--json goes with"),
        (["--anki", "/no/such/folder/x.apkg"], "does not exist"),
    ],
)
def test_bad_input_is_one_line(common: list[str], args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.study", *common, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: ") and message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_db_comes_from_the_environment(
    tmp_path: Path, hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("SLIDEBANK_STUDY_DB", str(tmp_path / "env.sqlite"))
    assert main(["--bank", str(bank_file), "--index", str(hash_index), "--stats"]) == 0
    assert (tmp_path / "env.sqlite").is_file()


def test_a_grade_retried_with_the_same_key_is_recorded_once(
    common: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.study.store import open_store

    qid = next_json(common, capsys)["id"]
    for _ in range(3):  # a script that retries after a timeout
        assert main([*common, "--grade", qid, "good", "--key", "run-7"]) == 0
    assert main([*common, "--grade", qid, "easy"]) == 0
    assert [r.grade for r in open_store(tmp_path / "study.sqlite").history(qid)] == ["good", "easy"]
    assert main([*common, "--stats", "--key", "x"]) == 2
    assert "--key goes with --grade" in capsys.readouterr().err
