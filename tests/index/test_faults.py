"""Damaged indexes, read-only indexes, kills mid-ingest and re-ingest while others read."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.errors import IndexInvalid, IndexMissing
from index.store import load_index
from ingest.build import ingest
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.decks import make_pdf
from tests.support.index_files import edit_manifest, gen
from tests.support.long_pdf import write_long_pdf
from tests.support.paths import ROOT
from tests.support.required import require

# -- damage, detected ------------------------------------------------------------------------------


def test_every_lexical_file_is_checksummed(hash_index: Path) -> None:
    files = json.loads((gen(hash_index) / "manifest.json").read_text())["files"]
    lexical = sorted(p.name for p in (gen(hash_index) / "lexical").iterdir())
    assert sorted(n.split("/", 1)[1] for n in files if n.startswith("lexical/")) == lexical and lexical


@pytest.mark.parametrize(
    "pick", ["lexical/vocab.index.json", "lexical/data.csc.index.npy", "lexical/params.index.json"]
)
def test_altered_lexical_file_is_detected(hash_index: Path, pick: str) -> None:
    path = gen(hash_index) / pick
    data = bytearray(path.read_bytes())
    data[-2] ^= 0x01  # one bit: still parses, but is not what was written
    path.write_bytes(bytes(data))
    with pytest.raises(IndexInvalid, match="damaged"):
        load_index(hash_index)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m["decks"][0].update(pages=5), "does not start where the previous one ends"),
        (lambda m: m["decks"].pop(), "do not add up"),
        (lambda m: m.update(slides=7), "counts differ"),
        (lambda m: m.update(dim=32), "dimension"),
        (lambda m: m["files"].pop("lexical/vocab.index.json"), r"lexical/vocab.index.json has no checksum"),
        (lambda m: [m["files"].pop(k) for k in list(m["files"]) if k.startswith("lexical/")], "has no checksum"),
        (lambda m: m["files"].pop("dense.faiss"), "dense.faiss has no checksum"),
        (lambda m: m["files"].update({"../../escape": "0" * 64}), "damaged"),
        (lambda m: m.pop("decks"), "unreadable manifest"),
    ],
    ids=[
        "deck-pages",
        "deck-removed",
        "slide-count",
        "dim",
        "lexical-file-unlisted",
        "lexical-unlisted",
        "dense-unlisted",
        "path-escape",
        "no-decks",
    ],
)
def test_hand_edited_manifest_is_detected(hash_index: Path, change, message: str) -> None:
    edit_manifest(hash_index, change)
    with pytest.raises(IndexInvalid, match=message):
        load_index(hash_index)


def test_current_pointing_outside_the_index_never_leaves_it(hash_index: Path, tmp_path: Path) -> None:
    live = gen(hash_index)
    (hash_index / "CURRENT").write_text("../elsewhere\n")
    loaded = load_index(hash_index)  # recovery looks only at generations inside the index
    assert loaded.path == live and "missing or damaged" in loaded.notes[0]
    shutil.rmtree(live)
    with pytest.raises(IndexMissing):
        load_index(hash_index)


# -- the same problems, as a user meets them on the command line ------------------------------------


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda ix: (gen(ix) / "chunks.jsonl").write_bytes((gen(ix) / "chunks.jsonl").read_bytes()[:-40]),
            "chunks.jsonl is missing or altered",
        ),
        (lambda ix: (gen(ix) / "dense.faiss").unlink(), "dense.faiss is missing or altered"),
        (lambda ix: (gen(ix) / "manifest.json").write_text("{ truncated"), "unreadable manifest"),
        (lambda ix: edit_manifest(ix, lambda m: m.update(format_version=99)), "has format 99"),
    ],
    ids=["truncated", "deleted", "manifest", "format-version"],
)
def test_damaged_index_is_a_one_line_error_for_query_and_eval(
    hash_index: Path, bank_file: Path, damage, message: str
) -> None:
    damage(hash_index)
    assert_one_line_error(
        run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "momentum"), message
    )
    assert_one_line_error(run_module("assistant.eval", "--index", hash_index, "--bank", bank_file), message)


def test_index_of_another_model_is_a_one_line_error(hash_index: Path, bank_file: Path) -> None:
    proc = run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "--model", "hash:32", "momentum")
    assert_one_line_error(proc, "built with model 'hash:64'")
    edit_manifest(hash_index, lambda m: m.update(model="hash:65", dim=64))  # a model that gives other vectors
    assert_one_line_error(
        run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "momentum"), "does not match"
    )


def test_missing_index_query_answers_from_bank_eval_errors(tmp_path: Path, bank_file: Path) -> None:
    # Only the default location falls back to the bank (tests/assistant/test_index_choice.py);
    # an index named with --index that is not there is a mistake to report.
    proc = run_module(
        "assistant.query", "--index", tmp_path / "none", "--bank", bank_file, "--model", "hash:64", "kmeans"
    )
    assert_one_line_error(proc, "no index at")
    assert_one_line_error(
        run_module("assistant.eval", "--index", tmp_path / "none", "--bank", bank_file), "no index at"
    )


# -- read-only ------------------------------------------------------------------------------------

AUDIT = r"""
import os, runpy, sys
index = os.path.realpath(sys.argv[1]) + os.sep
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

