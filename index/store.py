"""The one place that knows the on-disk index format.

Layout (every file is plain JSON, JSON lines, NumPy arrays without pickles, a FAISS index or PNG)::

    INDEX_DIR/
      CURRENT              name of the live generation, replaced atomically with os.replace
      .lock                held by a running ingest, so two ingests never interleave
      gen-<time>-<pid>/
        manifest.json      format version, model and its probe vector, chunking, decks, checksums
        slides.jsonl       one Slide per line
        chunks.jsonl       one Chunk per line, with the content hash its vector is keyed by
        dense.faiss        chunk vectors (inner product over unit vectors = cosine)
        lexical/           bm25s arrays (.npy, no pickles) and parameters and vocabulary (JSON)
        thumbnails/NNNN.png

An ingest writes a whole new generation next to the live one and then swaps CURRENT, so a
crash at any point leaves the previous index whole, and a reader that loaded the old
generation keeps a consistent view (the previous generation is kept until the next ingest).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from index.backend import LexicalScorer
from index.errors import IndexInvalid, IndexMissing, SlidebankError
from index.lexical import LexicalIndex
from index.paths import default_data_dir
from index.records import Chunk, Slide
from index.schema import format_version_of, manifest_problem

# 2: slide text normalised (index/text.py), boilerplate dropped, dividers marked; an older index is re-extracted.
FORMAT_VERSION = 2
_CHECKED_FILES = ("slides.jsonl", "chunks.jsonl", "dense.faiss")  # plus every file under lexical/
_LOAD_ATTEMPTS = 3  # a concurrent ingest may prune the generation a reader just resolved


def default_index_dir() -> Path:
    """``data/index``; a command's own choice (``--index``, $SLIDEBANK_INDEX) is in its settings record."""
    return default_data_dir() / "index"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(model: str, text: str) -> str:
    """Key of a chunk vector: the same text under the same model is never embedded twice."""
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DeckInfo:
    file: str
    stem: str
    sha256: str
    pages: int
    first_number: int


@dataclass(frozen=True)
class Manifest:
    model: str
    dim: int
    probe: tuple[float, ...]
    chunk_size: int
    chunk_overlap: int
    decks: tuple[DeckInfo, ...]
    slides: int
    chunks: int
    files: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    created: str = ""
    extras: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        return _utf8_safe(json.dumps(dataclasses.asdict(self), indent=1, ensure_ascii=False))

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        """Parse and check against the schema (index/schema.py). Raises ManifestError, one line."""
        try:
            raw = json.loads(text, parse_constant=_no_constant)
        except ValueError as exc:
            raise ManifestError(f"not JSON ({type(exc).__name__})") from None
        version = format_version_of(raw)
        if version != FORMAT_VERSION or type(version) is not int:
            raise ManifestVersionError(version)
        problem = manifest_problem(raw)
        if problem:
            raise ManifestError(problem)
        raw["decks"] = tuple(DeckInfo(**d) for d in raw["decks"])
        raw["probe"] = tuple(float(x) for x in raw["probe"])
        return cls(**raw)


class ManifestError(ValueError):
    """A manifest that does not match the schema; the message says where."""


class ManifestVersionError(ManifestError):
    def __init__(self, version: object) -> None:
        super().__init__(version)
        self.version = version


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")  # json accepts NaN and Infinity by default; a manifest may not


@dataclass(frozen=True)
class LoadedIndex:
    """An index in memory. ``chunk_slides[i]`` is the slide number of dense/lexical row ``i``."""

    path: Path
    manifest: Manifest
    slides: tuple[Slide, ...]
    chunks: tuple[Chunk, ...]
    chunk_hashes: tuple[str, ...]
    dense: Any  # a DenseSearch (index/backend.py): faiss.Index here, typed loosely so this module does not import faiss
    lexical: LexicalScorer
    notes: tuple[str, ...] = ()  # what a user should know, e.g. that CURRENT was recovered

    @property
    def chunk_slides(self) -> np.ndarray:
        return np.fromiter((c.slide for c in self.chunks), dtype=np.int64, count=len(self.chunks))

    def slide(self, number: int) -> Slide:
        return self.slides[number - 1]

    def thumbnail(self, number: int) -> Path | None:
        """The PNG of slide ``number``; only ever a file inside this index's thumbnails folder."""
        if not (1 <= number <= len(self.slides)):
            return None
        path = self.path / "thumbnails" / f"{number:04d}.png"
        return path if path.is_file() else None

    def vectors(self) -> np.ndarray:
        """All chunk vectors, ``(n_chunks, dim)``."""
        return self.dense.reconstruct_n(0, self.dense.ntotal)


