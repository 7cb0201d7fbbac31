"""Bad and unusual input files, through the real ``python -m ingest`` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.store import load_index
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.decks import DECK_A, DECK_B, encrypted, make_pdf
from tests.support.long_pdf import write_long_pdf
from tests.support.paths import ROOT


def ingest_cli(index: Path, *args: object, timeout: float = 300):
    return run_module("ingest", *args, "--index", index, "--model", "hash:64", "-q", timeout=timeout)


def zero_pages(tmp_path: Path) -> Path:
    import pypdf

    path = tmp_path / "empty.pdf"
    pypdf.PdfWriter().write(path)
    return path


def truncated(tmp_path: Path) -> Path:
    data = make_pdf(tmp_path / "whole.pdf", DECK_A).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def text_renamed(tmp_path: Path) -> Path:
    path = tmp_path / "notes.pdf"
    path.write_text("These are my notes, saved as .txt and renamed to .pdf\n")
    return path


def garbage_after_header(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path


def no_pdfs_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "empty folder"
    folder.mkdir()
    (folder / "readme.txt").write_text("no slides here")
    return folder


@pytest.mark.parametrize(
    "make, extra, message",
    [
        (text_renamed, [], "not a PDF"),
        (truncated, [], "damaged or truncated PDF"),
        (garbage_after_header, [], "damaged or truncated PDF"),
        (lambda d: encrypted(d, "secret"), [], "encrypted; give its password with --password"),
        (lambda d: encrypted(d, "secret"), ["--password", "wrong"], "wrong password"),
        (zero_pages, [], "has no pages"),
        (no_pdfs_folder, [], "holds no .pdf files"),
        (lambda d: d / "missing.pdf", [], "no such file or folder"),
    ],
    ids=[
        "txt-renamed",
        "truncated",
        "garbage",
        "encrypted-no-password",
        "encrypted-wrong-password",
        "zero-pages",
        "folder-without-pdfs",
        "missing",
    ],
)
def test_bad_file_is_a_one_line_error_and_leaves_no_index(tmp_path: Path, make, extra: list[str], message: str) -> None:
    target = make(tmp_path)
    proc = ingest_cli(tmp_path / "index", target, *extra)
    assert_one_line_error(proc, message)
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_bad_file_keeps_the_previous_index(hash_index: Path, tmp_path: Path) -> None:
    before = load_index(hash_index)
    assert_one_line_error(ingest_cli(hash_index, truncated(tmp_path)), "damaged or truncated")
    after = load_index(hash_index)
    assert after.path == before.path and after.slides == before.slides
    assert not [p for p in hash_index.iterdir() if p.name.startswith(".staging")]


def test_same_file_twice_is_refused(tmp_path: Path, tiny_decks: list[Path]) -> None:
    assert_one_line_error(ingest_cli(tmp_path / "index", tiny_decks[0], tiny_decks[0]), "give each deck once")
    copy = shutil.copyfile(tiny_decks[0], tmp_path / "copy of week01.pdf")
    assert_one_line_error(ingest_cli(tmp_path / "index", tiny_decks[0], copy), "same content as")


def test_index_path_that_is_a_file_is_a_one_line_error(tmp_path: Path, tiny_decks: list[Path]) -> None:
    blocker = tmp_path / "index"
    blocker.write_text("a file where the index folder should be")
    assert_one_line_error(ingest_cli(blocker, *tiny_decks), "cannot write the index")


def test_encrypted_pdf_opens_with_its_password(tmp_path: Path) -> None:
    proc = ingest_cli(tmp_path / "index", encrypted(tmp_path, "secret"), "--password", "secret")
    assert_clean_success(proc)
    index = load_index(tmp_path / "index")
    assert index.slide(2).title == "SGD with Momentum" and index.thumbnail(3) is not None


def test_pdf_encrypted_only_against_copying_needs_no_password(tmp_path: Path) -> None:
    proc = ingest_cli(tmp_path / "index", encrypted(tmp_path, ""))
    assert_clean_success(proc)
    assert load_index(tmp_path / "index").slide(1).title == "Stochastic Gradient Descent"


def test_unicode_and_spaces_in_names(tmp_path: Path) -> None:
    folder = tmp_path / "Vorlesungen WS 24 – Übersicht ✓"
    folder.mkdir()
    make_pdf(folder / "Woche 01 – Einführung.pdf", DECK_A)
    make_pdf(folder / "Woche 02 – 拡散モデル.pdf", DECK_B)
    proc = ingest_cli(tmp_path / "index ü", folder)
    assert_clean_success(proc)
    index = load_index(tmp_path / "index ü")
    assert [d.file for d in index.manifest.decks] == ["Woche 01 – Einführung.pdf", "Woche 02 – 拡散モデル.pdf"]
    assert index.slide(4).deck == "Woche 02 – 拡散モデル" and index.slide(4).where == "Woche 02 – 拡散モデル p.1"
    assert all(index.thumbnail(n) is not None for n in range(1, 7))


def test_image_only_page_is_kept_numbered_thumbnailed_and_flagged(
    tmp_path: Path, tiny_decks: list[Path], bank_file: Path
) -> None:
    proc = ingest_cli(tmp_path / "index", *tiny_decks)
    assert_clean_success(proc)
    assert "1 image-only" in proc.stdout and "no extractable text on slide(s) 5;" in proc.stdout
    index = load_index(tmp_path / "index")
    assert (
        index.slide(5).image_only
        and index.thumbnail(5) is not None
        and (index.slide(5).deck, index.slide(5).page) == ("week02", 2)
    )
    # The query output marks it too: text and JSON alike.
    common = ("--index", tmp_path / "index", "--bank", bank_file, "-k", "6")
    out = run_module("assistant.query", *common, "--json", "kmeans centroids")
    assert_clean_success(out)
    slides = {s["number"]: s for s in json.loads(out.stdout)["slides"]}
    assert slides[5]["snippet"] == "(image-only slide: no text)"
    text = run_module("assistant.query", *common, "kmeans centroids")
    assert "(image-only slide: no text)" in text.stdout and "(untitled)" in text.stdout


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@pytest.mark.slow
def test_five_thousand_pages(tmp_path: Path) -> None:
    """Works, and memory stays bounded: the pages stream through, only text is held."""
    pdf = write_long_pdf(tmp_path / "huge.pdf", 5000)
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    cmd = [sys.executable, "-m", "ingest", str(pdf), "--index", str(tmp_path / "index"), "--model", "hash:64", "-q"]
    with open(out, "w") as stdout, open(err, "w") as stderr:
        child = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=stderr)
        # The kernel's VmHWM of the child's own address space (reset by exec), read until it exits.
        # ru_maxrss from wait4 also counts this test process's memory at fork time (2 GB in a full run).
        peak_kb = 0
        while child.poll() is None:
            peak_kb = max(peak_kb, _vm_hwm_kb(child.pid))
            time.sleep(0.05)
    proc = subprocess.CompletedProcess(cmd, child.returncode, out.read_text(), err.read_text())
    peak_mb = peak_kb / 1024
    print(f"\n5,000-page ingest: {proc.stdout.strip()}; peak RSS {peak_mb:.0f} MB")
    assert_clean_success(proc)
    index = load_index(tmp_path / "index")
    assert len(index.slides) == 5000 and index.slide(4321).title == "Topic 4321" and index.thumbnail(5000) is not None
    # A generous bound, far above the measured peak, far below holding 5,000 page images (~4 GB).
    assert peak_kb > 0, "no VmHWM was read from /proc: the memory bound would pass unchecked"
    assert peak_mb < 1500
    (tmp_path / "empty.md").write_text("")
    out = run_module(
        "assistant.query",
        "--index",
        tmp_path / "index",
        "--bank",
        tmp_path / "empty.md",
        "--json",
        "Idea number 4321 links concept",
    )
    assert_clean_success(out)
    assert json.loads(out.stdout)["slides"][0]["number"] == 4321
