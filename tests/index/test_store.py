import json
from pathlib import Path

import numpy as np
import pytest

from index.embedder import HashEmbedder, check_probe
from index.errors import IndexInvalid, IndexMissing
from index.store import FORMAT_VERSION, current_generation, load_index
from ingest.build import ingest


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="python -m ingest"):
        load_index(tmp_path / "nothing")


def test_roundtrip_keeps_slides_chunks_and_vectors(hash_index: Path) -> None:
    index = load_index(hash_index)
    assert index.manifest.model == "hash:64" and index.manifest.slides == 6
    assert index.dense.ntotal == len(index.chunks) == index.lexical.size
    vectors = index.vectors()
    expected = HashEmbedder(64).encode([c.text for c in index.chunks])
    assert np.allclose(vectors, expected, atol=1e-6)
    assert [d.first_number for d in index.manifest.decks] == [1, 4]


@pytest.mark.parametrize("name", ["slides.jsonl", "chunks.jsonl", "dense.faiss"])
def test_altered_or_truncated_file_is_detected(hash_index: Path, name: str) -> None:
    path = current_generation(hash_index) / name
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IndexInvalid, match="damaged"):
        load_index(hash_index)


def test_other_format_version_is_refused(hash_index: Path) -> None:
    manifest = current_generation(hash_index) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["format_version"] = FORMAT_VERSION + 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexInvalid, match="re-run python -m ingest"):
        load_index(hash_index)


def test_probe_catches_another_model(hash_index: Path) -> None:
    index = load_index(hash_index)
    check_probe(HashEmbedder(64), index.manifest.probe, "hash:64")
    with pytest.raises(IndexInvalid, match="does not match"):
        check_probe(HashEmbedder(32), index.manifest.probe, "hash:64")


def test_failed_ingest_leaves_previous_index_whole(
    hash_index: Path, tiny_decks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load_index(hash_index)
    import ingest.build as build

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "chunk_slide", boom)
    with pytest.raises(RuntimeError):
        ingest(tiny_decks, hash_index, model="hash:64", progress=False)
    after = load_index(hash_index)
    assert after.path == before.path and after.slides == before.slides
    assert not [p for p in hash_index.iterdir() if p.name.startswith(".staging")]
