"""The manifest schema, the ``CURRENT`` pointer and names that are not UTF-8: one-line errors or a
recovery with a note, never a traceback, never a silent misreading."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from index.embedder import HashEmbedder, check_probe, load_embedder
from index.errors import IndexInvalid, IndexMissing, InputError
from index.schema import MANIFEST_SCHEMA
from index.store import FORMAT_VERSION, Manifest, load_index
from ingest.build import ingest
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.decks import DECK_A, make_pdf
from tests.support.index_files import edit_manifest, gen


def test_schema_names_every_manifest_field() -> None:
    assert set(MANIFEST_SCHEMA) == {f.name for f in dataclasses.fields(Manifest)}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.update(pages="389"), "unknown key 'pages'"),
        (lambda m: m.update(slides="6"), "manifest.slides is a string, not an integer"),
        (lambda m: m.update(slides=6.0), "manifest.slides is a number, not an integer"),
        (lambda m: m.update(slides=True), "manifest.slides is a boolean"),
        (lambda m: m["decks"][0].update(pages="3"), r"decks\[0\].pages is a string"),
        (lambda m: m["decks"][0].update(extra=1), r"decks\[0\] has an unknown key 'extra'"),
        (lambda m: m.update(model="hash:0"), "is not a hash embedder"),
        (lambda m: m.update(model=""), "manifest.model is empty"),
        (lambda m: m.update(dim=0), "manifest.dim is 0, below 1"),
        (lambda m: m["probe"].__setitem__(0, "x"), "not a finite number"),
        (lambda m: m.update(probe=[0.0] * len(m["probe"])), "not a unit vector"),
        (lambda m: m.update(files=[]), "manifest.files is a list"),
        (lambda m: m["files"].update({"dense.faiss": "abc"}), "not a file name with a sha256"),
        (lambda m: m.update(extras=None), "manifest.extras is null"),
        (lambda m: m.update(colour="blue"), "unknown key 'colour'"),
        (lambda m: m.pop("created"), "lacks 'created'"),
    ],
    ids=[
        "pages-key",
        "str-count",
        "float-count",
        "bool-count",
        "deck-pages-str",
        "deck-extra",
        "hash0",
        "empty-model",
        "dim0",
        "probe-str",
        "probe-zero",
        "files-list",
        "files-digest",
        "extras-null",
        "unknown",
        "missing",
    ],
)
def test_hand_edited_manifest_is_one_line(hash_index: Path, change, message: str) -> None:
    edit_manifest(hash_index, change)
    with pytest.raises(IndexInvalid, match=message):
        load_index(hash_index)


def test_nan_and_infinity_in_the_probe_are_refused(hash_index: Path) -> None:
    path = gen(hash_index) / "manifest.json"
    text = path.read_text()
    data = json.loads(text)
    first = json.dumps(data["probe"][0])
    for constant in ("NaN", "Infinity", "-Infinity"):
        path.write_text(text.replace(f'"probe": [\n  {first}', f'"probe": [\n  {constant}', 1))
        assert constant in path.read_text()
        with pytest.raises(IndexInvalid, match="unreadable manifest"):
            load_index(hash_index)


def test_a_nan_probe_fails_the_model_check_instead_of_passing_it() -> None:
    embedder = HashEmbedder(4)
    with pytest.raises(IndexInvalid, match="does not match"):
        check_probe(embedder, [float("nan")] * 4, "hash:4")


@pytest.mark.parametrize("name", ["hash:0", "hash:-1", "hash:x", "hash:"])
def test_bad_hash_embedder_names(name: str) -> None:
    with pytest.raises(InputError, match="bad hash embedder"):
        load_embedder(name)


@pytest.mark.parametrize(
    "version, shown",
    [
        (None, "has no format version"),
        (True, "has format true"),
        (float(FORMAT_VERSION), f"has format {FORMAT_VERSION}.0"),
        (str(FORMAT_VERSION), f'has format "{FORMAT_VERSION}"'),
        (FORMAT_VERSION - 1, f"has format {FORMAT_VERSION - 1}"),  # an older index: re-ingest, never mixed
        (FORMAT_VERSION + 1, f"has format {FORMAT_VERSION + 1}"),
    ],
)
def test_format_version_must_be_exactly_this_one(hash_index: Path, version, shown: str) -> None:
    edit_manifest(
        hash_index, lambda m: m.pop("format_version") if version is None else m.update(format_version=version)
    )
    with pytest.raises(IndexInvalid, match=shown):
        load_index(hash_index)


def test_hand_edited_manifest_on_the_command_line(hash_index: Path, bank_file: Path) -> None:
    edit_manifest(hash_index, lambda m: m.update(model="hash:0"))
    assert_one_line_error(
        run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "momentum"), "is not a hash embedder"
    )


# -- CURRENT ------------------------------------------------------------------------------------


def _make_current_a_folder(index: Path) -> None:
    (index / "CURRENT").unlink()
    (index / "CURRENT").mkdir()
    (index / "CURRENT" / "x").write_text("x")


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda ix: (ix / "CURRENT").write_bytes(b"\xff\xfe\x00gen"), "not UTF-8"),
        (_make_current_a_folder, "Is a directory"),
    ],
    ids=["not-utf8", "folder"],
)
def test_unreadable_current_is_one_line_and_ingest_repairs_it(
    hash_index: Path, tiny_decks: list[Path], bank_file: Path, damage, message: str
) -> None:
    damage(hash_index)
    for module in ("assistant.query", "assistant.eval", "assistant.audit"):
        args = ["momentum"] if module == "assistant.query" else []
        proc = run_module(module, "--index", hash_index, "--bank", bank_file, *args, timeout=120)
        assert_one_line_error(proc, message)
        assert "re-run python -m ingest" in proc.stderr
    assert_clean_success(run_module("ingest", *tiny_decks, "--index", hash_index, "--model", "hash:64", "-q"))
    assert_clean_success(run_module("assistant.query", "--index", hash_index, "--bank", bank_file, "momentum"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_current_without_read_permission_is_one_line(hash_index: Path) -> None:  # pragma: no cover - root in CI
    (hash_index / "CURRENT").chmod(0)
    with pytest.raises(IndexInvalid, match="cannot read"):
        load_index(hash_index)


def test_current_without_read_permission_is_one_line_as_root(hash_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, where chmod cannot take read access away: fail the read itself instead.
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "CURRENT":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(IndexInvalid, match=r"cannot read .*CURRENT \(Permission denied\); re-run python -m ingest"):
        load_index(hash_index)


@pytest.mark.parametrize(
    "damage",
    [
        lambda ix: (ix / "CURRENT").unlink(),
        lambda ix: (ix / "CURRENT").write_bytes(b""),
        lambda ix: (ix / "CURRENT").write_bytes(b"\x00" * 40),
        lambda ix: (ix / "CURRENT").write_bytes((ix / "CURRENT").read_bytes()[:12]),
    ],
    ids=["deleted", "empty", "zeroed", "truncated"],
)
def test_lost_current_recovers_the_newest_generation_and_ingest_keeps_it(
    tmp_path: Path, tiny_decks: list[Path], bank_file: Path, damage
) -> None:
    index = tmp_path / "index"
    ingest(tiny_decks[:1], index, model="hash:64", progress=False)
    ingest(tiny_decks, index, model="hash:64", progress=False)  # newest: both decks, 6 slides
    newest = gen(index)
    damage(index)
    loaded = load_index(index)
    assert loaded.path == newest and len(loaded.slides) == 6
    assert "missing or damaged" in loaded.notes[0] and newest.name in loaded.notes[0]
    proc = run_module("assistant.query", "--index", index, "--bank", bank_file, "--json", "kmeans")
    assert_clean_success(proc)
    assert "note:" in proc.stderr and "missing or damaged" in proc.stderr
    assert json.loads(proc.stdout)["slides"][0]["number"] == 6
    # The next ingest sees the recovered generation as the live one: reuses it and does not prune it.
    extra = make_pdf(tmp_path / "week03.pdf", DECK_A[:1])
    report = ingest([*tiny_decks, extra], index, model="hash:64", progress=False)
    assert newest.is_dir() and report.reused > 0 and any("missing or damaged" in n for n in report.notes)
    assert len(load_index(index).slides) == 7 and load_index(index).notes == ()


def test_lost_current_with_no_complete_generation_is_no_index(hash_index: Path) -> None:
    (gen(hash_index) / "manifest.json").unlink()
    (hash_index / "CURRENT").unlink()
    with pytest.raises(IndexMissing):
        load_index(hash_index)


# -- names that are not UTF-8 ---------------------------------------------------------------------


def test_file_name_that_is_not_utf8_ingests(tmp_path: Path, bank_file: Path) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    odd = os.fsdecode(b"lecture-\xff\xfe.pdf")  # Latin-1 bytes from an old archive
    make_pdf(folder / odd, DECK_A)
    index = tmp_path / "index"
    proc = run_module("ingest", folder, "--index", index, "--model", "hash:64", "-q")
    assert_clean_success(proc)
    loaded = load_index(index)
    assert (
        loaded.manifest.decks[0].file == "lecture-\ufffd\ufffd.pdf" and loaded.slides[0].deck == "lecture-\ufffd\ufffd"
    )
    assert_clean_success(run_module("assistant.query", "--index", index, "--bank", bank_file, "momentum"))


def test_app_with_a_folder_for_current_is_one_error_line(hash_index: Path, bank_file: Path) -> None:
    import subprocess
    import sys

    from tests.support.paths import ROOT

    _make_current_a_folder(hash_index)
    proc = subprocess.run(
        [sys.executable, "app.py", "--index", str(hash_index), "--bank", str(bank_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("error: cannot read") and "re-run python -m ingest" in proc.stderr
