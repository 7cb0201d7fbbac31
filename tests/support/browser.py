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


def loopback_only(context, refused: list[str]) -> None:
    """Route every request of a browser ``context``: 127.0.0.1, data: and blob: go through; any
    other is aborted and recorded in ``refused``."""
    from urllib.parse import urlsplit

    def route(r) -> None:
        url = r.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
            r.continue_()
        else:
            refused.append(url)
            r.abort()

    context.route("**/*", route)


def chromium(playwright):
    """Debian's Chromium, started as every browser test starts it."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
