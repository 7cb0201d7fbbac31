"""The tables of the shared store. Created on first use; every name starts with ``slidebank_``.

A generation is one whole index (the manifest, slides, chunks with their vectors and text, the
course bank). ``slidebank_current`` holds the one live generation; an ingest inserts a new
generation and moves the pointer in the same transaction, so a reader sees the old one or the new
one, never a mix, and an ingest killed before its commit leaves nothing behind. Thumbnails and the
query encoder's files are blobs keyed by their sha256, so a re-ingest stores each only once.

Each generation's chunk vectors have their own HNSW index (a partial index on that generation,
over the vectors cast to the generation's dimension), built inside the ingest's transaction.
"""

from __future__ import annotations

from typing import Any

# Serialises ingests into one database (pg_advisory_xact_lock): the same rule as the local .lock.
INGEST_LOCK = 0x51_1DE_BA4C

TABLES = (
    """CREATE TABLE IF NOT EXISTS slidebank_generations (
        id bigserial PRIMARY KEY,
        created timestamptz NOT NULL DEFAULT now(),
        manifest jsonb NOT NULL,
        bank bytea,
        bank_name text
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_current (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        generation bigint NOT NULL REFERENCES slidebank_generations(id)
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_blobs (
        sha256 text PRIMARY KEY,
        data bytea NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_slides (
        generation bigint NOT NULL REFERENCES slidebank_generations(id) ON DELETE CASCADE,
        number integer NOT NULL,
        deck text NOT NULL,
        page integer NOT NULL,
        title text NOT NULL,
        text text NOT NULL,
        divider boolean NOT NULL,
        thumbnail text REFERENCES slidebank_blobs(sha256),
        PRIMARY KEY (generation, number)
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_chunks (
        generation bigint NOT NULL REFERENCES slidebank_generations(id) ON DELETE CASCADE,
        position integer NOT NULL,
        slide integer NOT NULL,
        kind text NOT NULL,
        text text NOT NULL,
        hash text NOT NULL,
        embedding vector NOT NULL,
        lexemes tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
        PRIMARY KEY (generation, position)
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_files (
        generation bigint NOT NULL REFERENCES slidebank_generations(id) ON DELETE CASCADE,
        name text NOT NULL,
        sha256 text NOT NULL REFERENCES slidebank_blobs(sha256),
        PRIMARY KEY (generation, name)
    )""",
    "CREATE INDEX IF NOT EXISTS slidebank_chunks_lexemes ON slidebank_chunks USING gin (lexemes)",
)


def ensure_schema(conn: Any) -> None:
    """Create the tables (and the vector extension) when missing; safe to run concurrently."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INGEST_LOCK + 1,))
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        for statement in TABLES:
            conn.execute(statement)


def has_schema(conn: Any) -> bool:
    row = conn.execute("SELECT to_regclass('slidebank_current') IS NOT NULL").fetchone()
    return bool(row and row[0])


def hnsw_index_name(generation: int) -> str:
    return f"slidebank_chunks_hnsw_g{int(generation)}"
