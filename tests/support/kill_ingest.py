"""``python -m tests.support.kill_ingest MARKER ARGS...``: the real ingest command, killed with SIGKILL
at a named point, the way a power cut or the OOM killer would end it. Used by test_faults.py.

Markers: ``thumbnail`` (mid-way through writing thumbnails), ``embed`` (inside embedding),
``lexical`` (while the BM25 files are written), ``staged`` (the generation is complete, not yet
renamed into place), ``renamed`` (it is in place, CURRENT not yet switched), ``database`` (an ingest
with --database, its slides and chunks written inside the open transaction, before the switch).
"""

from __future__ import annotations

import os
import signal
import sys


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(marker: str) -> None:
    import index.staging as staging
    from index.embedder import HashEmbedder
    from index.lexical import LexicalIndex

    if marker == "thumbnail":
        import ingest.pages as pages

        # Thumbnails are written by a page worker; the ingest dies when the 40th is reported.
        real_take, count = pages.DeckPages.take, [0]

        def take(self, message):
            drew = real_take(self, message)
            count[0] += drew
            if count[0] == 40:
                die()
            return drew

        pages.DeckPages.take = take
    elif marker == "embed":
        HashEmbedder.encode = lambda self, texts, progress=False: die()
    elif marker == "lexical":
        real = LexicalIndex.save

        def save(self, folder):
            real(self, folder)
            die()

        LexicalIndex.save = save
    elif marker in ("staged", "renamed"):
        real_replace, calls = os.replace, [0]

        class PatchedOs:
            def __getattr__(self, name):
                return getattr(os, name)

            @staticmethod
            def replace(src, dst):
                calls[0] += 1
                if (marker == "staged" and calls[0] == 1) or (marker == "renamed" and calls[0] == 2):
                    die()
                real_replace(src, dst)

        # The generation is renamed into place and CURRENT switched by index.staging.
        staging.os = PatchedOs()
    elif marker == "database":
        import index.pg.write as write

        write.build_hnsw = lambda conn, generation, dim: die()
    else:
        raise SystemExit(f"unknown marker {marker}")


if __name__ == "__main__":
    arm(sys.argv[1])
    from ingest.__main__ import main

    sys.exit(main(sys.argv[2:]))
