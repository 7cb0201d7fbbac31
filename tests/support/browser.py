"""Debian's Chromium for the browser tests: where it is, how it is started, and the skip-or-fail rule."""

from __future__ import annotations

from pathlib import Path

from tests.support.required import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Chromium's own background lookups would otherwise reach out; the page's requests are still recorded.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def require_browser() -> None:
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not _playwright_installed():
        missing.append("playwright (pip install playwright)")
    if not missing:
        return
    require("the browser test needs " + " and ".join(missing))


def _playwright_installed() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True
