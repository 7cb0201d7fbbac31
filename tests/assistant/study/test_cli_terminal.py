"""``python -m assistant.study`` prints bank text as ``assistant.query`` does: no escape sequence
from the bank reaches the terminal (``--next``, ``--stats``, the interactive review, errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.index.test_terminal_safety import C1_CSI, CLEAR, OSC52, TITLE, _has_control
from tests.support.cli_run import run_module
from tests.support.decks import BANK


@pytest.fixture()
def hostile_study(tmp_path: Path, hash_index: Path) -> list[object]:
    """The study command's options over a bank whose section and question carry escape sequences."""
    bank = tmp_path / "bank.md"
    bank.write_text(
        BANK.replace("### optimisation", f"### optimisation {TITLE}").replace(
            "formulate SGD with momentum", f"formulate SGD with momentum {OSC52}{CLEAR}{C1_CSI}"
        ),
        encoding="utf-8",
    )
    return ["--db", tmp_path / "study.sqlite", "--bank", bank, "--index", hash_index]


@pytest.mark.parametrize(
    "verb, stdin",
    [(["--next"], None), (["--stats"], None), ([], "\n3\n\nq\n")],
    ids=["next", "stats", "interactive"],
)
def test_study_output_carries_no_escape_sequence_from_the_bank(
    verb: list[str], stdin: str | None, hostile_study: list[object]
) -> None:
    proc = run_module("assistant.study", *hostile_study, *verb, stdin=stdin, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "optimisation \ufffd]0;pwned\ufffd" in proc.stdout  # shown, as visible characters
    if verb != ["--stats"]:
        assert "formulate SGD with momentum \ufffd]52;c;" in proc.stdout
    if stdin:
        assert "good: next due" in proc.stdout
    assert not _has_control(proc.stdout) and not _has_control(proc.stderr)


def test_an_error_naming_bank_sections_is_one_clean_line(hostile_study: list[object]) -> None:
    proc = run_module("assistant.study", *hostile_study, "--next", "--section", f"none{CLEAR}", timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error: no section") and proc.stderr.count("\n") == 1
    assert not _has_control(proc.stderr)
