"""What the app's HTTP server adds around Gradio: a Content-Security-Policy on every response, a
refusal for uploads and for state-changing requests from other origins, a private temp folder,
and handlers that fail with one short message instead of a traceback.

The app has no upload component, yet Gradio serves an upload route; any page open in the same
browser (``fetch(..., {mode: "no-cors"})``), or anyone on the network with ``--host``, could fill
the disk through it. The guard answers 403 before Gradio reads a byte.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

# Nothing from another origin: scripts, styles, images, media, fonts, frames and connections come
# from the app itself (the slide cards from its card route); images also from data: URIs (the
# audit's coverage strip). Gradio's page needs inline scripts and styles, and runs the components'
# js_on_load code through Function(), hence 'unsafe-inline' and 'unsafe-eval' for scripts: all of
# that code is ours or Gradio's, since nothing from a PDF, the bank or a model reaches the page as
# markup (assistant.ui.render).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self'",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
# Gradio's routes that write files the app never asks for.
REFUSED_PATHS = frozenset({"/gradio_api/upload", "/upload", "/gradio_api/process_recording"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})

Scope = Mapping[str, Any]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


def _hostname(host: str) -> str:
    """ "127.0.0.1:7860" → "127.0.0.1"; "[::1]:7860" → "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def refusal(
    method: str, path: str, headers: Mapping[str, str], scheme: str = "http", loopback_only: bool = True
) -> str | None:
    """Why the request is refused, or None to let it through. ``headers`` has lower-case names.

    - the upload routes, whatever the method;
    - a ``Host`` that is not a loopback name while the app listens on loopback only (a page on
      another site that rebinds its own name to 127.0.0.1 would otherwise be "same origin");
    - a state-changing request whose ``Origin`` is not the app's own, or that the browser marks
      as coming from another site. Clients that send no ``Origin`` (``gradio_client``, curl)
      are not browsers acting for another page, and pass.
    """
    if path.rstrip("/") in REFUSED_PATHS or path in REFUSED_PATHS:
        return "uploads are switched off in this app"
    host = headers.get("host", "")
    if loopback_only and _hostname(host) not in LOOPBACK_NAMES:
        return "this app answers on 127.0.0.1 and localhost only"
    if method.upper() in SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/").lower() != f"{scheme}://{host}".lower():
        return "requests from other sites are refused"
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return "requests from other sites are refused"
    return None


class GuardMiddleware:
    """ASGI middleware: ``refusal`` answered with 403, security headers on every response."""

    def __init__(self, app: ASGIApp, loopback_only: bool = True) -> None:
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        method = scope.get("method", "GET") if scope["type"] == "http" else "WEBSOCKET"
        scheme = {"wss": "https", "ws": "http"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
        why = refusal(method, scope.get("path", ""), headers, scheme, self.loopback_only)
        if why is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            body = f"forbidden: {why}\n".encode()
            response_headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ]
            response_headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
            await send({"type": "http.response.start", "status": 403, "headers": response_headers})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- the slide cards' route ------------------------------------------------------------------

CARD_URL = re.compile(r"/slidebank/card/(\d{1,6})-([0-9a-f]{16})\.jpg")
CARD_CACHE = "private, max-age=31536000, immutable"  # the URL names the bytes: a new image is a new URL
CardSource = Callable[[int, str], bytes | None]


