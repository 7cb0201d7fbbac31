"""Adding to the user's bank file as a hostile user would try it: odd encodings, two writers at once,
links, modes, a read-only file, ``--bank none``, and kill -9 in the middle of a write."""

from __future__ import annotations

import codecs
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.bank import bank_file as files
from assistant.bank.edit import add_question
from assistant.bank.parse import load_bank, parse_bank
from index.errors import InputError
from tests.support.decks import BANK
from tests.support.paths import ROOT

QUESTION = "why does Schrödinger’s équation need ψ?"  # accented letters, a curly quote, Greek


def adder(bank: Path, tag: str, n: int, kill_at: int = -1) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.assistant.bank.add_many", str(bank), tag, str(n), str(kill_at)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def questions(bank: Path) -> set[str]:
    return {q.text for q in load_bank(bank)}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- two writers ---------------------------------------------------------------------------------


def test_two_processes_adding_40_questions_each_keep_all_80(bank_file: Path) -> None:
    before = questions(bank_file)
    procs = [adder(bank_file, tag, 40) for tag in ("left", "right")]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert out.count("added") == 40
    after = questions(bank_file)
    wanted = {f"{tag} question {i}" for tag in ("left", "right") for i in range(40)}
    assert wanted <= after, f"lost {len(wanted - after)} of 80"
    assert after == before | wanted
    assert leftovers(bank_file.parent) == []


def test_a_bank_changed_by_another_program_since_it_was_read_is_not_overwritten(bank_file: Path) -> None:
    read = bank_file.read_bytes()
    info = os.stat(bank_file)
    edited = BANK + "- a question typed in an editor meanwhile\n"
    bank_file.write_text(edited, encoding="utf-8")  # an editor that takes no lock saves in between
    with pytest.raises(files.BankChanged):
        files.commit(bank_file, read, read + b"- the stale writer's question\n", info)
    assert bank_file.read_text(encoding="utf-8") == edited
    # The add itself rereads and redoes the edit on the new text: both questions are kept.
    add_question(bank_file, "optimisation", "what is weight decay?", [1])
    assert {"a question typed in an editor meanwhile", "what is weight decay?"} <= questions(bank_file)


# -- encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF8, "utf-8"),
        (b"", "utf-8"),
    ],
)
def test_a_bank_is_written_back_in_its_own_encoding_bom_and_line_endings(
    tmp_path: Path, bom: bytes, codec: str
) -> None:
    text = BANK.replace("\n", "\r\n").replace("formulate SGD", "formulate Schrödinger SGD")
    bank = tmp_path / "bank.md"
    bank.write_bytes(bom + text.encode(codec))
    add_question(bank, "diffusion", QUESTION, [4])
    first = bank.read_bytes()
    add_question(bank, "new section", "what is a score function?", [5])
    second = bank.read_bytes()

    for data in (first, second, (tmp_path / "bank.md.bak").read_bytes()):
        assert data.startswith(bom)
        decoded = data[len(bom) :].decode(codec)  # strict: not one replacement character
        assert "\ufffd" not in decoded
        assert "\n" not in decoded.replace("\r\n", "")  # every line still ends in CRLF
        assert decoded.startswith(text.split("### diffusion")[0])  # the lines before are the same bytes
    assert (tmp_path / "bank.md.bak").read_bytes() == first  # the backup of the second add is the first add's file
    got = {q.text for q in load_bank(bank)}
    assert {QUESTION, "what is a score function?", "formulate Schrödinger SGD with momentum"} <= got
    # Nothing but the new lines changed.
    old_lines = text.splitlines(keepends=True)
    new_lines = second[len(bom) :].decode(codec).splitlines(keepends=True)
    assert [line for line in new_lines if line not in old_lines] == [
        f"- {QUESTION} (4)\r\n",
        "### new section\r\n",
        "- what is a score function? (5)\r\n",
    ]


def test_mixed_line_endings_and_a_missing_final_newline_are_kept(tmp_path: Path) -> None:
    text = "### a\n\n- first (1)\r\n- second (2)\r- third (3)"  # mostly LF
    bank = tmp_path / "bank.md"
    bank.write_bytes(text.encode())
    add_question(bank, "a", "fourth", [4])
    assert bank.read_bytes() == (text + "\n- fourth (4)\n").encode()


