"""The on-disk cache of derived arrays (bank vectors, trained query adapters): read, or compute and write once.

A cache file is named by a content hash of everything the array depends on, so a stale file is
never read; one of the wrong shape (another model) is recomputed. A failed write only costs
recomputing the array next time: a read-only or full disk is not an error. The folder comes from the
command's settings record (``UserSettings.cache``); None computes in memory and writes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np


def cached_array(
    folder: Path | None, name: str, shape: tuple[int, ...], compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """``folder/name.npy`` when it holds an array of ``shape``; else ``compute()``, saved there."""
    if folder is None:
        return compute()
    path = folder / f"{name}.npy"
    try:
        array = np.load(path, allow_pickle=False)
        if array.shape == shape:
            return array
    except (OSError, ValueError):
        pass
    array = compute()
    save_quietly(path, array)
    return array


def save_quietly(path: Path, array: np.ndarray) -> None:
    """Atomic write of a cache file (temporary file, then ``os.replace``); errors are swallowed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, array, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        pass
