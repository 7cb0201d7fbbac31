"""Writing an index: the ingest lock and ``Staging``, a new generation written beside the live one
and made live by one atomic switch of ``CURRENT`` (the format itself is ``store.py``'s).

A crash or a kill at any point leaves the previous index whole: a half-written generation is a
``.staging-*`` folder, removed by the next ingest.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from index.errors import SlidebankError
from index.lexical import LexicalIndex
from index.records import Chunk, Slide
from index.store import Manifest, _checked_files, _utf8_safe, live_generation, query_encoder_checksums, sha256_file


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SlidebankError(f"another ingest is writing {index_dir}; wait for it to finish") from None
        yield


class Staging:
    """A new generation being written. ``commit`` makes it live; anything else discards it."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        stamp = time.strftime("%Y%m%dT%H%M%S")
        self.name = f"gen-{stamp}-{uuid.uuid4().hex[:8]}"
        self.path = index_dir / f".staging-{os.getpid()}-{self.name}"
        _remove_leftovers(index_dir)  # from ingests that were killed; the caller holds the lock
        self.path.mkdir(parents=True)
        (self.path / "thumbnails").mkdir()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def commit(
        self,
        slides: Sequence[Slide],
        chunks: Sequence[Chunk],
        hashes: Sequence[str],
        vectors: np.ndarray,
        manifest: Manifest,
    ) -> Path:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with open(self.path / "slides.jsonl", "w", encoding="utf-8") as handle:
            for slide in slides:
                handle.write(_utf8_safe(json.dumps(dataclasses.asdict(slide), ensure_ascii=False)) + "\n")
        with open(self.path / "chunks.jsonl", "w", encoding="utf-8") as handle:
            for chunk, digest in zip(chunks, hashes, strict=True):
                handle.write(
                    _utf8_safe(
                        json.dumps(
                            {"slide": chunk.slide, "kind": chunk.kind, "text": chunk.text, "hash": digest},
                            ensure_ascii=False,
                        )
                    )
                    + "\n"
                )
        dense = faiss.IndexFlatIP(manifest.dim)
        if len(vectors):
            dense.add(vectors)
        faiss.write_index(dense, str(self.path / "dense.faiss"))
        LexicalIndex.build([c.text for c in chunks]).save(self.path / "lexical")
        files = {name: sha256_file(self.path / name) for name in _checked_files(self.path)}
        files.update(query_encoder_checksums(self.path))
        manifest = dataclasses.replace(manifest, files=files, created=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        (self.path / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        _fsync_tree(self.path)

        previous = live_generation(self.index_dir)  # before the new one is in place: recovery must not pick it
        final = self.index_dir / self.name
        os.replace(self.path, final)
        pointer = self.index_dir / f".CURRENT.{os.getpid()}"
        pointer.write_text(self.name + "\n")
        _fsync_file(pointer)
        if (self.index_dir / "CURRENT").is_dir() and not (self.index_dir / "CURRENT").is_symlink():
            shutil.rmtree(
                self.index_dir / "CURRENT"
            )  # a folder where the pointer belongs: the error advised this ingest
        os.replace(pointer, self.index_dir / "CURRENT")  # the atomic switch
        _fsync_dir(self.index_dir)
        self._prune(keep={self.name, previous.name if previous else ""})
        return final

    def _prune(self, keep: set[str]) -> None:
        """Remove generations older than the previous one, and whatever killed ingests left."""
        for entry in self.index_dir.iterdir():
            if entry.name.startswith("gen-") and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
        _remove_leftovers(self.index_dir)


def _remove_leftovers(index_dir: Path) -> None:
    """Staging folders and pointer files of ingests that died. Call only while holding the lock:
    then no other ingest is running, so none of them is in use."""
    if not index_dir.is_dir():
        return
    for entry in index_dir.iterdir():
        if entry.name.startswith(".staging-"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(".CURRENT."):
            entry.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            _fsync_file(Path(folder) / name)
        _fsync_dir(Path(folder))


# -- the exported query encoder (index/onnx_encoder.py writes it; see ENCODER_DIR there) ------------
