"""``python -m assistant.bench``: how fast ingest and queries are on this machine, as one table.

Every figure is measured in fresh processes (except the warm query, which is in-process by
definition), several times, and printed as median, min and max with the peak memory of the
process. The comparison rows (a bare ``import sentence_transformers`` and a cold query through
sentence-transformers, the path every query took before the ONNX export) are measured in the
same run, interleaved with the fast path, so a busy machine slows both alike. The CPU column
(user + system seconds of the process) is the figure that stays put when other work shares the
machine; wall time is what a user waits.

Nothing is written outside a temporary folder: the index and caches it builds are removed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from assistant.cli import command, fail

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUERY = "why is CFG's omega a tradeoff?"


@dataclass
class Row:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    note: str = ""

    def add(self, measured: tuple[float, float, float]) -> None:
        self.seconds.append(measured[0])
        self.peak_mb.append(measured[1])
        self.cpu.append(measured[2])

    def cells(self) -> str:
        if not self.seconds:
            return f"| {self.name} | – | – | – | 0 | – | – | {self.note} |"
        med, lo, hi = statistics.median(self.seconds), min(self.seconds), max(self.seconds)
        unit = 1000.0 if med < 0.1 else 1.0
        fmt = (lambda x: f"{x * 1000:.1f} ms") if unit == 1000.0 else (lambda x: f"{x:.2f} s")
        peak = f"{max(self.peak_mb):.0f}" if self.peak_mb else "–"
        cpu = f"{statistics.median(self.cpu):.2f} s" if self.cpu else "–"
        return (
            f"| {self.name} | {fmt(med)} | {fmt(lo)} | {fmt(hi)} | {len(self.seconds)} | {cpu} | {peak} | {self.note} |"
        )


def timed(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``cmd`` to completion; (wall seconds, peak RSS in MB, user + system CPU seconds) of that process."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
        raise SystemExit(f"error: {' '.join(cmd[:4])} ... failed: {err[-1] if err else status}")
    proc.stderr.close()  # type: ignore[union-attr]
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime  # ru_maxrss is in KiB on Linux


def _notes_pdf(path: Path, version: int) -> bool:
    """A one-page PDF whose text differs per ``version``: the 'one deck changed' case. False without fpdf2."""
    try:
        from fpdf import FPDF
    except ImportError:
        return False
    pdf = FPDF(orientation="landscape")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 20)
    pdf.text(15, 20, f"Errata, revision {version}")
    pdf.set_font("helvetica", size=12)
    pdf.text(
        15,
        35,
        f"Revision {version}: the learning rate schedule on the momentum slide decays every {version + 1} epochs.",
    )
    pdf.output(str(path))
    return True


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run(deck: Path, runs: int, baseline_runs: int, ingest_runs: int, work: Path) -> str:
    py = sys.executable
    env = {**os.environ, "SLIDEBANK_CACHE": str(work / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SLIDEBANK_QUERY_ENCODER", None)
    load_before = _load()
    rows: list[Row] = []

    full = Row("ingest from nothing (text, thumbnails, vectors, both indexes, ONNX export)")
    index = work / "index"
    for i in range(max(ingest_runs, 1)):
        target = work / f"index-{i}"
        full.add(timed([py, "-m", "ingest", str(deck), "--index", str(target), "-q"], env))
        if i < max(ingest_runs, 1) - 1:
            shutil.rmtree(target)
        else:
            target.rename(index)
    rows.append(full)
    env["SLIDEBANK_INDEX"] = str(index)

    unchanged = Row("re-ingest, PDF unchanged")
    for _ in range(runs):
        unchanged.add(timed([py, "-m", "ingest", str(deck), "--index", str(index), "-q"], env))
    rows.append(unchanged)

    changed = Row("re-ingest, one of two PDFs changed (1 page re-embedded)")
    notes = work / "notes.pdf"
    if _notes_pdf(notes, 0):
        timed([py, "-m", "ingest", str(deck), str(notes), "--index", str(index), "-q"], env)  # add it once, untimed
        for i in range(runs):
            _notes_pdf(notes, i + 1)
            changed.add(timed([py, "-m", "ingest", str(deck), str(notes), "--index", str(index), "-q"], env))
        timed([py, "-m", "ingest", str(deck), "--index", str(index), "-q"], env)  # back to the deck alone
    else:
        changed.note = "needs fpdf2 (pip install fpdf2)"
    rows.append(changed)

    query = [py, "-m", "assistant.query", QUERY]
    baseline_env = {**env, "SLIDEBANK_QUERY_ENCODER": "sentence-transformers"}
    timed(query, env)  # fills the bank-vector cache and the OS file cache for both paths
    timed(query, baseline_env)
    cold = Row("cold query `python -m assistant.query` (ONNX encoder)")
    bare = Row("comparison: `python -c 'import sentence_transformers'`")
    naive = Row("comparison: cold query through sentence-transformers")
    for i in range(max(runs, baseline_runs)):
        if i < runs:
            cold.add(timed(query, env))
        if i < baseline_runs:
            bare.add(timed([py, "-c", "import sentence_transformers"], env))
            naive.add(timed(query, baseline_env))
    ratio = statistics.median(cold.seconds) / statistics.median(bare.seconds)
    cpu_ratio = statistics.median(cold.cpu) / statistics.median(bare.cpu)
    cold.note = f"{ratio:.2f}× the bare import's wall time ({cpu_ratio:.2f}× its CPU)"
    rows += [cold, bare, naive]

    warm, p95 = _warm_queries(index)
    warm.note = f"p95 {p95 * 1000:.1f} ms"
    rows.append(warm)

    head = [
        f"slidebank benchmark, {time.strftime('%Y-%m-%d %H:%M')}; {platform.node() or 'this machine'}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; deck {deck.name}",
        f"load average (1/5/15 min) before: {load_before}; after: {_load()}",
        "",
        "| figure | median | min | max | runs | CPU (median) | peak RSS MB | note |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    return "\n".join(head + [r.cells() for r in rows])


def _warm_queries(index: Path) -> tuple[Row, float]:
    """Every bank question as a query against an already open retriever (the app's case)."""
    from assistant.evaluation.retrieval import bank_queries
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(index)
    texts = [q.text for q in bank_queries(retriever, with_section=False)]
    for text in texts[:5]:
        retriever.search(text)  # first calls allocate; not what a user waits for
    retriever.memo.clear()  # every timed query encodes its text: no memo hits
    row = Row(f"warm query, in-process ({type(retriever.encoder).__name__}, {len(texts)} bank questions)")
    for text in texts:
        started = time.perf_counter()
        retriever.search(text)
        row.seconds.append(time.perf_counter() - started)
    ordered = sorted(row.seconds)
    return row, ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def build_parser(prog: str = "python -m assistant.bench") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Time ingest and queries on this machine and print one table (median, min, max per figure).",
        epilog="Everything runs on a temporary copy of the index; the table is what the README's speed section shows.",
    )
    parser.add_argument("deck", type=Path, help="the PDF to measure (it is ingested into a temporary index)")
    parser.add_argument(
        "--runs", type=int, default=5, help="runs per query and re-ingest figure (default: %(default)s)"
    )
    parser.add_argument(
        "--baseline-runs", type=int, default=3, help="runs of the slow comparison rows (default: %(default)s)"
    )
    parser.add_argument("--ingest-runs", type=int, default=3, help="full ingests from nothing (default: %(default)s)")
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.bench") -> int:
    args = build_parser(prog).parse_args(argv)
    if not args.deck.is_file():
        fail(f"no PDF at {args.deck}; name the PDF to measure")
    if min(args.runs, args.baseline_runs, args.ingest_runs) < 1:
        fail("every run count must be at least 1")
    work = Path(tempfile.mkdtemp(prefix="slidebank-bench-"))
    try:
        print(run(args.deck, args.runs, args.baseline_runs, args.ingest_runs, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0
