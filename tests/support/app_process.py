"""``python app.py`` as a child process on a loopback port, the way a user starts it."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.net import free_port
from tests.support.paths import ROOT


@contextmanager
def running_app(index: Path, bank: Path, timeout: float = 180.0) -> Iterator[str]:
    """Yields the app's URL once it answers HTTP; the app is stopped on the way out, whatever happened."""
    with running_app_with(["--index", str(index), "--bank", str(bank)], timeout) as url:
        yield url


@contextmanager
def running_app_with(options: list[str], timeout: float = 180.0) -> Iterator[str]:
    """``python app.py OPTIONS`` on a free loopback port; yields its URL once it answers HTTP."""
    url = f"http://127.0.0.1:{free_port()}/"
    port = url.rstrip("/").rsplit(":", 1)[1]
    command = [sys.executable, "app.py", "--host", "127.0.0.1", "--port", port, *options]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_served(proc, url, time.monotonic() + timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_until_served(proc: subprocess.Popen[str], url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"the app exited with {proc.returncode}: {proc.stderr.read()[-500:] if proc.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the app did not answer at {url} in time")
