"""Bad queries and bad banks, through the real ``python -m assistant.query`` / ``assistant.eval`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.bank.parse import parse_bank, reference_notices
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module


def query(index: Path, bank: Path, *args: object, stdin: str | None = None):
    return run_module("assistant.query", "--index", index, "--bank", bank, *args, stdin=stdin)


@pytest.mark.parametrize(
    "text", ["", "   ", "\t \n", "\x01\x02\x7f"], ids=["empty", "spaces", "whitespace", "only-control"]
)
def test_empty_queries_are_one_line_errors(hash_index: Path, bank_file: Path, text: str) -> None:
    assert_one_line_error(query(hash_index, bank_file, text), "query")


def test_ten_thousand_characters_are_truncated_with_a_notice(hash_index: Path, bank_file: Path) -> None:
    long = ("momentum averages previous steps " * 400)[:10_000]
    proc = query(hash_index, bank_file, "--json", long)
    assert_clean_success(proc)
    assert "note: query truncated to its first" in proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["query"]) < 10_000 and out["slides"][0]["number"] == 2


@pytest.mark.parametrize(
    "text",
    [
        r"$\nabla_\theta \log p_\theta(x)$",
        r"\frac{\partial}{\partial x}",
        "🤖🔥💡",
        "ω",
        "Was ist stochastischer Gradientenabstieg?",
        "什么是自注意力机制？",
        "momentum\x07 previous\x1b[31m steps",
    ],
    ids=["latex", "latex-only-commands", "emoji", "greek", "german", "chinese", "control-chars"],
)
def test_odd_queries_answer_without_error(hash_index: Path, bank_file: Path, text: str) -> None:
    proc = query(hash_index, bank_file, "--json", text)
    assert_clean_success(proc)
    out = json.loads(proc.stdout)
    assert out["query"] and len(out["slides"]) >= 1 and "\x1b" not in out["query"] and "\x07" not in out["query"]


def test_control_characters_are_removed_and_words_still_match(hash_index: Path, bank_file: Path) -> None:
    out = json.loads(query(hash_index, bank_file, "--json", "momentum\x07 previous\x1b[31m steps").stdout)
    assert out["query"] == "momentum previous [31m steps"  # the escape byte goes, printable text stays
    assert out["slides"][0]["number"] == 2


def test_batch_survives_bad_lines(hash_index: Path, bank_file: Path) -> None:
    lines = ["", "   ", "\x00\x01", "x" * 10_000, "🤖", "kmeans centroids"]
    proc = query(hash_index, bank_file, "--batch", "-", stdin="\n".join(lines) + "\n")
    assert_clean_success(proc)
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert answers[-1]["slides"][0]["number"] == 6 and all(set(a) >= {"query", "slides", "bank"} for a in answers)


BAD_BANK = """\
## s
- broken refs (12-) here
- letters (a-b) are a note, not a reference
- far beyond the deck (999999)
- a real one (2)
- a range past the end (5-9)
"""


def test_bank_with_malformed_and_out_of_range_references(hash_index: Path, tmp_path: Path) -> None:
    bank = tmp_path / "bad.md"
    bank.write_text(BAD_BANK)
    parsed = parse_bank(BAD_BANK)
    assert [q.bad_refs for q in parsed] == [("(12-)",), (), (), (), ()]
    notices = reference_notices(parsed, 6)
    assert notices[0] == "the bank has 1 unreadable slide reference(s), ignored: (12-) on line 2"
    assert (
        notices[1]
        == "the bank cites 4 slide(s) beyond the deck's last slide 6: 999999 on line 4, 7 on line 6, 8 on line 6, 9 on line 6"
    )
    proc = query(hash_index, bank, "--json", "far beyond the deck")
    assert_clean_success(proc)
    assert "note: the bank cites 4 slide(s) beyond" in proc.stderr and "(12-)" in proc.stderr
    assert json.loads(proc.stdout)["bank"][0]["refs"] == [999999]
    ev = run_module("assistant.eval", "--index", hash_index, "--bank", bank, "--json")
    assert_clean_success(ev)
    assert "beyond the deck's last slide 6" in ev.stderr
    assert {row["queries"] for row in json.loads(ev.stdout)["bank"]} == {3}


@pytest.mark.parametrize(
    "content",
    ["", "\n\n", "# only a heading\n\nsome prose, no bullets\n", "\x00\xff binary junk"],
    ids=["empty", "blank-lines", "no-questions", "binary"],
)
def test_empty_bank_still_answers_with_slides(hash_index: Path, tmp_path: Path, content: str) -> None:
    bank = tmp_path / "empty.md"
    bank.write_bytes(
        content.encode("utf-8", "surrogateescape") if "\xff" not in content else b"\x00\xff\xfe binary junk"
    )
    proc = query(hash_index, bank, "--json", "momentum previous steps")
    assert_clean_success(proc)
    out = json.loads(proc.stdout)
    assert out["bank"] == [] and out["slides"][0]["number"] == 2
    ev = run_module("assistant.eval", "--index", hash_index, "--bank", bank)
    assert_clean_success(ev)
    assert "0 queries" in ev.stdout


def test_missing_bank_is_a_one_line_error(hash_index: Path, tmp_path: Path) -> None:
    assert_one_line_error(query(hash_index, tmp_path / "nope.md", "momentum"), "cannot read the question bank")
