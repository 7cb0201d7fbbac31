"""The Anki export, read back the way Anki reads it: a zip holding an SQLite collection and media."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from assistant.bank.parse import load_bank
from assistant.study.cli import main
from tests.support.cli_run import assert_one_line_error, run_module


def read_apkg(path: Path, tmp: Path) -> tuple[list[tuple[str, str, str]], dict[str, str], set[str], dict]:
    """(notes as (guid, fields, tags), media index → name, zip member names, decks)."""
    with zipfile.ZipFile(path) as apkg:
        members = set(apkg.namelist())
        media = json.loads(apkg.read("media"))
        collection = tmp / f"{path.stem}.anki2"
        collection.write_bytes(apkg.read("collection.anki2"))
    with sqlite3.connect(collection) as db:
        notes = db.execute("SELECT guid, flds, tags FROM notes ORDER BY guid").fetchall()
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    return notes, media, members, decks


def test_one_note_per_question_images_in_media_and_stable_guids(
    tmp_path: Path, hash_index: Path, bank_file: Path
) -> None:
    questions = [q for q in load_bank(bank_file) if not q.heading]
    common = ["--db", str(tmp_path / "study.sqlite"), "--bank", str(bank_file), "--index", str(hash_index)]
    assert main([*common, "--anki", str(tmp_path / "one.apkg")]) == 0
    assert main([*common, "--anki", str(tmp_path / "two.apkg")]) == 0

    notes, media, members, decks = read_apkg(tmp_path / "one.apkg", tmp_path)
    assert len(notes) == len(questions)
    # Every image a note shows is a media file the package carries.
    shown = {name for _, fields, _ in notes for name in re.findall(r'<img src="([^"]+)"', fields)}
    assert shown and shown <= set(media.values())
    assert all(index in members for index in media)
    # Cited slides: the numbers the bank cites; an uncited question: marked suggestions.
    by_text = {fields.split("\x1f")[0]: (fields, tags) for _, fields, tags in notes}
    momentum, tags = next(v for k, v in by_text.items() if k.startswith("formulate SGD with momentum"))
    assert momentum.split("\x1f")[3] == "2" and "marked_star" in tags and "section::optimisation" in tags
    cfg, cfg_tags = next(v for k, v in by_text.items() if "Classifier-Free Guidance" in k)
    assert "Suggested slides" in cfg and "suggested_slides" in cfg_tags and cfg.split("\x1f")[3]
    # Subdecks per section.
    assert {"slidebank::optimisation", "slidebank::diffusion"} <= {d["name"] for d in decks.values()}

    again, _, _, _ = read_apkg(tmp_path / "two.apkg", tmp_path)
    assert [guid for guid, _, _ in again] == [guid for guid, _, _ in notes]
    assert len({guid for guid, _, _ in notes}) == len(notes)


def test_an_edited_question_keeps_its_guid(tmp_path: Path, hash_index: Path, bank_file: Path) -> None:
    common = ["--db", str(tmp_path / "study.sqlite"), "--index", str(hash_index)]
    assert main([*common, "--bank", str(bank_file), "--anki", str(tmp_path / "before.apkg")]) == 0
    edited = tmp_path / "edited.md"
    edited.write_text(bank_file.read_text().replace("explain kmeans", "explain k-means"), encoding="utf-8")
    assert main([*common, "--bank", str(edited), "--anki", str(tmp_path / "after.apkg")]) == 0
    before = {fields.split("\x1f")[0]: guid for guid, fields, _ in read_apkg(tmp_path / "before.apkg", tmp_path)[0]}
    after = {fields.split("\x1f")[0]: guid for guid, fields, _ in read_apkg(tmp_path / "after.apkg", tmp_path)[0]}
    old = next(g for t, g in before.items() if t.startswith("explain kmeans"))
    assert next(g for t, g in after.items() if t.startswith("explain k-means")) == old


def test_a_section_with_three_colons_is_one_deck_not_a_nested_one(tmp_path: Path, hash_index: Path) -> None:
    bank = tmp_path / "colons.md"
    bank.write_text("### a:::b\n\n- what is x? (1)\n\n### c::::d::e\n\n- what is y? (2)\n", encoding="utf-8")
    common = ["--db", str(tmp_path / "study.sqlite"), "--bank", str(bank), "--index", str(hash_index)]
    assert main([*common, "--anki", str(tmp_path / "colons.apkg")]) == 0
    _, _, _, decks = read_apkg(tmp_path / "colons.apkg", tmp_path)
    names = {d["name"] for d in decks.values()} - {"Default"}
    assert names == {"slidebank::a:b", "slidebank::c:d:e"}
    assert all(name.count("::") == 1 for name in names)  # Anki nests at every "::": one level under slidebank


@pytest.mark.parametrize("target", ["folder", "/proc/x.apkg", "/proc/self/x.apkg"])
def test_an_anki_path_that_cannot_be_written_is_named_as_given(
    tmp_path: Path, hash_index: Path, bank_file: Path, target: str
) -> None:
    path = tmp_path if target == "folder" else Path(target)
    proc = run_module(
        "assistant.study",
        *("--db", tmp_path / "study.sqlite", "--bank", bank_file, "--index", hash_index),
        *("--anki", path),
        timeout=120,
    )
    assert_one_line_error(proc, f"cannot write {path}")
    assert ".tmp" not in proc.stderr
