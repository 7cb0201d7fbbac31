"""``python -m ingest ... --database URL``: the same pipeline, stored as a generation of the shared store.

The deck is read, chunked and embedded exactly as for a local index, reusing what the live
generation in the database already holds (a deck with the same bytes keeps its text and
thumbnails, a chunk with the same text keeps its vector). The result is built in a scratch folder
that is removed afterwards, then written to the database in one transaction that also switches the
live generation (index/pg/write.py). No index folder is left on this machine.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import Any, Sequence

from index.errors import IndexInvalid, IndexMissing
from index.pg.connect import Pool, connect, redact
from index.pg.read import DatabaseIndex, load_database_index
from index.pg.write import IngestLock, store_generation
from index.store import load_index
from ingest.build import IngestReport, ingest


def _live(pool: Pool) -> DatabaseIndex | None:
    try:
        return load_database_index(pool)
    except (IndexMissing, IndexInvalid):
        return None  # nothing to reuse; a generation that does not add up is simply rebuilt


def ingest_into_database(
    inputs: Sequence[Path],
    url: str,
    *,
    bank_file: Path | None = None,
    **options: Any,
) -> IngestReport:
    """Ingest ``inputs`` into the database at ``url`` as its new live generation, with the course bank
    ``bank_file`` (its bytes, stored). ``options`` are those of ``ingest.build.ingest`` (model, bank, ...)."""
    bank_bytes = bank_file.read_bytes() if bank_file is not None else None
    lock_conn = connect(url)
    pool = Pool(url)
    scratch = Path(tempfile.mkdtemp(prefix="slidebank-ingest-"))
    try:
        with IngestLock(lock_conn):
            old = _live(pool)
            report = ingest(inputs, scratch / "index", previous=old, **options)
            built = load_index(scratch / "index")
            generation = store_generation(
                lock_conn, built, bank_bytes, bank_file.name if bank_file is not None else None
            )
    finally:
        pool.close()
        lock_conn.close()
        shutil.rmtree(scratch, ignore_errors=True)
    notes = tuple(n for n in report.notes if "CURRENT" not in n)
    return dataclasses.replace(report, target=f"{redact(url)} (generation {generation})", notes=notes)
