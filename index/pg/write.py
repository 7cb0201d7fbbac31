"""Writing a generation into the shared store: one transaction, then the atomic switch.

``store_generation`` copies a generation built in a scratch folder (slides, chunks and vectors,
thumbnails, the query encoder's files) and the course bank into the database, builds the
generation's HNSW index, moves ``slidebank_current`` to it and prunes generations older than the
previous one, all before one COMMIT. A kill at any point before it leaves the live generation as
it was; readers that loaded the previous generation can still finish their queries on it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from psycopg import sql

from index.errors import SlidebankError
from index.pg.schema import INGEST_LOCK, ensure_schema, hnsw_index_name
from index.store import QUERY_ENCODER_DIR, QUERY_ENCODER_FILES, LoadedIndex

# HNSW build parameters (pgvector's defaults); recall against exact search is in benchmarks/pg_scale.py.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
HNSW_BUILD_MEMORY = "1GB"  # a ceiling, not an allocation: 100k chunks of 384 floats need about 200 MB


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class IngestLock:
    """A session advisory lock held for a whole ingest: a second ingest into the same database fails at once.

    Released when the connection closes, so an ingest that is killed never leaves it held.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __enter__(self) -> IngestLock:
        row = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (INGEST_LOCK,)).fetchone()
        if not row or not row[0]:
            raise SlidebankError("another ingest is writing this database; wait for it to finish")
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.conn.closed:
            self.conn.execute("SELECT pg_advisory_unlock(%s)", (INGEST_LOCK,))


def _put_blob(conn: Any, data: bytes) -> str:
    digest = sha256_bytes(data)
    conn.execute(
        "INSERT INTO slidebank_blobs (sha256, data) VALUES (%s, %s) ON CONFLICT (sha256) DO NOTHING", (digest, data)
    )
    return digest


def _file_blobs(conn: Any, generation: Path) -> list[tuple[str, str]]:
    """(name, sha256) of the query encoder's files, stored as blobs; empty when the generation has none."""
    out = []
    for name in QUERY_ENCODER_FILES:
        path = generation / QUERY_ENCODER_DIR / name
        if not path.is_file():
            return []
        out.append((f"{QUERY_ENCODER_DIR}/{name}", _put_blob(conn, path.read_bytes())))
    return out


def _chunk_rows(built: LoadedIndex, generation: int) -> Iterator[tuple]:
    vectors = built.vectors().astype(np.float32)
    for position, (chunk, digest) in enumerate(zip(built.chunks, built.chunk_hashes)):
        yield generation, position, chunk.slide, chunk.kind, chunk.text, digest, vectors[position]


def store_generation(conn: Any, built: LoadedIndex, bank: bytes | None, bank_name: str | None) -> int:
    """Store ``built`` as a new generation and make it the live one, in one transaction. Returns its id."""
    ensure_schema(conn)
    manifest = asdict(built.manifest)
    manifest["files"] = {k: v for k, v in manifest["files"].items() if not k.startswith(f"{QUERY_ENCODER_DIR}/")}
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO slidebank_generations (manifest, bank, bank_name) VALUES (%s, %s, %s) RETURNING id",
            (json.dumps(manifest, ensure_ascii=False), bank, bank_name),
        ).fetchone()
        generation = int(row[0])
        with conn.cursor() as cur:
            rows = []
            for slide in built.slides:
                thumb = built.thumbnail(slide.number)
                digest = _put_blob(conn, thumb.read_bytes()) if thumb is not None else None
                rows.append(
                    (generation, slide.number, slide.deck, slide.page, slide.title, slide.text, slide.divider, digest)
                )
            cur.executemany(
                "INSERT INTO slidebank_slides (generation, number, deck, page, title, text, divider, thumbnail)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            with cur.copy(
                "COPY slidebank_chunks (generation, position, slide, kind, text, hash, embedding) FROM STDIN"
            ) as copy:
                for chunk_row in _chunk_rows(built, generation):
                    copy.write_row(chunk_row)
            for name, digest in _file_blobs(conn, built.path):
                cur.execute(
                    "INSERT INTO slidebank_files (generation, name, sha256) VALUES (%s, %s, %s)",
                    (generation, name, digest),
                )
        build_hnsw(conn, generation, built.manifest.dim)
        previous = conn.execute("SELECT generation FROM slidebank_current").fetchone()
        conn.execute(
            "INSERT INTO slidebank_current (one, generation) VALUES (true, %s)"
            " ON CONFLICT (one) DO UPDATE SET generation = EXCLUDED.generation",
            (generation,),
        )
        _prune(conn, keep=(generation, int(previous[0]) if previous else generation))
    return generation


def build_hnsw(conn: Any, generation: int, dim: int, memory: str = HNSW_BUILD_MEMORY) -> None:
    """The generation's HNSW index (inner product over unit vectors = cosine).

    DDL takes no bound parameters: the identifier, the dimension and the generation are integers
    this code made, composed with psycopg's ``sql`` module, never user text. The graph is built in
    memory when it fits ``maintenance_work_mem`` (raised to ``memory`` for this transaction only), many
    times faster: a million chunks of 384 floats need about 4 GB.
    """
    conn.execute("SELECT set_config('maintenance_work_mem', %s, true)", (memory,))
    conn.execute(
        sql.SQL(
            "CREATE INDEX {} ON slidebank_chunks USING hnsw ((embedding::vector({})) vector_ip_ops)"
            " WITH (m = {}, ef_construction = {}) WHERE generation = {}"
        ).format(
            sql.Identifier(hnsw_index_name(generation)),
            sql.Literal(int(dim)),
            sql.Literal(HNSW_M),
            sql.Literal(HNSW_EF_CONSTRUCTION),
            sql.Literal(int(generation)),
        )
    )


def _prune(conn: Any, keep: tuple[int, int]) -> None:
    """Generations older than the previous one go, with their HNSW indexes and the blobs nobody uses."""
    old = [
        int(r[0])
        for r in conn.execute("SELECT id FROM slidebank_generations WHERE id <> ALL(%s)", (list(keep),)).fetchall()
    ]
    for generation in old:
        conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(hnsw_index_name(generation))))
    if old:
        conn.execute("DELETE FROM slidebank_generations WHERE id = ANY(%s)", (old,))
        conn.execute(
            "DELETE FROM slidebank_blobs b WHERE NOT EXISTS (SELECT 1 FROM slidebank_slides s WHERE s.thumbnail = b.sha256)"
            " AND NOT EXISTS (SELECT 1 FROM slidebank_files f WHERE f.sha256 = b.sha256)"
        )
