"""Opening the shared store (``--database URL``) for retrieval: the live generation and its course bank.

The index half is ``index.pg.read``; this module adds what the assistant layer owns, the bank: the
course bank stored with the generation (``python -m ingest ... --database URL --bank FILE``),
parsed here, unless a bank file is given explicitly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.bank.parse import Question, parse_bank
from index.pg.connect import shared_pool
from index.pg.read import DatabaseIndex, Lexical, load_database_index


def open_database(url: str, lexical: Lexical = "bm25", cache: Path | None = None) -> DatabaseIndex:
    """The live generation of the database at ``url`` (IndexMissing when it holds none); its thumbnails
    and query encoder are copied out under ``cache`` (None: a temporary folder of this process)."""
    return load_database_index(shared_pool(url), lexical, cache)


def stored_bank(index: DatabaseIndex) -> tuple[tuple[Question, ...], str]:
    """The course bank stored with the generation and the sha256 of its bytes; ``((), "")`` when none."""
    if index.bank is None:
        return (), ""
    from assistant.bank.encoding import decode_text

    text = decode_text(index.bank, f"the question bank stored in the database ({index.bank_name or 'no name'})")
    return parse_bank(text), hashlib.sha256(index.bank).hexdigest()
