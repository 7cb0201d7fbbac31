"""Reading and rendering PDFs in a child process gives exactly what the in-process path gives, and a
child that cannot do the work is visible (a note and a count), never a silent in-process rerun."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.errors import InputError
from ingest import build, offload
from ingest.build import _read_and_render, read_deck
from ingest.offload import ChildFailed, call_in_child
from ingest.pdf import open_decks
from tests.support.child_work import count_to, die


@pytest.fixture()
def children(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each deck a worker process answered for, with what it answered; no fallback yet."""
    answered: list[str] = []

    def recorded(fn, args, on_tick, **options):
        try:
            result = call_in_child(fn, args, on_tick, **options)
        except Exception as exc:
            answered.append(f"{Path(args[0]).name}: {type(exc).__name__}")
            raise
        answered.append(f"{Path(args[0]).name}: ok")
        return result

    monkeypatch.setattr(offload, "call_in_child", recorded)
    monkeypatch.setattr(build, "worker_fallbacks", [])
    return answered


def _render_both(tmp_path: Path, pdfs: list[Path]):
    out = {}
    for offloaded in (False, True):
        thumbs = tmp_path / f"thumbs-{offloaded}"
        thumbs.mkdir()
        slides, infos, missing = _read_and_render(open_decks(pdfs), None, thumbs, None, False, offload=offloaded)
        out[offloaded] = (slides, infos, missing, {p.name: p.read_bytes() for p in sorted(thumbs.iterdir())})
    return out[False], out[True]


def test_child_reads_the_same_slides_and_writes_the_same_thumbnails(
    tmp_path: Path, tiny_decks: list[Path], children: list[str]
) -> None:
    here, there = _render_both(tmp_path, tiny_decks)
    assert children == ["week01.pdf: ok", "week02.pdf: ok"] and build.worker_fallbacks == []  # the child did the work
    assert there[0] == here[0] and there[1] == here[1] and there[2] == here[2]
    assert sorted(there[3]) == [f"{n:04d}.png" for n in range(1, 7)]
    assert there[3] == here[3]


def test_read_deck_in_a_child_directly(tmp_path: Path, tiny_decks: list[Path]) -> None:
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    ticks: list[int] = []
    there = call_in_child(read_deck, (tiny_decks[1], None, tmp_path / "there", 4), ticks.append)
    here = read_deck(tiny_decks[1], None, tmp_path / "here", 4, lambda n: None)
    assert there == here and sum(ticks) == 3
    assert sorted(p.name for p in (tmp_path / "there").iterdir()) == ["0004.png", "0005.png", "0006.png"]


def test_a_child_that_fails_falls_back_visibly(
    tmp_path: Path, tiny_decks: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(fn, args, on_tick, **options):
        raise ChildFailed("the worker process died (exit code 9)")

    monkeypatch.setattr(offload, "call_in_child", fail)
    monkeypatch.setattr(build, "worker_fallbacks", [])
    here, there = _render_both(tmp_path, tiny_decks)
    assert there == here  # the same index, only slower
    assert build.worker_fallbacks == ["week01.pdf", "week02.pdf"]
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert notes == [
        f"note: the worker process died (exit code 9); reading {name} in this process instead"
        for name in ("week01.pdf", "week02.pdf")
    ]


def test_child_reports_a_bad_pdf_with_the_same_error(tmp_path: Path, children: list[str]) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    messages = []
    for offloaded in (False, True):
        thumbs = tmp_path / f"thumbs-{offloaded}"
        thumbs.mkdir()
        with pytest.raises(InputError) as caught:
            _read_and_render(open_decks([junk]), None, thumbs, None, False, offload=offloaded)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "damaged" in messages[0]
    # raised in the child (as the InputError subclass for a file pypdf cannot read), re-raised here
    assert children == ["junk.pdf: Damaged"] and build.worker_fallbacks == []


def test_ticks_arrive_and_the_result_comes_back() -> None:
    ticks: list[int] = []
    assert call_in_child(count_to, (5,), ticks.append) == 50
    assert ticks == [1] * 5


def test_a_child_that_dies_is_reported_not_awaited() -> None:
    with pytest.raises(ChildFailed, match="exit code 3"):
        call_in_child(die, (), lambda n: None)


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """The child must not re-run the caller's script (what multiprocessing's spawn would do)."""
    import subprocess
    import sys

    from tests.support.paths import ROOT

    script = tmp_path / "unguarded.py"
    script.write_text(
        "from ingest.offload import call_in_child\n"
        "from tests.support.child_work import count_to\n"
        "print('result', call_in_child(count_to, (2,), lambda n: None))\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["result 20"]
