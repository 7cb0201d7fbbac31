"""Nothing from a deck, the bank or the user reaches a terminal as an escape sequence, and the
query's mistakes (an index that is not there, a range, an encoding) are errors, not silent results."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from index.terminal import safe
from ingest.build import ingest
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.decks import BANK, DECK_A, make_pdf

OSC52 = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"  # writes the clipboard
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
C1_CSI = "\x9b31m"  # the one-byte CSI of 8-bit terminals


def _has_control(text: str) -> bool:
    return any(ch in text for ch in "\x1b\x07\x9b\r") or "\u202e" in text


def test_safe_replaces_controls_and_keeps_the_rest() -> None:
    assert safe(f"a{OSC52}b") == "a\ufffd]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\ufffdb"
    assert safe("line\nbreak\ttab\r") == "line\ufffdbreak\ufffdtab\ufffd"
    assert safe("line\nbreak", lines=True) == "line\nbreak"
    assert safe("Ω σ 学 🤖 \u00e9") == "Ω σ 学 🤖 \u00e9"
    assert safe("\udcff\u202egnp.exe") == "\ufffd\ufffdgnp.exe"
    assert safe(f"x{C1_CSI}") == "x\ufffd31m"


@pytest.fixture()
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A deck named with a title escape and a newline, and a bank whose question holds OSC 52 and a clear-screen."""
    folder = tmp_path / "decks"
    folder.mkdir()
    deck = make_pdf(folder / f"{TITLE}week\n01.pdf", DECK_A)
    index = tmp_path / "index"
    ingest([deck], index, model="hash:64", progress=False)
    bank = tmp_path / "bank.md"
    bank.write_text(
        BANK.replace("formulate SGD with momentum", f"formulate SGD with momentum {OSC52}{CLEAR}{C1_CSI}"),
        encoding="utf-8",
    )
    return index, bank


def test_query_output_and_notes_carry_no_control_characters(hostile: tuple[Path, Path]) -> None:
    index, bank = hostile
    proc = run_module("assistant.query", "--index", index, "--bank", bank, f"momentum {TITLE}")
    assert_clean_success(proc)
    assert "formulate SGD with momentum" in proc.stdout and "week\ufffd01" in proc.stdout
    assert not _has_control(proc.stdout) and not _has_control(proc.stderr)
    assert all(line.startswith(("Slides", "  ", "Matching", "")) for line in proc.stdout.splitlines())


def test_json_stays_exact(hostile: tuple[Path, Path]) -> None:
    index, bank = hostile
    proc = run_module("assistant.query", "--index", index, "--bank", bank, "--json", "momentum")
    assert_clean_success(proc)
    out = json.loads(proc.stdout)
    assert out["slides"][0]["deck"] == f"{TITLE}week\n01"
    assert any(OSC52 in b["text"] and CLEAR in b["text"] for b in out["bank"])
    assert "\x1b" not in proc.stdout  # JSON escapes C0 controls itself


def test_ingest_prints_deck_names_safely(tmp_path: Path) -> None:
    folder = tmp_path / TITLE
    folder.mkdir()
    make_pdf(folder / "week01.pdf", DECK_A)
    (folder / f"._{CLEAR}.pdf").write_bytes(b"\x00\x05\x16\x07")  # its name is printed in the skip note
    proc = run_module("ingest", folder, "--index", folder / "index", "--model", "hash:64", "-q")
    assert_clean_success(proc)
    assert proc.stdout.count("\ufffd]0;pwned\ufffd") == 2 and "skipped 1 hidden" in proc.stdout  # summary and note
    assert not _has_control(proc.stdout)
    missing = run_module("ingest", tmp_path / f"gone{CLEAR}.pdf", "--index", tmp_path / "index", "--model", "hash:64")
    assert_one_line_error(missing, "no such file or folder")
    assert not _has_control(missing.stderr)


def test_error_text_with_escapes_is_one_clean_line(hash_index: Path, tmp_path: Path) -> None:
    proc = run_module("assistant.query", "--index", hash_index, "--bank", tmp_path / f"bank{TITLE}\n.md", "kmeans")
    assert_one_line_error(proc, "cannot read the question bank")
    assert not _has_control(proc.stderr)


# -- mistakes that used to pass silently -----------------------------------------------------------


