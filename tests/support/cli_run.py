"""Run the real commands in a subprocess, the way a user does, and check their error contract."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.paths import ROOT


def run_module(
    module: str, *args: object, timeout: float = 300, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m module args...`` from the project root, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], contains: str) -> None:
    """Non-zero exit, stderr exactly one line starting with ``error:``, and no traceback anywhere."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert contains in lines[0], lines[0]


def assert_clean_success(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout and "error:" not in proc.stderr
