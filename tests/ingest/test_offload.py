"""Reading and rendering PDFs in a child process gives exactly what the in-process path gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.errors import InputError
from ingest.build import _read_and_render
from ingest.offload import ChildFailed, call_in_child
from ingest.pdf import open_decks


def _render_both(tmp_path: Path, pdfs: list[Path]):
    out = {}
    for offload in (False, True):
        thumbs = tmp_path / f"thumbs-{offload}"
        thumbs.mkdir()
        slides, infos, missing = _read_and_render(open_decks(pdfs), None, thumbs, None, False, offload=offload)
        out[offload] = (slides, infos, missing, {p.name: p.read_bytes() for p in sorted(thumbs.iterdir())})
    return out[False], out[True]


def test_child_reads_the_same_slides_and_writes_the_same_thumbnails(tmp_path: Path, tiny_decks: list[Path]) -> None:
    here, there = _render_both(tmp_path, tiny_decks)
    assert there[0] == here[0] and there[1] == here[1] and there[2] == here[2]
    assert sorted(there[3]) == [f"{n:04d}.png" for n in range(1, 7)]
    assert there[3] == here[3]


def test_child_reports_a_bad_pdf_with_the_same_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    messages = []
    for offload in (False, True):
        thumbs = tmp_path / f"thumbs-{offload}"
        thumbs.mkdir()
        with pytest.raises(InputError) as caught:
            _read_and_render(open_decks([junk]), None, thumbs, None, False, offload=offload)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "damaged" in messages[0]


def count_to(n: int, tick) -> int:
    for _ in range(n):
        tick(1)
    return n * 10


def die(tick) -> None:
    os._exit(3)


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
        "from tests.ingest.test_offload import count_to\n"
        "print('result', call_in_child(count_to, (2,), lambda n: None))\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["result 20"]
