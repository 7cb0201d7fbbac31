"""Reading the live generation of the shared store as a ``LoadedIndex``.

Slides, chunk texts and the manifest are read once; the dense half stays in the database
(``DatabaseDense`` answers ``search`` as a FAISS index does) and the lexical half is the same
BM25 index the local store keeps, rebuilt here from the stored chunk texts (``--lexical fts``
uses PostgreSQL's full-text ranking instead; docs/deployment.md compares the two). Thumbnails and
the query encoder's files are copied out of the database into the cache folder when first asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from psycopg import sql

from index.errors import IndexInvalid, IndexMissing
from index.lexical import LexicalIndex
from index.pg.connect import Pool, redact
from index.pg.schema import has_schema
from index.records import Chunk, Slide
from index.store import QUERY_ENCODER_DIR, LoadedIndex, Manifest, ManifestError, _inconsistency

Lexical = Literal["bm25", "fts"]
# Up to this many chunks the dense search scans them all: exact, as the local flat index is, in
# the app from the generation's vectors (read once). Beyond it the generation's HNSW index in the
# database answers (recall in benchmarks/pg_scale.py).
EXACT_LIMIT = 20_000
EF_SEARCH = 100  # HNSW candidates kept per query, at least the k asked for (pgvector caps it at 1000)
_MAX_EF = 1000
_WORD = re.compile(r"[a-z0-9]+")


def current_generation_id(pool: Pool) -> int | None:
    """The live generation's id, or None when the database holds none (one small query)."""
    conn = pool.conn()
    if not has_schema(conn):
        return None
    row = conn.execute("SELECT generation FROM slidebank_current").fetchone()
    return int(row[0]) if row else None


def folder_name(where: str, generation: int, created: object) -> str:
    """The cache folder of one generation of one database: also the name an app compares to follow ingests."""
    return f"gen-{generation}-" + hashlib.sha256(f"{where}\0{generation}\0{created}".encode()).hexdigest()[:16]


def live_name(pool: Pool) -> str | None:
    """``folder_name`` of the live generation (one small query), None when there is none or the database is away."""
    import psycopg

    from index.pg.connect import DatabaseError

    try:
        conn = pool.conn()
        if not has_schema(conn):
            return None
        row = conn.execute(
            "SELECT g.id, g.created FROM slidebank_current c JOIN slidebank_generations g ON g.id = c.generation"
        ).fetchone()
    except (DatabaseError, psycopg.Error):
        return None  # the database is away: keep serving what is loaded; a closed connection reopens next time
    return folder_name(redact(pool.url), int(row[0]), row[1]) if row else None


