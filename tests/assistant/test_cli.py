"""The ``slidebank`` command: every subcommand runs the ``python -m`` form's own code, with the shared options and wrapper."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import COMMANDS, EXIT_ERROR, EXIT_INTERRUPTED, main, run
from index.errors import InputError
from tests.support.cli_run import ROOT, assert_clean_success, assert_one_line_error, run_module

# What the console script does (pyproject's [project.scripts]): import assistant.cli:main and exit with it.
SLIDEBANK = "import sys; from assistant.cli import main; sys.exit(main())"


def slidebank(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SLIDEBANK, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        input=stdin,
    )


def test_pyproject_installs_the_command() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"slidebank": "assistant.cli:main"}


def test_help_lists_every_command_with_its_python_m_form(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name, command in COMMANDS.items():
        assert f"  {name} " in out and command.same_as in out
    assert "slidebank ingest slides.pdf" in out


def test_query_prints_what_python_m_assistant_query_prints(hash_index: Path, bank_file: Path) -> None:
    plain = run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "--json", "gradient momentum")
    via = slidebank("--index", hash_index, "--bank", bank_file, "query", "--json", "gradient momentum")
    assert_clean_success(plain)
    assert_clean_success(via)
    assert json.loads(via.stdout) == json.loads(plain.stdout)
    assert json.loads(via.stdout)["slides"]


def test_parent_options_reach_the_command(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--index", str(hash_index), "--bank", str(bank_file), "query", "--json", "-k", "2", "kmeans centroids"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["slides"][0]["number"] == 6 and len(out["slides"]) == 2
    assert main(["--index", str(hash_index), "--bank", str(bank_file), "-q", "audit"]) == 0
    assert "Bank audit:" in capsys.readouterr().out


def test_an_option_a_command_does_not_take_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--bank", "bank.md", "ingest", "slides.pdf"])
    assert exited.value.code == 2
    assert "--bank does not apply to slidebank ingest" in capsys.readouterr().err


def test_subcommand_help_names_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    assert capsys.readouterr().out.startswith("usage: slidebank audit")


def test_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    assert_one_line_error(slidebank("--index", tmp_path / "none", "eval"), "python -m ingest")
    assert_one_line_error(slidebank("bench", tmp_path / "missing.pdf"), "no PDF")
    assert_one_line_error(slidebank("query", ""), "empty query")


def test_run_turns_errors_and_interrupts_into_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    def bad(argv: list[str] | None) -> int:
        raise InputError("the bank is not markdown")

    def interrupted(argv: list[str] | None) -> int:
        raise KeyboardInterrupt

    assert run(bad, [], restore_sigpipe=False) == EXIT_ERROR
    assert capsys.readouterr().err == "error: the bank is not markdown\n"
    assert run(interrupted, [], restore_sigpipe=False) == EXIT_INTERRUPTED
    assert run(lambda argv, prog: len(prog), [], prog="slidebank x", restore_sigpipe=False) == len("slidebank x")


def test_a_closed_pipe_ends_the_output_quietly(hash_index: Path, bank_file: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("kmeans centroids\n" * 2000, encoding="utf-8")
    command = [
        sys.executable,
        "-c",
        SLIDEBANK,
        "--index",
        str(hash_index),
        "--bank",
        str(bank_file),
        "query",
        "--batch",
        str(queries),
    ]
    producer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert producer.stdout is not None and producer.stderr is not None
    assert producer.stdout.readline().startswith("{")
    producer.stdout.close()  # like `| head -1`
    err = producer.stderr.read()
    producer.wait(timeout=300)
    assert "Traceback" not in err and "BrokenPipe" not in err