@pytest.mark.parametrize(
    "raw",
    [
        "### Physik\n\n- Schrödinger-Gleichung erklären (1)\n".encode("latin-1"),
        "### cp1252\n\n- “quoted” résumé (1)\n".encode("cp1252"),
        b"### stray\n\n- a byte \xff in UTF-8 (1)\n",
    ],
)
def test_a_bank_that_is_not_utf8_is_refused_and_a_good_backup_is_kept(tmp_path: Path, raw: bytes) -> None:
    bank = tmp_path / "bank.md"
    bank.write_bytes(raw)
    good_backup = "### the backup of last week\n\n- kept (1)\n".encode()
    (tmp_path / "bank.md.bak").write_bytes(good_backup)
    for _ in range(2):  # a second try must not replace the backup either
        with pytest.raises(InputError, match="not UTF-8 text .*save it as UTF-8"):
            add_question(bank, "Physik", "was ist ψ?", [2])
    assert bank.read_bytes() == raw
    assert (tmp_path / "bank.md.bak").read_bytes() == good_backup
    assert leftovers(tmp_path) == []


def test_utf16_without_a_bom_is_refused(tmp_path: Path) -> None:
    bank = tmp_path / "bank.md"
    raw = BANK.encode("utf-16-le")
    bank.write_bytes(raw)
    with pytest.raises(InputError, match="UTF-16 without a byte-order mark"):
        add_question(bank, "diffusion", "what is DDIM?", [4])
    assert bank.read_bytes() == raw


# -- links, modes, read-only ---------------------------------------------------------------------


def test_a_symlinked_bank_gets_the_question_in_the_real_file_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "notes" / "bank.md"
    real.parent.mkdir()
    real.write_text(BANK, encoding="utf-8")
    hop = tmp_path / "hop.md"
    hop.symlink_to(Path("notes") / "bank.md")  # relative, as ln -s writes it
    link = tmp_path / "link.md"
    link.symlink_to(hop)  # a chain of two links
    add_question(link, "diffusion", "what is DDIM?", [4])
    assert link.is_symlink() and hop.is_symlink()
    assert "what is DDIM?" in questions(real)
    assert (real.parent / "bank.md.bak").read_text(encoding="utf-8") == BANK
    assert not (tmp_path / "link.md.bak").exists()


def test_the_mode_of_the_bank_and_its_backup_is_kept(bank_file: Path) -> None:
    bank_file.chmod(0o600)
    add_question(bank_file, "diffusion", "what is DDIM?", [4])
    add_question(bank_file, "diffusion", "what is DDPM?", [5])
    assert stat.S_IMODE(bank_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((bank_file.parent / "bank.md.bak").stat().st_mode) == 0o600
    bank_file.chmod(0o640)
    add_question(bank_file, "diffusion", "what is a sampler?", [5])
    assert stat.S_IMODE(bank_file.stat().st_mode) == 0o640


def test_a_read_only_bank_is_refused_and_left_as_it_was(bank_file: Path) -> None:
    bank_file.chmod(0o444)
    before = bank_file.read_bytes()
    with pytest.raises(InputError, match="read-only; make it writable"):
        add_question(bank_file, "diffusion", "what is DDIM?", [4])
    assert bank_file.read_bytes() == before
    assert stat.S_IMODE(bank_file.stat().st_mode) == 0o444
    assert not (bank_file.parent / "bank.md.bak").exists()


def test_no_bank_says_so_and_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="no question bank to add to"):
        add_question(Path("none"), "diffusion", "what is DDIM?", [4])
    assert list(tmp_path.iterdir()) == []


# -- kill -9 ---------------------------------------------------------------------------------------


def test_a_kill_inside_an_add_leaves_the_old_bank_and_the_next_add_removes_its_temp_file(bank_file: Path) -> None:
    proc = adder(bank_file, "killed", 5, kill_at=2)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    assert out.splitlines()[-1] == "inside 2"
    assert leftovers(bank_file.parent) == [f".bank.md.{proc.pid}.tmp"]  # what a kill leaves
    assert questions(bank_file) >= {"killed question 0", "killed question 1"}
    assert "killed question 2" not in questions(bank_file)  # the old file, whole
    add_question(bank_file, "diffusion", "what is DDIM?", [4])
    assert leftovers(bank_file.parent) == []
    assert {"killed question 0", "killed question 1", "what is DDIM?"} <= questions(bank_file)


def test_kill_9_at_random_moments_loses_no_reported_question(bank_file: Path) -> None:
    rng = random.Random(23)
    reported: set[str] = set()
    for run in range(8):
        proc = adder(bank_file, f"run{run}", 200)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first add is done: the kill lands among the adds, not the imports
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        lines = [first, *out.splitlines()]
        reported |= {f"run{run} question {line.split()[1]}" for line in lines if line.startswith("added")}
        parse_bank(bank_file.read_text(encoding="utf-8"))  # always a whole bank
    assert reported, "no add finished before a kill: the test proved nothing"
    add_question(bank_file, "diffusion", "what is DDIM?", [4])
    assert reported <= questions(bank_file)
    assert leftovers(bank_file.parent) == []
