"""``python -m assistant.check``: verdicts per sentence, JSON, batches in order, one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.check import main
from assistant.cli import main as slidebank
from assistant.cli import run

ROOT = Path(__file__).resolve().parents[2]
# Slide 2 of the tiny deck: "SGD with Momentum" / "Momentum averages previous steps" / "Reduces noise in the update direction"
TEXT = "Momentum averages previous steps [slide 2]. Momentum increases noise in the update direction. It was found in 1964."


def check_json(hash_index: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert run(main, ["--index", str(hash_index), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_sentence_gets_a_verdict_and_the_deciding_line(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = check_json(hash_index, capsys, "--slides", "2", TEXT)
    sentences = out["sentences"]
    assert [set(s) for s in sentences] == [{"text", "slides", "supported", "verdict", "evidence"}] * 3
    assert [s["verdict"] for s in sentences] == ["supported", "contradicted", "not on the slides"]
    assert [s["supported"] for s in sentences] == [True, False, False]
    assert sentences[0]["text"] == "Momentum averages previous steps." and sentences[0]["slides"] == [2]
    assert sentences[1]["evidence"] == "Reduces noise in the update direction"


def test_plain_output_and_exit_0_whatever_the_verdicts(hash_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(main, ["--index", str(hash_index), "--slides", "2,3", TEXT]) == 0
    out = capsys.readouterr().out
    assert "SUPPORTED" in out and "CONTRADICTED" in out and "slide 2: Reduces noise in the update direction" in out


def test_a_batch_answers_each_line_in_order_and_a_bad_line_keeps_its_place(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"slides": [2], "text": "Momentum averages previous steps."},
        "not json",
        {"slides": [99], "text": "Momentum averages previous steps."},
        {"slides": [3], "text": "Attention is a softmax over dot products.", "question": "what is attention?"},
    ]
    stdin = io.StringIO("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    assert run(lambda argv: main(argv, stdin=stdin), ["--index", str(hash_index), "--batch", "-"]) == 2
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert len(out) == 4 and out[0]["sentences"][0]["verdict"] == "supported"
    assert "error" in out[1] and "slide 99" in out[2]["error"]
    assert out[3]["sentences"][0]["slides"] == [3] and out[3]["sentences"][0]["supported"]
    assert captured.err.count("error: line") == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--slides", "abc", "x"], "bad slide list"),
        (["--slides", "42", "some text"], "not in the index"),
        (["some text"], "give --slides"),
        (["--slides", "2"], "give the text"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    hash_index: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(main, ["--index", str(hash_index), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_slidebank_check_is_the_same_command(hash_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert slidebank(["--index", str(hash_index), "check", "--slides", "2", "--json", TEXT]) == 0
    via_slidebank = json.loads(capsys.readouterr().out)
    assert via_slidebank == check_json(hash_index, capsys, "--slides", "2", TEXT)


def test_python_m_assistant_check_runs(hash_index: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.check",
            "--index",
            str(hash_index),
            "--slides",
            "2",
            "Momentum averages previous steps.",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.startswith("SUPPORTED"), done.stderr
