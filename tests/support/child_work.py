"""Functions a worker process runs in the offload tests: importable by name, as ``call_in_child`` requires."""

from __future__ import annotations

import os
from typing import Callable


def count_to(n: int, tick: Callable[[int], None]) -> int:
    for _ in range(n):
        tick(1)
    return n * 10


def die(tick: Callable[[int], None]) -> None:
    os._exit(3)