def signed_in(scope: Scope, header: str | None) -> bool:
    """Whether the request may see slides, by the rule the page itself follows: behind
    ``--auth-header`` the proxy's header must be there; with ``--users`` Gradio's sign-in cookie
    must name a live session of this process; an app with neither is open to whoever reaches it."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    if header:
        return bool(headers.get(header.lower(), "").strip())
    app = scope.get("app")
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True
    from http.cookies import CookieError, SimpleCookie

    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(headers.get("cookie", ""))
    except CookieError:
        return False
    cookie_id = getattr(app, "cookie_id", "")
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token.value in getattr(app, "tokens", {})


class CardRoute:
    """ASGI middleware: ``GET slidebank/card/N-DIGEST.jpg`` answered from ``cards``
    (``WebView.card_image``) before Gradio sees it: the JPEG, cacheable for good; 404 for a slide
    or version the live index does not have; 401 for a request that is not signed in."""

    def __init__(self, app: ASGIApp, cards: CardSource, header: str | None = None) -> None:
        self.app = app
        self.cards = cards
        self.header = header

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        root = scope.get("root_path", "")
        match = CARD_URL.fullmatch(path[len(root) :] if root and path.startswith(root) else path)
        if match is None:
            await self.app(scope, receive, send)
            return
        if scope.get("method", "GET") not in ("GET", "HEAD"):
            await _plain(send, 405, "method not allowed")
            return
        if not signed_in(scope, self.header):
            await _plain(send, 401, "sign in to see the slides")
            return
        from starlette.concurrency import run_in_threadpool

        # The first request for a card encodes it from the slide's PNG: a few ms, off the event loop.
        data = await run_in_threadpool(self.cards, int(match.group(1)), match.group(2))
        if data is None:
            await _plain(send, 404, "no such slide image in the live index")
            return
        headers = [
            (b"content-type", b"image/jpeg"),
            (b"content-length", str(len(data)).encode()),
            (b"cache-control", CARD_CACHE.encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else data})


async def _plain(send: Any, status: int, text: str) -> None:
    body = f"{text}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def app_kwargs(loopback_only: bool, cards: CardSource | None = None, header: str | None = None) -> dict[str, Any]:
    """``demo.launch(app_kwargs=...)``: the guard, then the card route, as the FastAPI app's own
    middleware (the guard is outermost: its refusals and security headers cover the cards too)."""
    from starlette.middleware import Middleware

    middleware = [Middleware(GuardMiddleware, loopback_only=loopback_only)]
    if cards is not None:
        middleware.append(Middleware(CardRoute, cards=cards, header=header))
    return {"middleware": middleware}


# -- a temp folder of our own --------------------------------------------------------------------

_TEMP_PREFIX = "slidebank-gradio-"
_temp_dir: Path | None = None


def private_temp_dir() -> Path:
    """Point Gradio's temp folder (``GRADIO_TEMP_DIR``, the viewer's PNGs) at a folder of this
    process, removed at exit; folders left by app processes that died are removed first. Call
    before any Gradio component is created: components read the variable when they are built."""
    global _temp_dir
    if _temp_dir is None:
        _remove_orphans(Path(tempfile.gettempdir()))
        _temp_dir = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-"))
        os.environ["GRADIO_TEMP_DIR"] = str(_temp_dir)
        atexit.register(shutil.rmtree, _temp_dir, True)
    return _temp_dir


def _remove_orphans(parent: Path) -> None:
    pattern = re.compile(re.escape(_TEMP_PREFIX) + r"(\d+)-")
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match and entry.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


# -- handlers that fail quietly ------------------------------------------------------------------

FAILED = "Something went wrong with this request. The server's log has a one-line note."


def _log_line(name: str, exc: BaseException) -> None:
    text = str(exc).splitlines()[0] if str(exc).strip() else ""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)[:200]
    print(f"error: {name} failed: {type(exc).__name__}{': ' + text if text else ''}", file=sys.stderr, flush=True)


def guarded(fn: Callable) -> Callable:
    """``fn`` for a Gradio event: an unexpected exception becomes one line on the server's stderr
    and a short fixed message on the page; no traceback is logged and no exception text is sent.
    Messages the handler raises on purpose (``gr.Error``) pass through unchanged."""
    import gradio as gr

    def failure(exc: Exception) -> gr.Error:
        _log_line(getattr(fn, "__name__", "handler"), exc)
        return gr.Error(FAILED, print_exception=False)

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any):
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:  # noqa: BLE001 - the page gets a fixed message, the log one line
                raise failure(exc) from None

        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any):
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:  # noqa: BLE001 - the page gets a fixed message, the log one line
            raise failure(exc) from None

    return call


def quiet_input_errors(demo: Any) -> None:
    """A call with too few inputs (``{"data": []}``) fails in Gradio before any handler runs, with a
    ValueError that Gradio logs as a traceback and whose text names the app's components. Turn it
    into a short ``gr.Error`` that is not logged."""
    import gradio as gr

    validate = demo.validate_inputs

    def validate_quietly(block_fn: Any, inputs: list) -> None:
        try:
            validate(block_fn, inputs)
        except ValueError:
            raise gr.Error("this request does not carry the inputs the endpoint takes", print_exception=False) from None

    demo.validate_inputs = validate_quietly