class DatabaseDense:
    """A generation's chunk vectors in PostgreSQL, searched like a FAISS inner-product index."""

    def __init__(
        self,
        pool: Pool,
        generation: int,
        dim: int,
        ntotal: int,
        exact_limit: int = EXACT_LIMIT,
        ef_search: int = EF_SEARCH,
        in_process: bool = True,
    ) -> None:
        self.pool, self.generation, self.d, self.ntotal = pool, generation, int(dim), int(ntotal)
        self.exact = self.ntotal <= exact_limit
        self.ef_search = ef_search
        # A generation small enough for exact search (a course: thousands of chunks, at most
        # EXACT_LIMIT x dim floats, 30 MB) is searched in this process from its vectors, read once:
        # the same exact ranking without two database round trips per search. False: the
        # database's own sequential scan (benchmarks/pg_scale.py measures it).
        self.in_process = in_process
        self._vectors: np.ndarray | None = None

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(sims, ids)`` of shape ``(1, k)`` for one query vector; missing rows are -1, as FAISS pads."""
        vector = np.asarray(queries, dtype=np.float32).reshape(-1)
        if self.exact and self.in_process:
            return self._search_here(vector, int(k))
        conn = self.pool.conn()
        if self.exact:
            rows = conn.execute(
                "SELECT position, embedding <#> %s FROM slidebank_chunks WHERE generation = %s ORDER BY 2 LIMIT %s",
                (vector, self.generation, int(k)),
            ).fetchall()
        else:
            k = min(int(k), _MAX_EF)
            with conn.transaction():
                conn.execute(
                    "SELECT set_config('hnsw.ef_search', %s, true)", (str(min(max(k, self.ef_search), _MAX_EF)),)
                )
                rows = conn.execute(
                    sql.SQL(
                        "SELECT position, embedding::vector({dim}) <#> %s FROM slidebank_chunks"
                        " WHERE generation = %s ORDER BY embedding::vector({dim}) <#> %s LIMIT %s"
                    ).format(dim=sql.Literal(self.d)),
                    (vector, self.generation, vector, k),
                ).fetchall()
        ids = np.full((1, k), -1, dtype=np.int64)
        sims = np.full((1, k), -np.inf, dtype=np.float32)
        for i, (position, distance) in enumerate(rows):
            ids[0, i], sims[0, i] = position, -float(distance)  # <#> is the negative inner product
        return sims, ids

    def _search_here(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self._vectors is None:  # two threads may both read it: the same rows, kept once
            self._vectors = self.reconstruct_n(0, self.ntotal)  # row i is position i, as in FAISS
        found = self._vectors @ vector
        order = np.argsort(-found, kind="stable")[:k]  # ties: the lower position first, as FAISS
        ids = np.full((1, k), -1, dtype=np.int64)
        sims = np.full((1, k), -np.inf, dtype=np.float32)
        ids[0, : len(order)], sims[0, : len(order)] = order, found[order]
        return sims, ids

    def reconstruct_n(self, start: int, n: int) -> np.ndarray:
        rows = (
            self.pool.conn()
            .execute(
                "SELECT embedding FROM slidebank_chunks WHERE generation = %s AND position >= %s AND position < %s"
                " ORDER BY position",
                (self.generation, int(start), int(start + n)),
            )
            .fetchall()
        )
        if not rows:
            return np.zeros((0, self.d), dtype=np.float32)
        return np.stack([_array(r[0]) for r in rows])


def _array(value: Any) -> np.ndarray:
    """A vector column as float32 (pgvector's psycopg loader gives a ``Vector`` or an array, by version)."""
    return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=np.float32)


class DatabaseFullText:
    """PostgreSQL's full-text ranking (``ts_rank_cd`` over the stored tsvectors), one score per chunk row."""

    def __init__(self, pool: Pool, generation: int, size: int) -> None:
        self.pool, self.generation, self.size = pool, generation, int(size)

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        words = _WORD.findall(query.lower())
        if not words:
            return out
        rows = (
            self.pool.conn()
            .execute(
                "SELECT position, ts_rank_cd(lexemes, q) FROM slidebank_chunks,"
                " to_tsquery('english', %s) AS q WHERE generation = %s AND lexemes @@ q",
                (" | ".join(words), self.generation),
            )
            .fetchall()
        )
        for position, rank in rows:
            out[position] = rank
        return out


@dataclass(frozen=True)
class DatabaseIndex(LoadedIndex):
    """A ``LoadedIndex`` whose vectors, thumbnails and files live in the database."""

    generation: int = 0
    pool: Any = None
    bank: bytes | None = None
    bank_name: str | None = None

    def thumbnail(self, number: int) -> Path | None:
        if not (1 <= number <= len(self.slides)):
            return None
        path = self.path / "thumbnails" / f"{number:04d}.png"
        if path.is_file():
            return path
        row = (
            self.pool.conn()
            .execute(
                "SELECT b.data FROM slidebank_slides s JOIN slidebank_blobs b ON b.sha256 = s.thumbnail"
                " WHERE s.generation = %s AND s.number = %s",
                (self.generation, number),
            )
            .fetchone()
        )
        if row is None:
            return None
        _write_once(path, bytes(row[0]))
        return path


