"""Where slidebank keeps its files by default: one place for the project root and its ``data/`` folder.

Light on purpose (no NumPy, no FAISS): the settings record and the caches need these paths without
loading the index format. Nothing here reads the environment: the settings record
(``index/settings.py``) resolves flags and variables once, in each command's ``main``.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def default_data_dir() -> Path:
    """``data/`` of the checkout when run from one; for an installed copy (``pip install .``, whose
    packages sit in site-packages with no ``data/`` beside them), ``data/`` in the current folder."""
    checkout = PROJECT_ROOT / "data"
    if (PROJECT_ROOT / "pyproject.toml").is_file() or checkout.is_dir():
        return checkout
    return Path.cwd() / "data"


DATA_DIR = default_data_dir()
