"""The ingest pipeline: PDFs → slides → thumbnails, chunks, vectors → a new index generation.

Work already done is reused by content hash: a deck whose bytes did not change keeps its text
and thumbnails, and a chunk whose text did not change keeps its vector, so re-ingesting an
unchanged deck loads no model at all.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from index.bank_fit import EXTRAS_KEY, BankCitations, BankFit, check_fit
from index.embedder import DEFAULT_MODEL, Embedder, load_embedder, probe_vector
from index.errors import SlidebankError
from index.records import Chunk, Slide
from index.settings import DEFAULT_WORKER_MEMORY
from index.staging import Staging, ingest_lock
from index.store import DeckInfo, LoadedIndex, Manifest, content_hash, load_index
from ingest.boilerplate import mark_dividers
from ingest.chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, chunk_slide
from ingest.pdf import Deck, deck_slides, expand_inputs, open_decks

EMBED_BATCH = 64
# Decks read in this process because the worker process could not start or died: the same result,
# only without the second core. Each one also prints a note; tests read this list.
worker_fallbacks: list[str] = []


@dataclass(frozen=True)
class IngestReport:
    index: Path
    decks: int
    slides: int
    chunks: int
    embedded: int
    reused: int
    image_only: tuple[int, ...]
    seconds: float
    no_thumbnail: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()  # skipped files, text read by pdfium, pages over the memory cap, a recovered CURRENT
    bank_fit: BankFit | None = None
    target: str = ""  # where it went when not an index folder (a database, shown without its password)

    def summary(self) -> str:
        flagged = f", {len(self.image_only)} image-only" if self.image_only else ""
        return (
            f"Indexed {self.slides} slides ({self.chunks} chunks{flagged}) from {self.decks} PDF(s) in {self.seconds:.1f} s "
            f"({self.embedded} embedded, {self.reused} reused) -> {self.target or self.index}"
        )


def _progress(total: int | None, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="page", disable=not enabled, file=sys.stderr, leave=False)


def _previous(index_dir: Path) -> LoadedIndex | None:
    try:
        return load_index(index_dir)
    except SlidebankError:
        return None  # nothing to reuse; a damaged old index is simply rebuilt


def ingest(
    inputs: Sequence[Path],
    index_dir: Path,
    *,
    model: str = DEFAULT_MODEL,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    chunk_overlap: int = DEFAULT_CHUNK_OVERLAP,
    password: str | None = None,
    progress: bool = True,
    embedder: Embedder | None = None,
    bank: BankCitations | None = None,
    worker_memory: int = DEFAULT_WORKER_MEMORY,
    previous: LoadedIndex | None = None,
) -> IngestReport:
    """Build a new index generation from ``inputs``; ``bank``, when given, is checked against the
    deck and the verdict recorded (see index/bank_fit.py). ``worker_memory``: the cap in bytes of
    each process that reads a PDF (``UserSettings.worker_memory_bytes``). ``previous`` is what to
    reuse by content hash when it is not the index at ``index_dir`` (an ingest into the database,
    ingest/database.py)."""
    started = time.perf_counter()
    notes: list[str] = []
    decks = open_decks(expand_inputs(inputs, notes))
    with ingest_lock(index_dir):
        old = previous if previous is not None else _previous(index_dir)
        if old is not None:
            notes.extend(old.notes)
        _preload_model(model, old, embedder)
        staging = Staging(index_dir)
        try:
            # Always in workers, whatever else runs: their memory cap is what bounds a hostile PDF.
            slides, deck_infos, no_thumbnail = _read_and_render(
                decks, old, staging.path / "thumbnails", password, progress, notes=notes, memory_limit=worker_memory
            )
            slides = mark_dividers(slides)  # from the whole deck: adding a lecture may reveal its counters
            chunks = [c for s in slides for c in chunk_slide(s, chunk_size, chunk_overlap)]
            hashes = [content_hash(model, c.text) for c in chunks]
            vectors, embedder, reused = _vectors(chunks, hashes, old, model, embedder, progress)
            fresh = embedder is not None and not getattr(embedder, "is_export", False)
            probe = probe_vector(embedder) if fresh else old.manifest.probe  # type: ignore[union-attr,arg-type]
            _query_encoder(staging.path, model, probe, old, embedder)
            fit = check_fit(bank, slides) if bank is not None else None
            manifest = Manifest(
                model=model,
                dim=int(vectors.shape[1]),
                probe=tuple(probe),
                chunk_size=chunk_size,
                chunk_overlap=chunk_overlap,
                decks=tuple(deck_infos),
                slides=len(slides),
                chunks=len(chunks),
                extras={EXTRAS_KEY: fit.to_json()} if fit is not None else {},
            )
            staging.commit(slides, chunks, hashes, vectors, manifest)
        except BaseException:
            staging.discard()
            raise
    return IngestReport(
        index=index_dir,
        decks=len(decks),
        slides=len(slides),
        chunks=len(chunks),
        embedded=len(chunks) - reused,
        reused=reused,
        image_only=tuple(s.number for s in slides if s.image_only),
        seconds=time.perf_counter() - started,
        no_thumbnail=tuple(no_thumbnail),
        notes=tuple(notes),
        bank_fit=fit,
    )


def _read_and_render(
    decks: Sequence[Deck],
    old: LoadedIndex | None,
    thumbs: Path,
    password: str | None,
    progress: bool,
    *,
    offload: bool = True,
    notes: list[str] | None = None,
    memory_limit: int = DEFAULT_WORKER_MEMORY,
) -> tuple[list[Slide], list[DeckInfo], list[int]]:
    """Slides with text and thumbnails. ``offload`` reads new decks in child processes under a
    memory cap (ingest/pages.py); False reads them here, uncapped. What a user should know goes to ``notes``."""
    notes = notes if notes is not None else []
    old_decks = {d.sha256: d for d in old.manifest.decks} if old else {}
    no_thumbnail: list[int] = []
    slides: list[Slide] = []
    infos: list[DeckInfo] = []
    for deck in decks:
        first = len(slides) + 1
        previous = old_decks.get(deck.sha256)
        if previous is not None and old is not None:
            # Unchanged bytes: take text and thumbnails from the live index, renumbered.
            for page in range(1, previous.pages + 1):
                was = old.slide(previous.first_number + page - 1)
                slides.append(Slide(number=len(slides) + 1, deck=deck.stem, page=page, title=was.title, text=was.text))
                src = old.thumbnail(was.number)
                if src is not None:
                    _link_or_copy(src, thumbs / f"{len(slides):04d}.png")
                else:
                    no_thumbnail.append(len(slides))
        else:
            with _progress(None, f"{deck.path.name}", progress) as bar:
                texts, drawn, deck_notes = _read_deck_pages(
                    deck.path, password, thumbs, first, bar, memory_limit if offload else None
                )
            notes.extend(deck_notes)
            drawn_pages = set(drawn)
            for slide in deck_slides(first, deck.stem, texts):
                slides.append(slide)
                if slide.page not in drawn_pages:
                    no_thumbnail.append(slide.number)
        infos.append(
            DeckInfo(
                file=deck.path.name,
                stem=deck.stem,
                sha256=deck.sha256,
                pages=len(slides) - first + 1,
                first_number=first,
            )
        )
    return slides, infos, no_thumbnail


def _read_deck_pages(
    path: Path, password: str | None, thumbs: Path, first: int, bar, memory_limit: int | None
) -> tuple[list[str], list[int], list[str]]:
    """Texts, drawn pages and notes. ``memory_limit``: in workers capped at that many bytes
    (ingest/pages.py); None: here, uncapped."""
    if memory_limit is not None:
        from ingest.pages import read_deck_capped

        def fall_back(reason: str) -> None:
            worker_fallbacks.append(path.name)
            print(f"note: {reason}; reading {path.name} in this process instead", file=sys.stderr)
            bar.reset()  # no worker process here: the same work, in this one

        done = read_deck_capped(path, password, thumbs, first, bar.update, fall_back, memory_limit)
        return done.texts, done.drawn, done.notes
    texts, drawn = read_deck(path, password, thumbs, first, bar.update)
    return texts, drawn, []


def read_deck(path: Path, password: str | None, thumbs: Path, first: int, tick) -> tuple[list[str], list[int]]:
    """Every page's text, and the pages (1-based) whose thumbnail ``thumbs/NNNN.png`` was written,
    read in this process. Slide ``first`` is the deck's page 1; ``tick(n)`` reports progress in pages.
    """
    from ingest.pages import DeckPages
    from ingest.pages import read_deck as read_in_worker

    state = DeckPages()

    def on_message(message: tuple) -> None:
        if state.take(message):
            tick(1)

    read_in_worker(path, password, thumbs, first, 1, 1, on_message)
    return state.texts, state.drawn


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _vectors(
    chunks: Sequence[Chunk],
    hashes: Sequence[str],
    old: LoadedIndex | None,
    model: str,
    embedder: Embedder | None,
    progress: bool,
) -> tuple[np.ndarray, Embedder | None, int]:
    known: dict[str, np.ndarray] = {}
    if old is not None and old.manifest.model == model:
        old_vectors = old.vectors()
        known = {h: old_vectors[i] for i, h in enumerate(old.chunk_hashes) if h}
    missing = [i for i, h in enumerate(hashes) if h not in known]
    if missing and embedder is None:
        embedder = _previous_export(old, model) or load_embedder(model)
    if embedder is None and old is None:
        embedder = load_embedder(model)
    dim = embedder.dim if embedder is not None else old.manifest.dim  # type: ignore[union-attr]
    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        if h in known:
            vectors[i] = known[h]
    if missing:
        from tqdm import tqdm

        # Shortest first: a batch pads to its longest text, and half the chunks are few-word titles.
        # Batches of similar lengths halve the embedding work; each vector lands in its own row.
        missing.sort(key=lambda i: len(chunks[i].text))

        with tqdm(
            total=len(missing), desc="embedding", unit="chunk", disable=not progress, file=sys.stderr, leave=False
        ) as bar:
            for start in range(0, len(missing), EMBED_BATCH):
                batch = missing[start : start + EMBED_BATCH]
                vectors[batch] = embedder.encode([chunks[i].text for i in batch])  # type: ignore[union-attr]
                bar.update(len(batch))
    return vectors, embedder, len(chunks) - len(missing)


def _query_encoder(generation: Path, model: str, probe, old: LoadedIndex | None, embedder: Embedder | None) -> None:
    """Export (or reuse) the torch-free query encoder; a failure only costs query speed."""
    if model.startswith("hash:"):
        return  # the hash embedder needs no model at query time
    from index.onnx_encoder import build_query_encoder

    def load_model():
        loaded = embedder if embedder is not None and hasattr(embedder, "model") else load_embedder(model)
        return loaded.model  # type: ignore[attr-defined]

    if embedder is not None and getattr(embedder, "is_export", False):
        embedder = None  # the previous export embedded the new chunks; it is reused below, not re-exported
    same_model = old is not None and old.manifest.model == model
    try:
        build_query_encoder(
            generation,
            model,
            probe,
            old.path if same_model else None,  # type: ignore[union-attr]
            old.manifest.probe if same_model else None,  # type: ignore[union-attr]
            load_model,
        )
    except Exception as exc:  # noqa: BLE001 - queries fall back to sentence-transformers
        print(
            f"warning: could not export the fast query encoder ({type(exc).__name__}: {exc}); queries will load sentence-transformers",
            file=sys.stderr,
        )


def _previous_export(old: LoadedIndex | None, model: str) -> Embedder | None:
    """The previous generation's ONNX encoder, when it still reproduces that index's probe vector.

    A few changed slides then cost a 0.5 s encoder load instead of importing sentence-transformers.
    """
    if old is None or old.manifest.model != model or model.startswith("hash:"):
        return None
    from index.embedder import check_probe
    from index.store import query_encoder_folder

    folder = query_encoder_folder(old, verify_weights=True)
    if folder is None:
        return None
    try:
        from index.onnx_encoder import OnnxEncoder

        encoder = OnnxEncoder(folder)
        check_probe(encoder, old.manifest.probe, model)
    except Exception:  # noqa: BLE001 - any doubt: embed with the full model instead
        return None
    return encoder


def _preload_model(model: str, old: LoadedIndex | None, embedder: Embedder | None) -> bool:
    """Import sentence-transformers in a background thread when this ingest will need it; True if so.

    The import takes 6-9 s, most of it Python holding the GIL; new PDFs are read and rendered in
    a worker process (ingest/pages.py), on the other core, instead of taking turns with it here.
    """
    if embedder is not None or model.startswith("hash:"):
        return False
    from index.onnx_encoder import has_query_encoder

    if old is not None and old.manifest.model == model and has_query_encoder(old.path):
        return False  # changed slides are embedded with the previous export, which needs no torch
    import threading

    def load() -> None:
        try:
            import sentence_transformers  # noqa: F401
        except Exception:  # noqa: BLE001 - the real load reports it, with a useful message
            pass

    threading.Thread(target=load, name="preload-model", daemon=True).start()
    return True