def _process_cache() -> Path:
    """A temporary folder for this process, removed at exit: where no cache folder is configured."""
    global _TEMP_CACHE
    if _TEMP_CACHE is None:
        import atexit
        import shutil
        import tempfile

        _TEMP_CACHE = Path(tempfile.mkdtemp(prefix="slidebank-db-"))
        atexit.register(shutil.rmtree, _TEMP_CACHE, True)
    return _TEMP_CACHE


_TEMP_CACHE: Path | None = None


def _write_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (another process may be writing the same bytes at the same time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}")
    part.write_bytes(data)
    os.replace(part, path)


def load_database_index(pool: Pool, lexical: Lexical = "bm25", cache: Path | None = None) -> DatabaseIndex:
    """The live generation. IndexMissing when the database holds none, IndexInvalid when it does not add up."""
    generation = current_generation_id(pool)
    where = redact(pool.url)
    if generation is None:
        raise IndexMissing(
            f"no index in the database {where}; build one with: python -m ingest slides.pdf --database URL"
        )
    conn = pool.conn()
    with conn.transaction():  # one snapshot: the generation cannot be pruned halfway through this read
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head = conn.execute(
            "SELECT manifest, bank, bank_name, created FROM slidebank_generations WHERE id = %s", (generation,)
        ).fetchone()
        if head is None:
            raise IndexInvalid(f"the database {where} changed while it was read; try again")
        slides = tuple(
            Slide(number=r[0], deck=r[1], page=r[2], title=r[3], text=r[4], divider=r[5])
            for r in conn.execute(
                "SELECT number, deck, page, title, text, divider FROM slidebank_slides WHERE generation = %s"
                " ORDER BY number",
                (generation,),
            ).fetchall()
        )
        chunk_rows = conn.execute(
            "SELECT slide, text, kind, hash FROM slidebank_chunks WHERE generation = %s ORDER BY position",
            (generation,),
        ).fetchall()
        files = conn.execute(
            "SELECT f.name, f.sha256, b.data FROM slidebank_files f JOIN slidebank_blobs b ON b.sha256 = f.sha256"
            " WHERE f.generation = %s",
            (generation,),
        ).fetchall()
    raw = head[0] if isinstance(head[0], dict) else json.loads(head[0])
    raw["files"] = {**raw.get("files", {}), **{name: digest for name, digest, _ in files}}
    try:
        manifest = Manifest.from_json(json.dumps(raw))
    except ManifestError as exc:
        raise IndexInvalid(
            f"the database {where} holds an unreadable manifest ({exc}); re-run python -m ingest"
        ) from None
    folder = (cache if cache is not None else _process_cache()) / "database" / folder_name(where, generation, head[3])
    for name, _digest, data in files:
        target = folder / name
        if QUERY_ENCODER_DIR in Path(name).parts[:1] and ".." not in Path(name).parts and not target.is_file():
            _write_once(target, bytes(data))
    chunks = tuple(Chunk(slide=r[0], text=r[1], kind=r[2]) for r in chunk_rows)
    dense = DatabaseDense(pool, generation, manifest.dim, len(chunks))
    lexical_index: Any = (
        DatabaseFullText(pool, generation, len(chunks))
        if lexical == "fts"
        else LexicalIndex.build([c.text for c in chunks])
    )
    problem = _inconsistency(manifest, slides, chunks, dense, lexical_index)
    if problem:
        raise IndexInvalid(f"the database {where} is inconsistent ({problem}); re-run python -m ingest")
    index = DatabaseIndex(
        path=folder,
        manifest=manifest,
        slides=slides,
        chunks=chunks,
        chunk_hashes=tuple(r[3] for r in chunk_rows),
        dense=dense,
        lexical=lexical_index,
        generation=generation,
        pool=pool,
        bank=bytes(head[1]) if head[1] is not None else None,
        bank_name=head[2],
    )
    return index