def current_generation(index_dir: Path) -> Path | None:
    """The generation ``CURRENT`` names, or None when it is missing, empty or names no generation here.

    A ``CURRENT`` that cannot be read at all (a folder, no permission, bytes that are not UTF-8) is
    an IndexInvalid: the user must act, and ingest can repair it (``Staging.commit`` replaces it).
    """
    pointer = index_dir / "CURRENT"
    try:
        data = pointer.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise IndexInvalid(
            f"cannot read {pointer} ({exc.strerror or type(exc).__name__}); re-run python -m ingest to repair it"
        ) from None
    try:
        name = data.decode("utf-8").strip().strip("\0").strip()
    except UnicodeDecodeError:
        raise IndexInvalid(
            f"{pointer} holds bytes that are not UTF-8, not a generation name; re-run python -m ingest to repair it"
        ) from None
    gen = index_dir / name
    return gen if name.startswith("gen-") and "/" not in name and gen.is_dir() else None


def _generations_newest_first(index_dir: Path) -> list[Path]:
    """Committed generations, newest first (by when their manifest was written)."""
    found: list[tuple[int, str, Path]] = []
    try:
        entries = list(index_dir.iterdir())
    except OSError:
        return []
    for entry in entries:
        try:
            if entry.name.startswith("gen-") and entry.is_dir():
                found.append((os.stat(entry / "manifest.json").st_mtime_ns, entry.name, entry))
        except OSError:
            continue  # no manifest: not a complete generation
    return [path for _mtime, _name, path in sorted(found, reverse=True)]


def live_generation(index_dir: Path) -> Path | None:
    """What readers use: the generation ``CURRENT`` names, else the newest complete one (recovery).

    Never raises; an ingest calls it to know which generation it must not prune.
    """
    try:
        gen = current_generation(index_dir)
    except IndexInvalid:
        gen = None
    if gen is not None:
        return gen
    for candidate in _generations_newest_first(index_dir):
        try:
            _load_generation(index_dir, candidate, verify=True)
        except SlidebankError:
            continue
        return candidate
    return None


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _checked_files(gen: Path) -> list[str]:
    """The data files a manifest carries checksums for, as paths relative to the generation."""
    lexical = sorted(f"lexical/{p.name}" for p in (gen / "lexical").iterdir() if p.is_file())
    return [*_CHECKED_FILES, *lexical]


def load_index(index_dir: Path | None = None, *, verify: bool = True) -> LoadedIndex:
    """Load and validate the live generation. Raises IndexMissing or IndexInvalid, one line each.

    Reads only: it never writes into the index, so a read-only index folder serves queries.
    """
    index_dir = Path(index_dir or default_index_dir())
    for _attempt in range(_LOAD_ATTEMPTS):
        gen = current_generation(index_dir)
        if gen is None:
            return _recover(index_dir, verify)
        try:
            return _load_generation(index_dir, gen, verify)
        except IndexInvalid:
            # Generations are immutable once live; one that changed under us was pruned by a
            # newer ingest, and CURRENT already names its successor.
            if current_generation(index_dir) == gen:
                raise
    raise IndexInvalid(
        f"the index at {index_dir} kept changing while it was read; try again when the running ingest ends"
    )


def _recover(index_dir: Path, verify: bool) -> LoadedIndex:
    """No usable ``CURRENT`` (deleted, truncated, zeroed by a crash): the newest complete generation.

    Only folders inside ``index_dir`` are candidates, so a ``CURRENT`` naming ``../elsewhere`` never
    leads a reader outside. The next ingest keeps the recovered generation (see ``live_generation``).
    """
    for gen in _generations_newest_first(index_dir):
        try:
            loaded = _load_generation(index_dir, gen, verify)
        except IndexInvalid:
            continue
        note = f"{index_dir / 'CURRENT'} is missing or damaged; using the newest complete generation {gen.name} (the next python -m ingest repairs it)"
        return dataclasses.replace(loaded, notes=(note,))
    raise IndexMissing(f"no index at {index_dir}; build one with: python -m ingest path/to/slides.pdf")