def inside(path):
    try:
        return os.path.realpath(os.fsdecode(path)).startswith(index)
    except (TypeError, ValueError):
        return False

def hook(event, args):
    bad = False
    if event == "open" and args[0] is not None and not isinstance(args[0], int) and inside(args[0]):
        mode, flags = args[1], args[2]
        bad = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (mode is None and flags & WRITE_FLAGS)
    elif event in ("os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.link", "os.symlink", "os.truncate", "shutil.rmtree"):
        bad = any(isinstance(a, (str, bytes, os.PathLike)) and inside(a) for a in args)
    if bad:
        os.write(2, f"WROTE INTO THE INDEX: {event} {args}\n".encode())
        os._exit(99)

sys.addaudithook(hook)
sys.argv = ["assistant.query", *sys.argv[2:]]
runpy.run_module("assistant.query", run_name="__main__")
"""


def test_loading_and_querying_never_write_into_the_index(hash_index: Path, bank_file: Path) -> None:
    """Permission bits do not stop root, so an audit hook kills the process at any write into the index."""
    for path in [hash_index, *hash_index.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                AUDIT,
                str(hash_index),
                "--index",
                str(hash_index),
                "--bank",
                str(bank_file),
                "--json",
                "momentum previous steps",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert_clean_success(proc)
        assert json.loads(proc.stdout)["slides"][0]["number"] == 2
    finally:
        for path in [hash_index, *hash_index.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_query_on_a_read_only_mount(hash_index: Path, bank_file: Path) -> None:
    """A real read-only file system (a read-only bind mount in a private mount namespace)."""
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0
    ):
        require(
            "no private mount namespace here (unshare -m needs root or user namespaces); the audit-hook test covers the code path"
        )
    mount = f"mount --bind '{hash_index}' '{hash_index}' && mount -o remount,ro,bind '{hash_index}'"
    probe = f"touch '{hash_index}/probe' 2>/dev/null && echo WRITABLE"
    query = f"'{sys.executable}' -m assistant.query --index '{hash_index}' --bank '{bank_file}' --json momentum previous steps"
    ingest_again = f"'{sys.executable}' -m ingest '{ROOT}/README.md' --index '{hash_index}' --model hash:64 -q"
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"{mount} && {probe}; {query}; echo rc=$?; {ingest_again}; echo rc=$?"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "WRITABLE" not in proc.stdout, "the bind mount did not become read-only"
    out, rc1, rc2 = (
        proc.stdout.rsplit("rc=", 2)[0],
        proc.stdout.split("rc=")[1].split()[0],
        proc.stdout.split("rc=")[2].split()[0],
    )
    assert rc1 == "0" and json.loads(out)["slides"][0]["number"] == 2, proc.stderr
    # An ingest into it fails with one line (the README is no PDF, but the lock comes first).
    assert rc2 != "0" and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and "Read-only file system" in proc.stderr


# -- SIGKILL mid-ingest -----------------------------------------------------------------------------


def answers(index_dir: Path, bank: Path, query: str) -> list[int]:
    from assistant.retrieval.loading import open_retriever

    retriever, _ = open_retriever(index_dir, bank)
    return [h.slide.number for h in retriever.search(query, k=3).slides]


def start_ingest(pdf: Path, index_dir: Path, marker: str | None = None) -> subprocess.Popen:
    module = ["-m", "tests.support.kill_ingest", marker] if marker else ["-m", "ingest"]
    cmd = [sys.executable, *module, str(pdf), "--index", str(index_dir), "--model", "hash:64", "-q"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_sigkill_at_any_point_keeps_the_previous_index(tmp_path: Path, tiny_decks: list[Path], bank_file: Path) -> None:
    index_dir = tmp_path / "index"
    ingest(tiny_decks, index_dir, model="hash:64", progress=False)
    before = load_index(index_dir)
    expected = answers(index_dir, bank_file, "momentum previous steps")
    assert expected[0] == 2
    long_deck = write_long_pdf(tmp_path / "long.pdf", 300)
    marked_deck = write_long_pdf(
        tmp_path / "marked.pdf", 60
    )  # markers fire at a point, not a time: a short deck will do
    # Timed kills need an ingest that outlasts the longest delay with room to spare on a quiet,
    # fast machine: 300 pages take about 3.5 s there, 1,500 about 15 s.
    slow_deck = write_long_pdf(tmp_path / "slow.pdf", 1500)

    outcomes = []
    for marker in ("thumbnail", "embed", "lexical", "staged", "renamed"):
        proc = start_ingest(marked_deck, index_dir, marker)
        proc.communicate(timeout=300)
        outcomes.append((marker, proc.returncode))
    for delay in (0.3, 1.0, 2.0, 3.0):
        proc = start_ingest(slow_deck, index_dir)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        outcomes.append((f"{delay}s", proc.returncode))
    # Every run died by the kill, none finished first (the deck is long enough for that).
    assert all(rc == -signal.SIGKILL for _, rc in outcomes), outcomes
    after = load_index(index_dir)
    assert after.path == before.path and after.slides == before.slides
    assert answers(index_dir, bank_file, "momentum previous steps") == expected
    assert any(
        p.name.startswith(".staging-") or (p.name.startswith("gen-") and p != before.path) for p in index_dir.iterdir()
    ), "kills left nothing behind: the markers did not fire mid-write"

    proc = start_ingest(long_deck, index_dir)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    new = load_index(index_dir)
    assert len(new.slides) == 300 and new.slide(123).title == "Topic 123"
    # The generated body lines share one form on every page (boilerplate by ingest/boilerplate.py's
    # rule); each page's own text is its numbered title.
    assert answers(index_dir, bank_file, "Topic 123")[0] == 123
    # The leftovers of the killed runs are gone; the previous generation stays for open readers.
    leftovers = sorted(
        p.name for p in index_dir.iterdir() if p.name not in {"CURRENT", ".lock", new.path.name, before.path.name}
    )
    assert leftovers == []


def test_sigterm_cleans_up_and_keeps_the_previous_index(tmp_path: Path, tiny_decks: list[Path]) -> None:
    index_dir = tmp_path / "index"
    ingest(tiny_decks, index_dir, model="hash:64", progress=False)
    before = load_index(index_dir)
    proc = start_ingest(
        write_long_pdf(tmp_path / "long.pdf", 1000), index_dir
    )  # about 10 s: the signal lands mid-ingest
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip() == "interrupted: the previous index is unchanged"
    assert load_index(index_dir).path == before.path
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".staging-")]


# -- re-ingest while others read ------------------------------------------------------------------

REINGEST_LOOP = r"""
import sys
from pathlib import Path
from ingest.build import ingest
index, a, b, rounds = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
for i in range(rounds):
    ingest([a if i % 2 else b], index, model="hash:64", progress=False)
