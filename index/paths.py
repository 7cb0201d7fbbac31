"""Where slidebank keeps its files by default: one place for the project root and its ``data/`` folder.

Light on purpose (no NumPy, no FAISS): the bank parser and the caches need these paths without
loading the index format.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
ENV_CACHE = "SLIDEBANK_CACHE"


def cache_dir() -> Path:
    """Derived arrays (bank vectors, trained query adapters): ``$SLIDEBANK_CACHE`` or ``data/cache``."""
    return Path(os.environ.get(ENV_CACHE) or DATA_DIR / "cache")
