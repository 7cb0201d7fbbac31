"""A decompression bomb costs one page its thumbnail, not gigabytes: page workers run under a cap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.store import load_index
from ingest.offload import ChildDied, call_in_child
from tests.support.bomb_pdf import write_bomb_pdf
from tests.support.paths import ROOT

# Runs `python -m ingest` in this process and reports the peak resident memory of the whole ingest:
# its own (VmHWM) plus the largest of its page workers (RUSAGE_CHILDREN; they run one at a time).
MEASURE = """
import json, resource, sys
from ingest.__main__ import main
code = main(sys.argv[1:])
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
own = int(status["VmHWM"].split()[0]) * 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": code, "own": own, "workers": workers}), file=sys.stderr)
"""


def test_bomb_page_loses_its_thumbnail_and_the_ingest_stays_under_1_gb(tmp_path: Path) -> None:
    pdf = write_bomb_pdf(
        tmp_path / "bomb.pdf", 2048, ["Gradient descent basics"], ["Attention layers", "Kmeans centroids"]
    )
    assert pdf.stat().st_size < 4 << 20  # a few MB on disk, 2 GiB once inflated
    index = tmp_path / "index"
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(pdf), "--index", str(index), "--model", "hash:64", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    peak = json.loads(proc.stderr.strip().splitlines()[-1])
    assert peak["code"] == 0, proc.stderr
    assert peak["own"] > 0 and peak["workers"] > 0  # a failed read must not pass as "no memory used"
    print(f"\npeak RSS: ingest {peak['own'] >> 20} MB + largest worker {peak['workers'] >> 20} MB")
    assert peak["own"] + peak["workers"] < 1 << 30
    loaded = load_index(index)
    assert [s.title for s in loaded.slides] == ["Gradient descent basics", "", "Attention layers", "Kmeans centroids"]
    assert [n for n in range(1, 5) if loaded.thumbnail(n) is None] == [2]
    assert "page 2 (thumbnail) needed more than the worker memory cap" in proc.stdout
    assert "no thumbnail for slide(s) 2" in proc.stdout


def eat(megabytes: int, tick) -> int:
    blob = bytearray(megabytes << 20)
    return len(blob)


def test_the_cap_applies_in_the_worker_only() -> None:
    with pytest.raises(MemoryError):
        call_in_child(eat, (512,), lambda _: None, memory_limit=256 << 20)
    assert call_in_child(eat, (64,), lambda _: None, memory_limit=256 << 20) == 64 << 20
    bytearray(512 << 20)  # the parent is not capped


def abort(tick) -> None:
    import os

    tick(("text", "x"))
    os.abort()  # what pdfium does when an allocation fails


def test_a_worker_that_aborts_is_reported_as_died_after_its_ticks() -> None:
    seen: list[object] = []
    with pytest.raises(ChildDied) as died:
        call_in_child(abort, (), seen.append)
    assert seen == [("text", "x")] and died.value.returncode is not None and died.value.returncode < 0