def _load_generation(index_dir: Path, gen: Path, verify: bool) -> LoadedIndex:
    try:
        manifest = Manifest.from_json((gen / "manifest.json").read_text(encoding="utf-8"))
    except ManifestVersionError as exc:
        written = "no format version" if exc.version is None else f"format {json.dumps(exc.version)}"
        raise IndexInvalid(
            f"the index at {index_dir} has {written}, this slidebank reads {FORMAT_VERSION}; re-run python -m ingest"
        ) from None
    except ManifestError as exc:
        raise IndexInvalid(
            f"the index at {index_dir} has an unreadable manifest ({exc}); re-run python -m ingest"
        ) from None
    except (OSError, ValueError) as exc:  # incl. UnicodeDecodeError
        raise IndexInvalid(
            f"the index at {index_dir} has an unreadable manifest ({type(exc).__name__}); re-run python -m ingest"
        ) from None
    if verify:
        listed = dict(manifest.files) if isinstance(manifest.files, dict) else {}
        try:
            on_disk = set(_checked_files(gen))
        except OSError:
            on_disk = set(_CHECKED_FILES)
        unlisted = sorted(on_disk - set(listed)) + [n for n in _CHECKED_FILES if n not in listed]
        if unlisted or not any(n.startswith("lexical/") for n in listed):
            name = unlisted[0] if unlisted else "lexical/"
            raise IndexInvalid(
                f"the index at {index_dir} is damaged ({name} has no checksum in the manifest); re-run python -m ingest"
            )
        for name, digest in listed.items():
            if name.startswith(f"{QUERY_ENCODER_DIR}/"):
                continue  # checked where it is used (query_encoder_folder), with a fallback when it fails
            path = gen / name
            if ".." in Path(name).parts or not path.is_file() or sha256_file(path) != digest:
                raise IndexInvalid(
                    f"the index at {index_dir} is damaged ({name} is missing or altered); re-run python -m ingest"
                )
    try:
        import faiss

        slides = tuple(Slide(**row) for row in _read_jsonl(gen / "slides.jsonl"))
        chunk_rows = _read_jsonl(gen / "chunks.jsonl")
        chunks = tuple(Chunk(slide=r["slide"], text=r["text"], kind=r.get("kind", "text")) for r in chunk_rows)
        dense = faiss.read_index(str(gen / "dense.faiss"))
        lexical = LexicalIndex.load(gen / "lexical")
    except SlidebankError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure means a damaged index
        raise IndexInvalid(
            f"the index at {index_dir} is damaged ({type(exc).__name__}); re-run python -m ingest"
        ) from None
    problem = _inconsistency(manifest, slides, chunks, dense, lexical)
    if problem:
        raise IndexInvalid(f"the index at {index_dir} is inconsistent ({problem}); re-run python -m ingest")
    return LoadedIndex(
        path=gen,
        manifest=manifest,
        slides=slides,
        chunks=chunks,
        chunk_hashes=tuple(r.get("hash", "") for r in chunk_rows),
        dense=dense,
        lexical=lexical,
    )


def _inconsistency(
    manifest: Manifest, slides: Sequence[Slide], chunks: Sequence[Chunk], dense, lexical: LexicalScorer
) -> str:
    """What does not add up between the manifest and the data files; "" when all agree.

    Checksums catch a damaged file; these catch a manifest edited by hand, which no checksum
    inside it can.
    """
    if len(slides) != manifest.slides or len(chunks) != manifest.chunks:
        return "slide or chunk counts differ from its manifest"
    if dense.ntotal != len(chunks) or lexical.size != len(chunks):
        return "dense or BM25 rows differ from the chunks"
    if dense.d != manifest.dim or len(manifest.probe) != manifest.dim:
        return "vector dimension differs from its manifest"
    if [s.number for s in slides] != list(range(1, len(slides) + 1)):
        return "slides are not numbered 1..N"
    first = 1
    for deck in manifest.decks:
        if deck.first_number != first or deck.pages < 1:
            return f"deck {deck.file} does not start where the previous one ends"
        first += deck.pages
    if first - 1 != len(slides):
        return "deck page counts do not add up to the slides"
    if any(not 1 <= c.slide <= len(slides) for c in chunks):
        return "a chunk points at a slide that does not exist"
    return ""


def _utf8_safe(text: str) -> str:
    """``text`` without lone surrogates, which UTF-8 cannot hold: a file name that is not UTF-8
    (Python keeps its bytes as U+DC80..U+DCFF) shows U+FFFD for each such byte instead of
    failing the whole write."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


QUERY_ENCODER_DIR = "query-encoder"
QUERY_ENCODER_FILES = ("model.onnx", "tokenizer.json", "encoder.json")


def query_encoder_checksums(generation: Path) -> dict[str, str]:
    """Manifest ``files`` entries for the generation's query encoder; empty if it has none."""
    paths = [generation / QUERY_ENCODER_DIR / name for name in QUERY_ENCODER_FILES]
    if not all(p.is_file() for p in paths):
        return {}
    return {f"{QUERY_ENCODER_DIR}/{p.name}": sha256_file(p) for p in paths}


def query_encoder_folder(index: LoadedIndex, *, verify_weights: bool = False) -> Path | None:
    """The index's query-encoder folder if it is complete and matches the manifest's checksums.

    The small files are always checked. The ~90 MB weights are only checked when asked: the probe
    vector the caller compares right after loading catches altered weights for a fraction of the cost.
    """
    folder = index.path / QUERY_ENCODER_DIR
    names = QUERY_ENCODER_FILES if verify_weights else tuple(n for n in QUERY_ENCODER_FILES if n != "model.onnx")
    for name in QUERY_ENCODER_FILES:
        expected = index.manifest.files.get(f"{QUERY_ENCODER_DIR}/{name}")
        path = folder / name
        if expected is None or not path.is_file():
            return None
        if name in names and sha256_file(path) != expected:
            return None
    return folder
