"""The layers rule: packages are stages, and a stage imports only the stages below it.

index < assistant.bank < assistant.retrieval < assistant.answer < assistant.audit / assistant.study
(and assistant.evaluation) < assistant.ui; ingest uses index and assistant.bank only. Entry points
(``*/__main__.py``, ``*/cli.py``, ``assistant/query.py``, ``app.py``, the module of every
``slidebank`` command and every module that runs as a program) may import anything, and nothing
else may import them. Every import counts, the ones inside functions too: a lazy import is still
a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

PACKAGES = ("index", "ingest", "assistant")
# Longest prefix wins. Same level: may import each other (audit and study share the suggestions).
LEVELS: dict[str, int] = {
    "index": 0,
    "assistant": 0,  # the package's own __init__
    "assistant.bank": 1,
    "assistant.slide_text": 1,  # a slide's text as bullets, for answers and views alike (imports index only)
    "assistant.retrieval": 2,
    "assistant.answer": 3,
    "assistant.audit": 4,
    "assistant.study": 4,
    "assistant.evaluation": 4,
    "assistant.ui": 5,
}
INGEST_USES = ("index", "assistant.bank")
ENTRY_PATHS = ("assistant/query.py", "app.py")


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def level(module: str) -> int | None:
    matches = [p for p in LEVELS if module == p or module.startswith(p + ".")]
    return LEVELS[max(matches, key=len)] if matches else None


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the tree, at any depth; ``from a import b``
    counts as ``a.b`` when that is a module of the project, else as ``a``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if _is_module(candidate) else base))
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def entry_points() -> set[str]:
    from assistant.cli import COMMANDS

    entries = {c.module for c in COMMANDS.values()}
    for path in project_files():
        relative = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        if path.name in ("__main__.py", "cli.py") or relative in ENTRY_PATHS or 'if __name__ == "__main__":' in source:
            entries.add(module_of(path))
    return entries


def project_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return files


def problems(module: str, source: str, entries: set[str], is_package: bool = False) -> list[str]:
    """What ``module`` (not an entry point) imports against the layers, one line each."""
    found = []
    for line, target in imports(ast.parse(source), module, is_package):
        if not within(target, PACKAGES) or target == module:
            continue
        if target in entries:
            found.append(f"{module}:{line} imports the entry point {target}")
        elif module.startswith("ingest"):
            if not within(target, ("ingest", *INGEST_USES)):
                found.append(f"{module}:{line} imports {target}; ingest uses only {', '.join(INGEST_USES)}")
        elif target.startswith("ingest"):
            found.append(f"{module}:{line} imports {target}; only entry points run ingest")
        else:
            mine, theirs = level(module), level(target)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{module}:{line} imports {target}, a layer above it")
    return found


def test_layers_import_only_downwards() -> None:
    entries = entry_points()
    found = []
    for path in project_files():
        module = module_of(path)
        if module in entries:
            continue
        assert module == "app" or level(module) is not None or module.startswith("ingest"), f"{module}: no layer"
        found += problems(module, path.read_text(encoding="utf-8"), entries, path.name == "__init__.py")
    assert found == []


def test_layers_rule_sees_imports_inside_functions_and_entry_points() -> None:
    entries = entry_points()
    assert {"app", "assistant.query", "assistant.cli", "ingest.__main__", "assistant.evaluation.retrieval"} <= entries
    lazy = "def f():\n    from assistant.ui.terminal import format_text\n"
    assert problems("assistant.retrieval.results", lazy, entries) == [
        "assistant.retrieval.results:2 imports assistant.ui.terminal, a layer above it"
    ]
    assert problems("ingest.build", "import assistant.retrieval.retriever\n", entries)
    assert problems("index.store", "from assistant import cli\n", entries) == [
        "index.store:1 imports the entry point assistant.cli"
    ]
    relative = "from ..answer import generate\n"
    assert problems("assistant.retrieval.results", relative, entries) == [
        "assistant.retrieval.results:1 imports assistant.answer.generate, a layer above it"
    ]
    assert problems("assistant.ui.web", "from assistant.retrieval.results import grouped_search\n", entries) == []
