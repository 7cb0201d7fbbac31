"""The manifest's schema, spelled out: every key, its type and its range.

A manifest is JSON a user can edit by hand, so it is checked before any value is used: a string
where a number belongs, a NaN in the probe vector (which would silently switch off the wrong-model
guard, since ``NaN < 0.999`` is False), ``true`` or ``1.0`` as the format version, or a key this
slidebank does not know are all one-line errors instead of tracebacks or quiet misreadings.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Mapping

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HASH_MODEL = re.compile(r"^hash:(\d+)$")

Check = Callable[[object], str]  # "" when the value is fine, else what is wrong with it


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1


def _int(low: int) -> Check:
    def check(value: object) -> str:
        if not _is_int(value):
            return f"is {_kind(value)}, not an integer"
        return "" if value >= low else f"is {value}, below {low}"  # type: ignore[operator]

    return check


def _str(*, empty: bool = True) -> Check:
    def check(value: object) -> str:
        if not isinstance(value, str):
            return f"is {_kind(value)}, not a string"
        return "" if empty or value else "is empty"

    return check


def _sha256(value: object) -> str:
    return "" if isinstance(value, str) and _SHA256.match(value) else "is not a sha256 hex digest"


def _probe(value: object) -> str:
    if not isinstance(value, list) or not value:
        return "is not a non-empty list of numbers"
    for x in value:
        if not (_is_int(x) or isinstance(x, float)) or not math.isfinite(x):
            return f"holds {x!r}, not a finite number"
    norm = math.sqrt(sum(float(x) ** 2 for x in value))
    return "" if abs(norm - 1.0) < 1e-3 else f"has length {norm:.4g}, not a unit vector"


def _files(value: object) -> str:
    if not isinstance(value, dict):
        return f"is {_kind(value)}, not an object"
    for name, digest in value.items():
        if not name or _sha256(digest):
            return f"entry {name!r} is not a file name with a sha256 hex digest"
    return ""


def _object(value: object) -> str:
    return "" if isinstance(value, dict) else f"is {_kind(value)}, not an object"


DECK_SCHEMA: Mapping[str, Check] = {
    "file": _str(empty=False),
    "stem": _str(),
    "sha256": _sha256,
    "pages": _int(1),
    "first_number": _int(1),
}


def _decks(value: object) -> str:
    if not isinstance(value, list):
        return f"is {_kind(value)}, not a list"
    for i, deck in enumerate(value):
        problem = _against(deck, DECK_SCHEMA, f"decks[{i}]")
        if problem:
            return problem
    return ""


# Every key a manifest of the current format has; a key added to Manifest must be added here.
MANIFEST_SCHEMA: Mapping[str, Check] = {
    "model": _str(empty=False),
    "dim": _int(1),
    "probe": _probe,
    "chunk_size": _int(1),
    "chunk_overlap": _int(0),
    "decks": _decks,
    "slides": _int(0),
    "chunks": _int(0),
    "files": _files,
    "format_version": _int(1),
    "created": _str(),
    "extras": _object,
}


def _kind(value: object) -> str:
    return {
        bool: "a boolean",
        str: "a string",
        list: "a list",
        dict: "an object",
        float: "a number",
        int: "an integer",
    }.get(type(value), "null" if value is None else type(value).__name__)


def _against(raw: object, schema: Mapping[str, Check], where: str) -> str:
    if not isinstance(raw, dict):
        return f"{where} is {_kind(raw)}, not an object"
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        return f"{where} has an unknown key {unknown[0]!r}"
    missing = [key for key in schema if key not in raw]
    if missing:
        return f"{where} lacks {missing[0]!r}"
    for key, check in schema.items():
        problem = check(raw[key])
        if problem:
            return f"{where}.{key} {problem}"
    return ""


def format_version_of(raw: object) -> object:
    """The manifest's ``format_version`` as written (None when absent), checked before anything else:
    another format may have other keys, and its message should say so rather than name a key."""
    return raw.get("format_version") if isinstance(raw, dict) else None


def manifest_problem(raw: object) -> str:
    """What is wrong with a parsed manifest of the current format; "" when it matches the schema."""
    problem = _against(raw, MANIFEST_SCHEMA, "manifest")
    if problem:
        return problem
    assert isinstance(raw, dict)
    if len(raw["probe"]) != raw["dim"]:
        return f"manifest.probe has {len(raw['probe'])} numbers, not the vector dimension {raw['dim']}"
    if raw["chunk_overlap"] >= raw["chunk_size"]:
        return "manifest.chunk_overlap is not below chunk_size"
    hashed = _HASH_MODEL.match(raw["model"])
    if raw["model"].startswith("hash:") and (hashed is None or int(hashed.group(1)) < 1):
        return f"manifest.model {raw['model']!r} is not a hash embedder (hash:DIM, DIM >= 1)"
    return ""
