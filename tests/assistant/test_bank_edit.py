"""Adding a question to the bank file: the right place, a backup, an atomic replace, read back as typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bank.edit import add_question, format_refs, with_question
from assistant.bank.parse import load_bank, parse_bank
from index.errors import InputError
from tests.support.decks import BANK


def test_a_question_goes_at_the_end_of_its_section_and_nothing_else_changes() -> None:
    added = with_question(BANK, "optimisation", "why does Adam need bias correction?", [1, 2])
    before, after = BANK.splitlines(), added.splitlines()
    assert len(after) == len(before) + 1
    new = after.index("- why does Adam need bias correction? (1-2)")
    assert after[:new] + after[new + 1 :] == before
    assert after[new - 1].startswith("  - what is the query?")  # after the section's last line, before the blank line
    question = [q for q in parse_bank(added) if q.text == "why does Adam need bias correction?"]
    assert len(question) == 1 and question[0].section == "optimisation" and question[0].refs == (1, 2)
    assert [q.id for q in parse_bank(added) if q.text != question[0].text] == [q.id for q in parse_bank(BANK)]


def test_a_new_section_is_added_at_the_end() -> None:
    added = with_question(BANK, "GANs", "what is mode collapse?", [])
    assert added.endswith("### GANs\n\n- what is mode collapse?\n")
    assert next(q for q in parse_bank(added) if q.text == "what is mode collapse?").section == "GANs"


def test_windows_line_endings_are_kept() -> None:
    added = with_question(BANK.replace("\n", "\r\n"), "diffusion", "what is DDIM?", [4])
    assert "\n" not in added.replace("\r\n", "")


def test_refs_are_written_as_ranges() -> None:
    assert format_refs([65, 63, 64, 70]) == "63-65, 70"


@pytest.mark.parametrize(
    ("section", "text", "refs"),
    [("optimisation", "  ", [1]), ("", "a question", [1]), ("optimisation", "what is L(2) regularisation", [3])],
)
def test_bad_additions_are_refused(section: str, text: str, refs: list[int]) -> None:
    with pytest.raises(InputError):
        with_question(BANK, section, text, refs)


def test_the_file_is_backed_up_and_replaced(bank_file: Path) -> None:
    original = bank_file.read_bytes()
    question = add_question(bank_file, "diffusion", "what does the noise schedule control?", [4, 5])
    assert (bank_file.parent / "bank.md.bak").read_bytes() == original
    assert question in load_bank(bank_file)
    assert not [p for p in bank_file.parent.iterdir() if p.name.endswith(".tmp")]