@pytest.mark.parametrize("where", ["missing", "file", "empty-folder"])
def test_named_index_that_is_not_an_index_is_an_error(tmp_path: Path, bank_file: Path, where: str) -> None:
    path = tmp_path / "ix"
    if where == "file":
        path.write_text("x")
    elif where == "empty-folder":
        path.mkdir()
    assert_one_line_error(
        run_module("assistant.query", "--index", path, "--bank", bank_file, "--model", "hash:64", "kmeans"),
        "no index at",
    )
    proc = run_module(
        "assistant.query",
        "--bank",
        bank_file,
        "--model",
        "hash:64",
        "--json",
        "kmeans",
        env={"SLIDEBANK_INDEX": str(path)},
    )
    assert_one_line_error(proc, "no index at")
    assert proc.stdout == ""


@pytest.mark.parametrize("value", ["-1", "101"])
def test_bank_matches_is_range_checked(hash_index: Path, bank_file: Path, value: str) -> None:
    proc = run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "--bank-matches", value, "kmeans")
    assert_one_line_error(proc, "--bank-matches must be between 0 and 100")


def test_bank_matches_zero_shows_no_bank(hash_index: Path, bank_file: Path) -> None:
    proc = run_module(
        "assistant.query", "--index", hash_index, "--bank", bank_file, "--bank-matches", "0", "--json", "kmeans"
    )
    assert_clean_success(proc)
    assert json.loads(proc.stdout)["bank"] == []


@pytest.mark.parametrize(
    "codec, bom",
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ],
)
def test_bank_with_a_bom_is_decoded(hash_index: Path, tmp_path: Path, codec: str, bom: bytes) -> None:
    bank = tmp_path / "bank.md"
    bank.write_bytes(bom + BANK.replace("\n", "\r\n").encode(codec))  # Notepad: CRLF too
    proc = run_module("assistant.query", "--index", hash_index, "--bank", bank, "--json", "explain kmeans")
    assert_clean_success(proc)
    assert json.loads(proc.stdout)["bank"][0]["text"] == "explain kmeans"


@pytest.mark.parametrize("codec, name", [("utf-16-le", "UTF-16"), ("utf-32-le", "UTF-32")])
def test_wide_bank_without_a_bom_is_refused_naming_the_encoding(
    hash_index: Path, tmp_path: Path, codec: str, name: str
) -> None:
    bank = tmp_path / "bank.md"
    bank.write_bytes(BANK.encode(codec))
    assert_one_line_error(
        run_module("assistant.query", "--index", hash_index, "--bank", bank, "kmeans"),
        f"looks like {name} without a byte-order mark",
    )


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
def test_utf16_batch_is_decoded(hash_index: Path, bank_file: Path, tmp_path: Path, from_stdin: bool) -> None:
    import subprocess
    import sys

    from tests.support.paths import ROOT

    data = "kmeans centroids\r\nattention softmax\r\n".encode("utf-16")
    batch = tmp_path / "batch.txt"
    batch.write_bytes(data)
    args = [
        sys.executable,
        "-m",
        "assistant.query",
        "--index",
        str(hash_index),
        "--bank",
        str(bank_file),
        "--batch",
        "-" if from_stdin else str(batch),
    ]
    proc = subprocess.run(args, cwd=ROOT, input=data if from_stdin else b"", capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [a["query"] for a in answers] == ["kmeans centroids", "attention softmax"]
    assert [a["slides"][0]["number"] for a in answers] == [6, 3]


def test_utf16_batch_without_bom_is_refused(hash_index: Path, bank_file: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch.txt"
    batch.write_bytes("kmeans centroids\nattention softmax\n".encode("utf-16-le"))
    proc = run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "--batch", batch)
    assert_one_line_error(proc, "looks like UTF-16 without a byte-order mark")


def test_audit_text_carries_no_control_characters(hostile: tuple[Path, Path]) -> None:
    index, bank = hostile
    # "explain kmeans" cites slide 6 of a 3-slide deck, so the audit lists it with its text.
    bank.write_text(BANK.replace("explain kmeans", f"explain kmeans {OSC52}"), encoding="utf-8")
    proc = run_module("assistant.audit", "--index", index, "--bank", bank, "-q", timeout=300)
    assert_clean_success(proc)
    assert "explain kmeans \ufffd]52;c;" in proc.stdout
    assert not _has_control(proc.stdout) and not _has_control(proc.stderr)