"""


@pytest.mark.slow
def test_readers_see_the_old_or_the_new_index_never_a_mix(tmp_path: Path, bank_file: Path) -> None:
    """One process re-ingests two versions of a deck in turn; readers load and query meanwhile.

    Every page of version "alpha" says alpha, every page of "beta" says beta, so a reader that
    mixed two generations would show slides of both versions in one answer.
    """
    from assistant.retrieval.loading import open_retriever

    a = write_long_pdf(tmp_path / "deck.pdf", 30, "alpha")
    b = write_long_pdf(tmp_path / "deck-b.pdf", 30, "beta")
    index_dir = tmp_path / "index"
    ingest([a], index_dir, model="hash:64", progress=False)
    writer = subprocess.Popen(
        [sys.executable, "-c", REINGEST_LOOP, str(index_dir), str(a), str(b), "14"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: dict[str, set[str]] = {}
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while writer.poll() is None:
                retriever, _ = open_retriever(index_dir, bank_file)
                versions = {word for s in retriever.index.slides for word in ("alpha", "beta") if word in s.text}
                result = retriever.search("idea links concept method", k=10)
                shown = {word for h in result.slides for word in ("alpha", "beta") if word in h.slide.text}
                thumbs = [retriever.index.thumbnail(h.slide.number) for h in result.slides]
                seen.setdefault(retriever.index.path.name, set()).update(versions | shown)
                assert len(versions) == 1 and shown == versions and len(result.slides) == 10, (versions, shown)
                assert all(t is None or t.parent.parent == retriever.index.path for t in thumbs)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert not errors, errors[0]
    assert all(len(v) == 1 for v in seen.values())
    versions_seen = {next(iter(v)) for v in seen.values()}
    print(f"\nreaders saw {len(seen)} generations while 14 re-ingests ran; versions {sorted(versions_seen)}")
    assert len(seen) >= 3 and versions_seen == {"alpha", "beta"}


def test_reader_whose_generation_is_pruned_under_it_retries(
    tmp_path: Path, tiny_decks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.store as store

    index_dir = tmp_path / "index"
    first = ingest(tiny_decks, index_dir, model="hash:64", progress=False)
    pruned = gen(index_dir)
    for _ in range(2):  # two more generations: the first is pruned
        make_pdf(tiny_decks[1], [("K Means Clustering", [f"version {_}"])])
        ingest(tiny_decks, index_dir, model="hash:64", progress=False)
    assert not pruned.exists() and first.slides == 6
    real, calls = store.current_generation, []

    def stale_then_real(path: Path):
        calls.append(path)
        return pruned if len(calls) == 1 else real(path)

    monkeypatch.setattr(store, "current_generation", stale_then_real)
    loaded = load_index(index_dir)
    assert loaded.path == real(index_dir) and loaded.slide(4).text.endswith("version 1")
