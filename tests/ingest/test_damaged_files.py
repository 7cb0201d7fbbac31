"""Real-life folders and damaged files: AppleDouble companions, PDFs only pdfium can read, and
passwords that stay out of ps and shell history."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from index.store import load_index
from ingest import __main__ as ingest_main
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.decks import DECK_A, encrypted, make_pdf


def ingest_cli(index: Path, *args: object, env: dict[str, str] | None = None):
    return run_module("ingest", *args, "--index", index, "--model", "hash:64", "-q", env=env)


def no_trailer(path: Path) -> Path:
    data = make_pdf(path, DECK_A).read_bytes()
    path.write_bytes(data[: data.rindex(b"xref")])  # the xref table, trailer and %%EOF are lost
    return path


def pagetree_loop(path: Path) -> Path:
    data = make_pdf(path, DECK_A).read_bytes()
    old = b"/Kids [3 0 R\n5 0 R\n7 0 R]\n/MediaBox [0 0 595.28 419.53]"
    new = b"/Kids [3 0 R 5 0 R 7 0 R 1 0 R]/MediaBox [0 0 595 419]"  # the page tree holds itself
    assert old in data
    path.write_bytes(data.replace(old, new.ljust(len(old))))  # same length: the xref offsets stay right
    return path


@pytest.mark.parametrize("make", [no_trailer, pagetree_loop], ids=["no-trailer", "pagetree-loop"])
def test_pdf_that_only_pdfium_reads_is_ingested_from_its_text_layer(tmp_path: Path, make) -> None:
    pdf = make(tmp_path / f"{make.__name__}.pdf")
    proc = ingest_cli(tmp_path / "index", pdf)
    assert_clean_success(proc)
    assert f"note: {pdf.name}: pypdf cannot read it" in proc.stdout and "text comes from pdfium" in proc.stdout
    loaded = load_index(tmp_path / "index")
    assert [s.title for s in loaded.slides] == [title for title, _ in DECK_A]
    assert "noisy gradient" in loaded.slides[0].text and all(loaded.thumbnail(n) for n in (1, 2, 3))


def test_appledouble_and_hidden_files_in_a_folder_are_skipped_with_a_note(tmp_path: Path) -> None:
    folder = tmp_path / "lectures"
    folder.mkdir()
    make_pdf(folder / "week01.pdf", DECK_A)
    (folder / "._week01.pdf").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")  # AppleDouble header
    (folder / ".hidden.pdf").write_bytes(b"not a pdf")
    proc = ingest_cli(tmp_path / "index", folder)
    assert_clean_success(proc)
    assert "skipped 2 hidden file(s) (._week01.pdf, .hidden.pdf)" in proc.stdout
    assert len(load_index(tmp_path / "index").slides) == 3


def test_folder_of_only_hidden_files_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "lectures"
    folder.mkdir()
    (folder / "._week01.pdf").write_bytes(b"\x00\x05\x16\x07")
    assert_one_line_error(ingest_cli(tmp_path / "index", folder), "holds no .pdf files (only 1 hidden ones)")


def test_password_from_the_environment(tmp_path: Path) -> None:
    pdf = encrypted(tmp_path, "secret")
    assert_clean_success(ingest_cli(tmp_path / "index", pdf, env={"SLIDEBANK_PDF_PASSWORD": "secret"}))
    assert_one_line_error(
        ingest_cli(tmp_path / "other", pdf, env={"SLIDEBANK_PDF_PASSWORD": "wrong"}), "wrong password"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_password_prompt_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = encrypted(tmp_path, "secret")
    asked: list[str] = []
    monkeypatch.delenv("SLIDEBANK_PDF_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "secret")
    assert ingest_main.main([str(pdf), "--index", str(tmp_path / "index"), "--model", "hash:64", "-q"]) == 0
    assert asked == ["PDF password: "] and "encrypted" in capsys.readouterr().err
    assert [s.title for s in load_index(tmp_path / "index").slides] == [title for title, _ in DECK_A]


def test_no_prompt_without_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLIDEBANK_PDF_PASSWORD", raising=False)
    proc = run_module(
        "ingest", encrypted(tmp_path, "secret"), "--index", tmp_path / "index", "--model", "hash:64", "-q", stdin=""
    )
    assert_one_line_error(proc, "SLIDEBANK_PDF_PASSWORD")


def test_the_deck_is_hashed_in_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.pdf import open_decks

    pdf = make_pdf(tmp_path / "week01.pdf", DECK_A)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the whole file was read into memory"))
    assert len(open_decks([pdf])[0].sha256) == 64
